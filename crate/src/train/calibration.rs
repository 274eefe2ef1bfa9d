//! How often the "not sure" rule (`model::catalog::unsure`: top probability under a network's
//! threshold) fires: on a split's right and wrong answers, and on generated pictures of no
//! class (`data::outliers`). `kiln eval` reports it; `kiln eval --calibrate` sweeps the
//! threshold, which is how each network's was chosen (docs/networks.md).

use serde::Serialize;

use crate::data::outliers::Outlier;
use crate::train::Evaluation;

/// Shares of answers under a threshold, each in 0–1 (`None` where there is no such answer).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FireRates {
    pub threshold: f32,
    /// Every image of the split.
    pub test: Option<f32>,
    /// The images the network got right, and those it got wrong.
    pub correct: Option<f32>,
    pub wrong: Option<f32>,
    /// The generated pictures, all kinds together.
    pub generated: Option<f32>,
}

/// One kind of generated picture and the share of it that is "not sure".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindRate {
    pub kind: Outlier,
    pub unsure: f32,
}

/// Shares of `test` (and of `generated`, when given) whose top probability is under
/// `threshold`: the rule's own test, NaN included.
pub fn fire_rates(test: &Evaluation, generated: Option<&Evaluation>, threshold: f32) -> FireRates {
    let unsure = |p: f32| p.is_nan() || p < threshold;
    let share = |picked: &mut dyn Iterator<Item = f32>| {
        let (mut n, mut fired) = (0usize, 0usize);
        for p in picked {
            n += 1;
            fired += usize::from(unsure(p));
        }
        (n > 0).then(|| fired as f32 / n as f32)
    };
    let judged = || {
        test.confidence
            .iter()
            .zip(test.predicted.iter().zip(&test.labels))
            .map(|(&p, (predicted, label))| (p, predicted == label))
    };
    FireRates {
        threshold,
        test: share(&mut test.confidence.iter().copied()),
        correct: share(&mut judged().filter(|j| j.1).map(|j| j.0)),
        wrong: share(&mut judged().filter(|j| !j.1).map(|j| j.0)),
        generated: generated.and_then(|g| share(&mut g.confidence.iter().copied())),
    }
}

/// The thresholds `kiln eval --calibrate` tries: 0.20, 0.25, …, 0.95.
pub fn sweep() -> Vec<f32> {
    (4..20).map(|i| i as f32 * 0.05).collect()
}

/// Per kind of generated picture, the share that is "not sure" under `threshold`;
/// `generated` holds `per_kind` pictures of each kind in [`Outlier::ALL`]'s order.
pub fn by_kind(generated: &Evaluation, per_kind: usize, threshold: f32) -> Vec<KindRate> {
    Outlier::ALL
        .iter()
        .zip(generated.confidence.chunks(per_kind.max(1)))
        .map(|(&kind, confidence)| KindRate {
            kind,
            unsure: confidence
                .iter()
                .filter(|&&p| p.is_nan() || p < threshold)
                .count() as f32
                / confidence.len().max(1) as f32,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::events::Metrics;

    fn evaluation(confidence: &[f32], right: &[bool]) -> Evaluation {
        Evaluation {
            metrics: Metrics::default(),
            confusion: vec![],
            predicted: right.iter().map(|&r| u8::from(!r)).collect(),
            confidence: confidence.to_vec(),
            labels: vec![0; right.len()],
        }
    }

    #[test]
    fn the_rule_fires_under_the_threshold_on_right_and_wrong_answers_apart() {
        let test = evaluation(
            &[0.9, 0.4, 0.8, 0.3, f32::NAN],
            &[true, true, false, false, true],
        );
        let generated = evaluation(&[0.2, 0.6], &[true, true]);
        let rates = fire_rates(&test, Some(&generated), 0.5);
        assert_eq!(rates.test, Some(3.0 / 5.0));
        assert_eq!(rates.correct, Some(2.0 / 3.0)); // 0.4 and the NaN
        assert_eq!(rates.wrong, Some(0.5));
        assert_eq!(rates.generated, Some(0.5));
        let none_wrong = fire_rates(&evaluation(&[0.9], &[true]), None, 0.5);
        assert_eq!((none_wrong.wrong, none_wrong.generated), (None, None));
    }

    #[test]
    fn kinds_are_counted_in_their_order() {
        let mut confidence = vec![0.9f32; Outlier::ALL.len() * 2];
        confidence[0] = 0.1; // one of the two noise pictures
        let generated = evaluation(&confidence, &vec![true; confidence.len()]);
        let kinds = by_kind(&generated, 2, 0.5);
        assert_eq!(kinds[0].kind, Outlier::Noise);
        assert_eq!(kinds[0].unsure, 0.5);
        assert!(kinds[1..].iter().all(|k| k.unsure == 0.0));
    }
}
