//! The arithmetic of the root-cause report (CLEAR-R3), kept apart from the queries that feed it
//! so that every figure has one definition and tests of its own.
//!
//! - Revenue at risk (EL-6: a lost customer is lost revenue): the yearly value of customers with
//!   an open angry case, and of customers already lost, per currency, each customer counted once.
//! - Word-of-mouth reach (TL-1): the seed says an unhappy customer tells 10–12 people and a
//!   satisfied one 3–4. These are the defaults and can be configured. Published research — the
//!   TARP studies led by John Goodman for the White House Office of Consumer Affairs — found
//!   roughly 9–10 versus 4–5; a deployment that prefers those figures sets them in the config.
//! - SLA compliance, promises kept (CLEAR-C: keep the callback promise), CSAT.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize, Serializer};

use crate::ids::CustomerId;
use crate::model::Money;
use crate::sla::SlaState;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("a CSAT score must be 1 to 5 (got {score})")]
    CsatOutOfRange { score: u8 },
    #[error("customer {customer}: {currency:?} is not an ISO 4217 currency code")]
    BadCurrency {
        customer: CustomerId,
        currency: String,
    },
    #[error("customer {customer}: a yearly value cannot be negative")]
    NegativeValue { customer: CustomerId },
    #[error("the total in {currency} is too large to add up")]
    Overflow { currency: String },
    #[error("word_of_mouth.{field}: low ({low}) must not exceed high ({high})")]
    BadRange {
        field: &'static str,
        low: u32,
        high: u32,
    },
}

/// A share such as "42 of 50 deadlines met"; `value` is absent when there is nothing to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    pub numerator: u64,
    pub denominator: u64,
}

impl Ratio {
    pub fn value(self) -> Option<f64> {
        (self.denominator > 0).then(|| self.numerator as f64 / self.denominator as f64)
    }

    fn count<T>(items: impl IntoIterator<Item = T>, classify: impl Fn(T) -> Option<bool>) -> Ratio {
        let mut ratio = Ratio {
            numerator: 0,
            denominator: 0,
        };
        for decided in items.into_iter().filter_map(classify) {
            ratio.denominator += 1;
            ratio.numerator += u64::from(decided);
        }
        ratio
    }
}

impl Serialize for Ratio {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("Ratio", 3)?;
        out.serialize_field("numerator", &self.numerator)?;
        out.serialize_field("denominator", &self.denominator)?;
        out.serialize_field("value", &self.value())?;
        out.end()
    }
}

/// What the report knows about one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerStanding {
    pub customer_id: CustomerId,
    pub annual_value: Option<Money>,
    pub open_angry_case: bool,
    pub lost: bool,
}

/// EL-6, in minor units per currency (amounts in different currencies are never added).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RevenueAtRisk {
    pub at_risk: BTreeMap<String, i64>,
    pub lost: BTreeMap<String, i64>,
    pub customers_at_risk: u64,
    pub customers_lost: u64,
    /// Customers at risk or lost whose yearly value nobody recorded: the totals understate.
    pub customers_without_value: u64,
}

/// Adds up EL-6's revenue at risk. A customer listed several times (one row per case) counts
/// once; a lost customer counts as lost, not as at risk.
pub fn revenue_at_risk(standings: &[CustomerStanding]) -> Result<RevenueAtRisk, ReportError> {
    let mut merged: BTreeMap<CustomerId, CustomerStanding> = BTreeMap::new();
    for standing in standings {
        merged
            .entry(standing.customer_id)
            .and_modify(|known| {
                known.open_angry_case |= standing.open_angry_case;
                known.lost |= standing.lost;
                if known.annual_value.is_none() {
                    known.annual_value = standing.annual_value.clone();
                }
            })
            .or_insert_with(|| standing.clone());
    }
    let mut report = RevenueAtRisk::default();
    for standing in merged.values() {
        let (totals, count) = if standing.lost {
            (&mut report.lost, &mut report.customers_lost)
        } else if standing.open_angry_case {
            (&mut report.at_risk, &mut report.customers_at_risk)
        } else {
            continue;
        };
        *count += 1;
        let Some(money) = &standing.annual_value else {
            report.customers_without_value += 1;
            continue;
        };
        let customer = standing.customer_id;
        if money.currency.len() != 3 || !money.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ReportError::BadCurrency {
                customer,
                currency: money.currency.clone(),
            });
        }
        if money.amount_minor < 0 {
            return Err(ReportError::NegativeValue { customer });
        }
        let total = totals.entry(money.currency.clone()).or_insert(0);
        *total = total
            .checked_add(money.amount_minor)
            .ok_or_else(|| ReportError::Overflow {
                currency: money.currency.clone(),
            })?;
    }
    Ok(report)
}

/// How many people a customer tells, low and high estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeopleRange {
    pub low: u32,
    pub high: u32,
}

/// TL-1's multipliers; see the module documentation for the sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordOfMouthConfig {
    pub unhappy: PeopleRange,
    pub satisfied: PeopleRange,
}

impl Default for WordOfMouthConfig {
    fn default() -> Self {
        WordOfMouthConfig {
            unhappy: PeopleRange { low: 10, high: 12 },
            satisfied: PeopleRange { low: 3, high: 4 },
        }
    }
}

impl WordOfMouthConfig {
    pub fn validate(self) -> Result<Self, ReportError> {
        for (field, range) in [("unhappy", self.unhappy), ("satisfied", self.satisfied)] {
            if range.low > range.high {
                return Err(ReportError::BadRange {
                    field,
                    low: range.low,
                    high: range.high,
                });
            }
        }
        Ok(self)
    }
}

/// Estimated number of people who heard about their experience.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WordOfMouthReach {
    pub unhappy_customers: u64,
    pub satisfied_customers: u64,
    pub negative_low: u64,
    pub negative_high: u64,
    pub positive_low: u64,
    pub positive_high: u64,
}

pub fn word_of_mouth_reach(
    unhappy_customers: u64,
    satisfied_customers: u64,
    config: &WordOfMouthConfig,
) -> WordOfMouthReach {
    let times = |customers: u64, people: u32| customers.saturating_mul(u64::from(people));
    WordOfMouthReach {
        unhappy_customers,
        satisfied_customers,
        negative_low: times(unhappy_customers, config.unhappy.low),
        negative_high: times(unhappy_customers, config.unhappy.high),
        positive_low: times(satisfied_customers, config.satisfied.low),
        positive_high: times(satisfied_customers, config.satisfied.high),
    }
}

/// Which side of TL-1 a satisfaction score puts a customer on: 1–2 unhappy, 4–5 satisfied,
/// 3 neither (counted on neither side).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sentiment {
    Unhappy,
    Neutral,
    Satisfied,
}

pub fn sentiment(score: u8) -> Result<Sentiment, ReportError> {
    match score {
        1 | 2 => Ok(Sentiment::Unhappy),
        3 => Ok(Sentiment::Neutral),
        4 | 5 => Ok(Sentiment::Satisfied),
        _ => Err(ReportError::CsatOutOfRange { score }),
    }
}

/// Targets met on time among targets decided (met, or breached); running clocks are left out.
pub fn sla_compliance(states: impl IntoIterator<Item = SlaState>) -> Ratio {
    Ratio::count(states, |state| match state {
        SlaState::Met => Some(true),
        SlaState::Breached => Some(false),
        SlaState::OnTrack | SlaState::Warning | SlaState::Paused => None,
    })
}

/// Where a promise to a customer stands (CLEAR-C: "I'll call you back within 10 minutes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PromiseOutcome {
    KeptOnTime,
    KeptLate,
    Broken,
    Open,
}

pub fn promise_outcome(
    due_at: Timestamp,
    fulfilled_at: Option<Timestamp>,
    now: Timestamp,
) -> PromiseOutcome {
    match fulfilled_at {
        Some(done) if done <= due_at => PromiseOutcome::KeptOnTime,
        Some(_) => PromiseOutcome::KeptLate,
        None if now > due_at => PromiseOutcome::Broken,
        None => PromiseOutcome::Open,
    }
}

/// Promises kept on time among promises decided; a late callback is not a kept promise.
pub fn promises_kept(outcomes: impl IntoIterator<Item = PromiseOutcome>) -> Ratio {
    Ratio::count(outcomes, |outcome| match outcome {
        PromiseOutcome::KeptOnTime => Some(true),
        PromiseOutcome::KeptLate | PromiseOutcome::Broken => Some(false),
        PromiseOutcome::Open => None,
    })
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CsatSummary {
    pub responses: u64,
    /// None without responses.
    pub average: Option<f64>,
    /// Count of 1s, 2s, 3s, 4s and 5s.
    pub distribution: [u64; 5],
    /// Scores 4–5 among all responses.
    pub satisfied: Ratio,
}

pub fn csat(scores: &[u8]) -> Result<CsatSummary, ReportError> {
    let mut distribution = [0u64; 5];
    for &score in scores {
        sentiment(score)?;
        distribution[usize::from(score - 1)] += 1;
    }
    let responses: u64 = distribution.iter().sum();
    let total: u64 = (1u64..=5).zip(distribution).map(|(s, n)| s * n).sum();
    Ok(CsatSummary {
        responses,
        average: (responses > 0).then(|| total as f64 / responses as f64),
        distribution,
        satisfied: Ratio {
            numerator: distribution[3] + distribution[4],
            denominator: responses,
        },
    })
}

/// Time to first response or to resolution over a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DurationSummary {
    pub count: u64,
    #[serde(serialize_with = "as_seconds")]
    pub mean: SignedDuration,
    #[serde(serialize_with = "as_seconds")]
    pub median: SignedDuration,
    /// Nearest-rank 90th percentile: nine in ten were at most this long.
    #[serde(serialize_with = "as_seconds")]
    pub p90: SignedDuration,
}

fn as_seconds<S: Serializer>(duration: &SignedDuration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_i64(duration.as_secs())
}

pub fn duration_summary(durations: &[SignedDuration]) -> Option<DurationSummary> {
    let mut sorted = durations.to_vec();
    sorted.sort();
    let count = sorted.len();
    let last = count.checked_sub(1)?;
    let total_nanos: i128 = sorted.iter().map(|d| d.as_nanos()).sum();
    let mean_nanos = total_nanos / i128::try_from(count).ok()?;
    let median = if count % 2 == 1 {
        sorted[count / 2]
    } else {
        let (a, b) = (
            sorted[count / 2 - 1].as_nanos(),
            sorted[count / 2].as_nanos(),
        );
        SignedDuration::from_nanos_i128((a + b) / 2)
    };
    let rank = (count * 90).div_ceil(100).max(1) - 1;
    Some(DurationSummary {
        count: u64::try_from(count).ok()?,
        mean: SignedDuration::from_nanos_i128(mean_nanos),
        median,
        p90: sorted[rank.min(last)],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(amount_minor: i64) -> Option<Money> {
        Some(Money {
            amount_minor,
            currency: "EUR".to_owned(),
        })
    }

    fn standing(id: i64, value: Option<Money>, angry: bool, lost: bool) -> CustomerStanding {
        CustomerStanding {
            customer_id: CustomerId(id),
            annual_value: value,
            open_angry_case: angry,
            lost,
        }
    }

    #[test]
    fn revenue_at_risk_counts_each_customer_once_per_currency() {
        let ron = Some(Money {
            amount_minor: 250_000,
            currency: "RON".to_owned(),
        });
        let report = revenue_at_risk(&[
            standing(1, eur(540_000), true, false),
            // The same customer's second angry case.
            standing(1, eur(540_000), true, false),
            standing(2, ron, true, false),
            // EL-6's café couple: $5,400–7,300 a year, gone.
            standing(3, eur(730_000), false, true),
            standing(4, None, true, false),
            standing(5, eur(99_999), false, false),
        ])
        .unwrap();
        assert_eq!(report.at_risk["EUR"], 540_000);
        assert_eq!(report.at_risk["RON"], 250_000);
        assert_eq!(report.lost["EUR"], 730_000);
        assert_eq!(report.customers_at_risk, 3);
        assert_eq!(report.customers_lost, 1);
        assert_eq!(report.customers_without_value, 1);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["at_risk"]["EUR"], 540_000);
    }

    #[test]
    fn a_lost_customer_is_not_also_at_risk() {
        let report = revenue_at_risk(&[
            standing(7, eur(1_000), true, false),
            standing(7, eur(1_000), false, true),
        ])
        .unwrap();
        assert!(report.at_risk.is_empty());
        assert_eq!(report.lost["EUR"], 1_000);
    }

    #[test]
    fn bad_money_is_refused_naming_the_customer() {
        let bad = Some(Money {
            amount_minor: 5,
            currency: "euro".to_owned(),
        });
        assert_eq!(
            revenue_at_risk(&[standing(9, bad, true, false)]).unwrap_err(),
            ReportError::BadCurrency {
                customer: CustomerId(9),
                currency: "euro".into()
            }
        );
        assert_eq!(
            revenue_at_risk(&[standing(9, eur(-1), true, false)]).unwrap_err(),
            ReportError::NegativeValue {
                customer: CustomerId(9)
            }
        );
        let overflow = revenue_at_risk(&[
            standing(1, eur(i64::MAX), true, false),
            standing(2, eur(1), true, false),
        ]);
        assert!(matches!(overflow, Err(ReportError::Overflow { .. })));
    }

    #[test]
    fn word_of_mouth_uses_tl1_by_default_and_takes_other_figures() {
        let reach = word_of_mouth_reach(3, 10, &WordOfMouthConfig::default());
        assert_eq!((reach.negative_low, reach.negative_high), (30, 36));
        assert_eq!((reach.positive_low, reach.positive_high), (30, 40));
        let tarp = WordOfMouthConfig {
            unhappy: PeopleRange { low: 9, high: 10 },
            satisfied: PeopleRange { low: 4, high: 5 },
        };
        let reach = word_of_mouth_reach(3, 10, &tarp.validate().unwrap());
        assert_eq!((reach.negative_low, reach.positive_high), (27, 50));
        let upside_down = WordOfMouthConfig {
            unhappy: PeopleRange { low: 12, high: 10 },
            ..WordOfMouthConfig::default()
        };
        assert_eq!(
            upside_down.validate().unwrap_err().to_string(),
            "word_of_mouth.unhappy: low (12) must not exceed high (10)"
        );
        let parsed: WordOfMouthConfig =
            toml::from_str("unhappy = { low = 9, high = 10 }\nsatisfied = { low = 4, high = 5 }")
                .unwrap();
        assert_eq!(parsed, tarp);
    }

    #[test]
    fn sla_compliance_counts_decided_targets_only() {
        use SlaState::*;
        let ratio = sla_compliance([Met, Met, Breached, OnTrack, Paused, Warning, Met]);
        assert_eq!(
            ratio,
            Ratio {
                numerator: 3,
                denominator: 4
            }
        );
        assert_eq!(ratio.value(), Some(0.75));
        assert_eq!(sla_compliance([OnTrack]).value(), None);
        let json = serde_json::to_value(ratio).unwrap();
        assert_eq!(json["value"], 0.75);
        assert_eq!(json["denominator"], 4);
    }

    #[test]
    fn a_late_callback_is_not_a_kept_promise() {
        let due: Timestamp = "2026-11-25T10:10:00Z".parse().unwrap();
        let before = "2026-11-25T10:09:00Z".parse().unwrap();
        let after = "2026-11-25T10:11:00Z".parse().unwrap();
        assert_eq!(
            promise_outcome(due, Some(due), after),
            PromiseOutcome::KeptOnTime
        );
        assert_eq!(
            promise_outcome(due, Some(after), after),
            PromiseOutcome::KeptLate
        );
        assert_eq!(promise_outcome(due, None, after), PromiseOutcome::Broken);
        assert_eq!(promise_outcome(due, None, before), PromiseOutcome::Open);
        assert_eq!(promise_outcome(due, None, due), PromiseOutcome::Open);
        let ratio = promises_kept([
            PromiseOutcome::KeptOnTime,
            PromiseOutcome::KeptLate,
            PromiseOutcome::Broken,
            PromiseOutcome::Open,
            PromiseOutcome::KeptOnTime,
        ]);
        assert_eq!((ratio.numerator, ratio.denominator), (2, 4));
    }

    #[test]
    fn csat_average_and_distribution() {
        let summary = csat(&[5, 4, 2, 5, 1, 3]).unwrap();
        assert_eq!(summary.responses, 6);
        assert_eq!(summary.average, Some(20.0 / 6.0));
        assert_eq!(summary.distribution, [1, 1, 1, 1, 2]);
        assert_eq!(summary.satisfied.value(), Some(0.5));
        let empty = csat(&[]).unwrap();
        assert_eq!(empty.average, None);
        assert_eq!(empty.satisfied.value(), None);
        assert_eq!(
            csat(&[4, 0]).unwrap_err(),
            ReportError::CsatOutOfRange { score: 0 }
        );
        assert!(csat(&[6]).is_err());
        assert_eq!(sentiment(3), Ok(Sentiment::Neutral));
    }

    #[test]
    fn duration_summary_mean_median_and_p90() {
        let mins = |m: i64| SignedDuration::from_mins(m);
        assert_eq!(duration_summary(&[]), None);
        let one = duration_summary(&[mins(7)]).unwrap();
        assert_eq!((one.mean, one.median, one.p90), (mins(7), mins(7), mins(7)));
        let ten: Vec<_> = (1..=10).rev().map(mins).collect();
        let summary = duration_summary(&ten).unwrap();
        assert_eq!(summary.count, 10);
        assert_eq!(summary.mean, SignedDuration::from_secs(330));
        assert_eq!(summary.median, SignedDuration::from_secs(330));
        assert_eq!(summary.p90, mins(9));
        let json = serde_json::to_value(summary).unwrap();
        assert_eq!(json["p90"], 540);
    }
}
