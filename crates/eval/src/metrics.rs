//! Counting agreement between gold labels and predictions.

use serde::{Deserialize, Serialize};

/// Binary outcome counts for one task on one set, and the scores derived from them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub true_positive: u64,
    pub false_positive: u64,
    pub false_negative: u64,
    pub true_negative: u64,
}

impl Counts {
    pub fn add(&mut self, gold: bool, predicted: bool) {
        match (gold, predicted) {
            (true, true) => self.true_positive += 1,
            (false, true) => self.false_positive += 1,
            (true, false) => self.false_negative += 1,
            (false, false) => self.true_negative += 1,
        }
    }

    pub fn merge(&mut self, other: &Counts) {
        self.true_positive += other.true_positive;
        self.false_positive += other.false_positive;
        self.false_negative += other.false_negative;
        self.true_negative += other.true_negative;
    }

    pub fn total(&self) -> u64 {
        self.true_positive + self.false_positive + self.false_negative + self.true_negative
    }

    /// Items whose gold label is positive.
    pub fn positives(&self) -> u64 {
        self.true_positive + self.false_negative
    }

    /// None when nothing was predicted positive (precision is undefined, not zero).
    pub fn precision(&self) -> Option<f64> {
        ratio(self.true_positive, self.true_positive + self.false_positive)
    }

    /// None when the set has no positive items.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.true_positive, self.positives())
    }

    pub fn f1(&self) -> Option<f64> {
        let denominator = 2 * self.true_positive + self.false_positive + self.false_negative;
        ratio(2 * self.true_positive, denominator)
    }

    pub fn accuracy(&self) -> Option<f64> {
        ratio(self.true_positive + self.true_negative, self.total())
    }
}

fn ratio(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// Scores as stored in the JSON report and printed in tables (None = undefined).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
}

impl From<&Counts> for Scores {
    fn from(counts: &Counts) -> Self {
        Scores {
            precision: counts.precision(),
            recall: counts.recall(),
            f1: counts.f1(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(bool, bool)]) -> Counts {
        let mut counts = Counts::default();
        for &(gold, predicted) in pairs {
            counts.add(gold, predicted);
        }
        counts
    }

    #[test]
    fn precision_recall_f1_by_hand() {
        // 3 TP, 1 FP, 2 FN, 4 TN
        let c = counts(&[
            (true, true),
            (true, true),
            (true, true),
            (false, true),
            (true, false),
            (true, false),
            (false, false),
            (false, false),
            (false, false),
            (false, false),
        ]);
        assert_eq!(c.precision(), Some(0.75));
        assert_eq!(c.recall(), Some(0.6));
        let f1 = c.f1().unwrap();
        assert!((f1 - 2.0 * 0.75 * 0.6 / 1.35).abs() < 1e-12);
        assert_eq!(c.accuracy(), Some(0.7));
        assert_eq!(c.total(), 10);
    }

    #[test]
    fn undefined_scores_are_none_not_zero() {
        let nothing_predicted = counts(&[(true, false), (false, false)]);
        assert_eq!(nothing_predicted.precision(), None);
        assert_eq!(nothing_predicted.recall(), Some(0.0));
        let no_positives = counts(&[(false, false)]);
        assert_eq!(no_positives.recall(), None);
        assert_eq!(no_positives.f1(), None);
    }

    #[test]
    fn merge_adds_counts() {
        let mut a = counts(&[(true, true)]);
        a.merge(&counts(&[(false, true), (true, false)]));
        assert_eq!(a.true_positive, 1);
        assert_eq!(a.false_positive, 1);
        assert_eq!(a.false_negative, 1);
    }
}
