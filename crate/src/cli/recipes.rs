//! Each network's recipe in `kiln train`'s terms, read from the registry: the defaults its
//! flags take (`kiln train --help` lists every network's, `kiln info` the one it shows).

use kiln::model::{NETWORKS, Network};
use kiln::recipe::{NormalizationKind, TrainingRecipe};

/// `kiln train --help`'s closing lines: every network with its recipe.
pub fn help() -> String {
    let width = NETWORKS.iter().map(|n| n.name().len()).max().unwrap_or(0);
    let mut text = String::from(
        "Each network's recipe, the defaults of the flags above (`kiln info --model NAME` \
         prints it too):",
    );
    for network in NETWORKS {
        let [flags, rest] = describe(*network);
        let indent = " ".repeat(width + 4);
        text += &format!("\n  {:width$}  {flags}\n{indent}{rest}", network.name());
    }
    text
}

/// The recipe as `kiln train`'s flags, then what no flag sets.
pub fn describe(network: &dyn Network) -> [String; 2] {
    let recipe = network.recipe(None);
    let doubled = network.recipe(Some(2 * recipe.batch_size));
    let scaled = match doubled.learning_rate != recipe.learning_rate {
        true => " (scaled with --batch-size)",
        false => "",
    };
    let normalize = match recipe.normalization {
        NormalizationKind::Unit => "unit",
        NormalizationKind::MeanStd => "mean-std",
    };
    let flags = format!(
        "--epochs {} --batch-size {} --lr {}{scaled} --lr-schedule {} --optimizer {} \
         --weight-decay {} --normalize {normalize}",
        recipe.epochs,
        recipe.batch_size,
        short(recipe.learning_rate),
        recipe.extras.schedule.name().replace('_', "-"),
        recipe.optimizer.name(),
        short(recipe.weight_decay),
    );
    [flags, beyond_flags(&recipe)]
}

/// The augmentation and the extras, in words.
fn beyond_flags(recipe: &TrainingRecipe) -> String {
    let a = &recipe.augmentation;
    let mut parts = Vec::new();
    if a.is_off() {
        parts.push("no augmentation".to_string());
    } else {
        let flips = match (a.flip, a.alternate_flip) {
            (false, _) => "no flips",
            (true, false) => "random flips",
            (true, true) => "alternating flips",
        };
        let crops = match (a.crop_padding, a.reflect) {
            (0, _) => "no crops".to_string(),
            (pad, false) => format!("random crops with --crop-padding {pad}"),
            (pad, true) => format!("random crops with --crop-padding {pad} (the border mirrored)"),
        };
        let framing = if a.framing.is_off() {
            ""
        } else {
            ", --framing"
        };
        parts.push(format!("augmented: {flips}, {crops}{framing}"));
    }
    let e = &recipe.extras;
    if e.label_smoothing > 0.0 {
        parts.push(format!(
            "label smoothing {}",
            short(f64::from(e.label_smoothing))
        ));
    }
    if let Some(lookahead) = e.lookahead {
        parts.push(format!("lookahead every {} steps", lookahead.every));
    }
    if e.norm_bias_lr_scale != 1.0 {
        parts.push(format!(
            "BatchNorm biases at {}× the learning rate",
            e.norm_bias_lr_scale
        ));
    }
    if let Some(epochs) = e.whiten_bias_epochs {
        parts.push(format!(
            "whitening bias trained for the first {epochs} epochs"
        ));
    }
    parts.join("; ")
}

/// `x` to three significant digits, without trailing zeros: 0.001, 1.5, 0.00133.
fn short(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return x.to_string();
    }
    let decimals = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{x:.decimals$}");
    match text.contains('.') {
        true => text.trim_end_matches('0').trim_end_matches('.').to_string(),
        false => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_significant_digits() {
        assert_eq!(short(1e-3), "0.001");
        assert_eq!(short(11.5 / (1.0 + 1.0 / 0.15)), "1.5");
        assert_eq!(short(0.0153 / 11.5), "0.00133");
        assert_eq!(short(0.0), "0");
        assert_eq!(short(64.0), "64");
    }
}
