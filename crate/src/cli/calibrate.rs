//! `kiln eval`'s figures for the "not sure" rule: how often it fires on the test set at the
//! network's threshold, and with `--calibrate` a sweep of thresholds over the test set and
//! over generated pictures of no class (`data::outliers`), which is how each network's
//! threshold (`unsure_below` in its folder's `catalog.rs`) was chosen.

use kiln::data::outliers::generate;
use kiln::data::{Batcher, Split};
use kiln::model::Model;
use kiln::model::catalog::ModelInfo;
use kiln::train::calibration::{by_kind, fire_rates, sweep};
use kiln::train::settings::EVAL_BATCH_SIZE;
use kiln::train::{Evaluation, evaluate};

/// Generated pictures of each kind: 7 kinds, 1,400 pictures.
const PER_KIND: usize = 200;
/// The generated set's seed: the same pictures on every run.
const SEED: u64 = 34;

/// The rule's figures as JSON; with `calibrate`, the sweep and the generated set too, and a
/// table on stderr. `source` gives the generated mosaics their patches (the test images).
pub fn report(
    model: &Model,
    info: &ModelInfo,
    test: &Evaluation,
    source: &Split,
    batcher: &Batcher,
    tta: bool,
    calibrate: bool,
) -> Result<serde_json::Value, String> {
    let threshold = info.unsure_below;
    if !calibrate {
        return Ok(serde_json::json!({ "rule": fire_rates(test, None, threshold) }));
    }
    let generated = generate(PER_KIND, source, SEED);
    let judged = pollster::block_on(evaluate(
        model,
        &generated,
        batcher,
        EVAL_BATCH_SIZE.default_usize(),
        tta,
    ))
    .map_err(|e| e.to_string())?;
    let rows: Vec<_> = sweep()
        .into_iter()
        .map(|t| fire_rates(test, Some(&judged), t))
        .collect();
    let kinds = by_kind(&judged, PER_KIND, threshold);
    let pct = |v: Option<f32>| v.map_or("-".into(), |v| format!("{:.1}%", v * 100.0));
    eprintln!("\"not sure\" (top probability under the threshold) fires on:");
    eprintln!(
        "threshold   test  correct    wrong  generated ({} pictures)",
        generated.len()
    );
    for r in &rows {
        eprintln!(
            "{:>9.2} {:>6} {:>8} {:>8} {:>10}",
            r.threshold,
            pct(r.test),
            pct(r.correct),
            pct(r.wrong),
            pct(r.generated)
        );
    }
    eprintln!("by kind at {}'s threshold {threshold}:", info.name);
    for k in &kinds {
        eprintln!("  {:<13} {}", format!("{:?}", k.kind), pct(Some(k.unsure)));
    }
    Ok(serde_json::json!({
        "rule": fire_rates(test, Some(&judged), threshold),
        "by_kind": kinds,
        "sweep": rows,
        "generated": generated.len(),
    }))
}
