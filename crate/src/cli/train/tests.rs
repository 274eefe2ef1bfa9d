//! `kiln train --help` held to the settings it describes.

use clap::Args;
use kiln::train::settings::{
    CROP_PADDING, FRAMING_RATE, LR_DECAY, LR_DECAY_EPOCHS, LR_WARMUP, MAX_ASPECT, MAX_SCALE,
    MIN_SCALE, SEED, SOFTEN,
};

fn nesterov_momentum() -> f32 {
    match kiln::recipe::OptimizerConfig::nesterov() {
        kiln::recipe::OptimizerConfig::Nesterov { momentum } => momentum,
        other => panic!("nesterov() gave {other:?}"),
    }
}

/// The defaults `kiln train --help` states are the settings' own (crate/src/train/settings.rs):
/// a default changed there and not in the help fails here.
#[test]
fn the_help_states_the_settings_defaults() {
    let command = super::TrainArgs::augment_args(clap::Command::new("train"));
    let help = |id: &str| {
        command
            .get_arguments()
            .find(|a| a.get_id() == id)
            .and_then(|a| a.get_help())
            .map(ToString::to_string)
            .unwrap_or_default()
    };
    let stated = [
        ("lr_decay", format!("[default: {}]", LR_DECAY.default)),
        (
            "lr_decay_epochs",
            format!("[default: {}]", LR_DECAY_EPOCHS.default),
        ),
        ("lr_warmup", format!("[default: {}]", LR_WARMUP.default)),
        (
            "framing_rate",
            format!("[default: {}]", FRAMING_RATE.default),
        ),
        ("min_scale", format!("[default: {}]", MIN_SCALE.default)),
        ("max_scale", format!("[default: {}]", MAX_SCALE.default)),
        ("max_aspect", format!("[default: {}]", MAX_ASPECT.default)),
        ("soften", format!("[default: {}]", SOFTEN.default)),
        ("seed", format!("[default: {}]", SEED.default)),
        ("crop_padding", format!("else {}]", CROP_PADDING.default)),
        ("optimizer", format!("momentum {}", nesterov_momentum())),
    ];
    for (id, text) in stated {
        assert!(
            help(id).contains(&text),
            "--{id}'s help does not say {text:?}: {:?}",
            help(id)
        );
    }
}
