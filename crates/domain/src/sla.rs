//! Service-level policies and the SLA clock of a case.
//!
//! TL-8: a customer gets a detailed answer within 3 days and is told of any delay; ISO 10002:
//! complaints are acknowledged promptly. A policy sets three targets — first response, periodic
//! update, resolution — in business time of a [`BusinessCalendar`].
//!
//! **Which policy applies.** Policies select cases by priority, category and channel; a field left
//! out matches anything. The matching policy that names the most fields wins; between two that
//! name as many, category outranks priority, which outranks channel. Two policies with the same
//! selector are refused, so the choice is never ambiguous. A policy without any selector is the
//! default; targets a specific policy leaves out are taken from the default.
//!
//! **The clock.** Business time runs from receipt and stands still while the case waits on the
//! customer (`waiting_on_customer`) or has an answer (`resolution_proposed`, `resolved`, `closed`).
//! The resolution target is met when the detailed answer is given — the case reaches
//! `resolution_proposed` (RO-10: the customer then confirms it) or a later answered status; if the
//! customer rejects it or the case is reopened, the clock runs on from where it stood. Everything
//! here is a pure function of the case's history and an explicit `now`.

use std::fmt;
use std::str::FromStr;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize, Serializer};

use crate::calendar::{BusinessCalendar, CalendarError};
use crate::lifecycle::Status;
use crate::model::{Channel, Priority};

/// How long a target allows, in business time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaTarget {
    /// Business time: "at once" (zero), "4h", "2h 30m", "PT90M".
    BusinessTime(SignedDuration),
    /// Until closing time on the n-th working day: "3 business days" (see
    /// [`BusinessCalendar::close_of_business_day`]).
    BusinessDays(u32),
}

impl SlaTarget {
    /// TL-8's "detailed answer within 3 days".
    pub const THREE_BUSINESS_DAYS: SlaTarget = SlaTarget::BusinessDays(3);
    /// ISO 10002's prompt acknowledgement: due the moment the complaint arrives.
    pub const AT_ONCE: SlaTarget = SlaTarget::BusinessTime(SignedDuration::ZERO);

    /// The business time this target allows for a clock started at `start`.
    fn allowance(
        self,
        calendar: &BusinessCalendar,
        start: Timestamp,
    ) -> Result<SignedDuration, CalendarError> {
        match self {
            SlaTarget::BusinessTime(duration) => Ok(duration),
            SlaTarget::BusinessDays(days) => {
                let close = calendar.close_of_business_day(start, days)?;
                Ok(calendar.business_duration_between(start, close))
            }
        }
    }
}

impl FromStr for SlaTarget {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let lowered = text.trim().to_ascii_lowercase();
        if lowered == "at once" {
            return Ok(SlaTarget::AT_ONCE);
        }
        let days = lowered
            .strip_suffix("business days")
            .or_else(|| lowered.strip_suffix("business day"));
        if let Some(count) = days {
            return count
                .trim()
                .parse::<u32>()
                .map(SlaTarget::BusinessDays)
                .map_err(|_| "the number of business days must be a whole number ≥ 0".to_owned());
        }
        let duration: SignedDuration = lowered.parse().map_err(|_| {
            "expected \"at once\", a duration such as \"4h\" or \"2h 30m\", or \"N business days\""
                .to_owned()
        })?;
        if duration.is_negative() {
            return Err("a target cannot be negative".to_owned());
        }
        Ok(SlaTarget::BusinessTime(duration))
    }
}

impl fmt::Display for SlaTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SlaTarget::BusinessTime(duration) if duration.is_zero() => f.write_str("at once"),
            SlaTarget::BusinessTime(duration) => write!(f, "{duration:#}"),
            SlaTarget::BusinessDays(1) => f.write_str("1 business day"),
            SlaTarget::BusinessDays(days) => write!(f, "{days} business days"),
        }
    }
}

/// The SLA section of the configuration, e.g.
///
/// ```toml
/// warning_percent = 75
/// [[policies]]
/// name = "standard"
/// first_response = "at once"
/// periodic_update = "1 business day"
/// resolution = "3 business days"
/// [[policies]]
/// name = "urgent by phone"
/// priority = "urgent"
/// channel = "phone"
/// resolution = "4h"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaConfig {
    /// Warn once this share of a target's business time is used up (1–99).
    #[serde(default = "default_warning_percent")]
    pub warning_percent: u8,
    #[serde(default)]
    pub policies: Vec<SlaPolicyConfig>,
}

fn default_warning_percent() -> u8 {
    75
}

impl Default for SlaConfig {
    fn default() -> Self {
        SlaConfig {
            warning_percent: default_warning_percent(),
            policies: Vec::new(),
        }
    }
}

/// One policy as written. Targets are text (see [`SlaTarget`]); `periodic_update = "never"`
/// switches periodic updates off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicyConfig {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periodic_update: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlaConfigError {
    #[error("sla.warning_percent must be between 1 and 99 (got {0})")]
    WarningPercent(u8),
    #[error("sla policy #{index}: the name must not be empty")]
    EmptyName { index: usize },
    #[error("sla policy {policy:?}: {field} = {text:?}: {reason}")]
    BadTarget {
        policy: String,
        field: &'static str,
        text: String,
        reason: String,
    },
    #[error(
        "sla policies {first:?} and {second:?} select the same cases; merge them or make one more specific"
    )]
    SameSelector { first: String, second: String },
    #[error("sla policy {policy:?}: the category must not be blank")]
    BlankCategory { policy: String },
}

/// A resolved policy: every target known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaPolicy {
    pub name: String,
    pub first_response: SlaTarget,
    pub periodic_update: Option<SlaTarget>,
    pub resolution: SlaTarget,
    /// Warn once this share of a target's business time is used up.
    pub warning_percent: u8,
}

impl SlaPolicy {
    /// Acknowledge at once (ISO 10002), answer in detail within 3 business days (TL-8). Periodic
    /// updates are off: the seeds ask for a delay notice (TL-8), which the resolution warning
    /// triggers, rather than routine updates.
    pub fn builtin_default() -> Self {
        SlaPolicy {
            name: "default".to_owned(),
            first_response: SlaTarget::AT_ONCE,
            periodic_update: None,
            resolution: SlaTarget::THREE_BUSINESS_DAYS,
            warning_percent: default_warning_percent(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Selector {
    priority: Option<Priority>,
    /// Lower-cased and trimmed.
    category: Option<String>,
    channel: Option<Channel>,
}

impl Selector {
    fn matches(&self, priority: Priority, category: Option<&str>, channel: Channel) -> bool {
        self.priority.is_none_or(|p| p == priority)
            && self.channel.is_none_or(|c| c == channel)
            && self.category.as_deref().is_none_or(|wanted| {
                category.is_some_and(|actual| actual.trim().to_lowercase() == wanted)
            })
    }

    /// Orders matches: more fields first, then category > priority > channel.
    fn specificity(&self) -> (usize, bool, bool, bool) {
        let (category, priority, channel) = (
            self.category.is_some(),
            self.priority.is_some(),
            self.channel.is_some(),
        );
        (
            usize::from(category) + usize::from(priority) + usize::from(channel),
            category,
            priority,
            channel,
        )
    }
}

/// The validated set of policies and the warning threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaPolicies {
    default: SlaPolicy,
    specific: Vec<(Selector, SlaPolicy)>,
}

impl Default for SlaPolicies {
    fn default() -> Self {
        SlaPolicies {
            default: SlaPolicy::builtin_default(),
            specific: Vec::new(),
        }
    }
}

impl SlaPolicies {
    pub fn from_config(config: &SlaConfig) -> Result<Self, SlaConfigError> {
        if !(1..=99).contains(&config.warning_percent) {
            return Err(SlaConfigError::WarningPercent(config.warning_percent));
        }
        let mut selected: Vec<(Selector, &SlaPolicyConfig)> = Vec::new();
        let mut default_config: Option<&SlaPolicyConfig> = None;
        for (index, policy) in config.policies.iter().enumerate() {
            if policy.name.trim().is_empty() {
                return Err(SlaConfigError::EmptyName { index });
            }
            let selector = selector_of(policy)?;
            let same = |other: &SlaPolicyConfig| SlaConfigError::SameSelector {
                first: other.name.clone(),
                second: policy.name.clone(),
            };
            if selector.specificity().0 == 0 {
                if let Some(other) = default_config {
                    return Err(same(other));
                }
                default_config = Some(policy);
            } else if let Some((_, other)) = selected.iter().find(|(s, _)| *s == selector) {
                return Err(same(other));
            } else {
                selected.push((selector, policy));
            }
        }
        let builtin = SlaPolicy {
            warning_percent: config.warning_percent,
            ..SlaPolicy::builtin_default()
        };
        let default = match default_config {
            Some(policy) => resolve(policy, &builtin)?,
            None => builtin,
        };
        let specific = selected
            .into_iter()
            .map(|(selector, policy)| Ok((selector, resolve(policy, &default)?)))
            .collect::<Result<_, SlaConfigError>>()?;
        Ok(SlaPolicies { default, specific })
    }

    /// The policy for a case; see the module documentation for how ties are broken.
    pub fn policy_for(
        &self,
        priority: Priority,
        category: Option<&str>,
        channel: Channel,
    ) -> &SlaPolicy {
        self.specific
            .iter()
            .filter(|(selector, _)| selector.matches(priority, category, channel))
            .max_by_key(|(selector, _)| selector.specificity())
            .map_or(&self.default, |(_, policy)| policy)
    }
}

fn selector_of(policy: &SlaPolicyConfig) -> Result<Selector, SlaConfigError> {
    let category = match policy.category.as_deref().map(str::trim) {
        Some("") => {
            return Err(SlaConfigError::BlankCategory {
                policy: policy.name.clone(),
            });
        }
        other => other.map(str::to_lowercase),
    };
    Ok(Selector {
        priority: policy.priority,
        category,
        channel: policy.channel,
    })
}

fn resolve(policy: &SlaPolicyConfig, fallback: &SlaPolicy) -> Result<SlaPolicy, SlaConfigError> {
    let parse = |field: &'static str, text: &str| {
        text.parse::<SlaTarget>()
            .map_err(|reason| SlaConfigError::BadTarget {
                policy: policy.name.clone(),
                field,
                text: text.to_owned(),
                reason,
            })
    };
    let target = |field, text: &Option<String>, inherited: SlaTarget| {
        text.as_deref()
            .map_or(Ok(inherited), |text| parse(field, text))
    };
    let periodic_update = match policy.periodic_update.as_deref() {
        None => fallback.periodic_update,
        Some(text) if text.trim().eq_ignore_ascii_case("never") => None,
        Some(text) => Some(parse("periodic_update", text)?),
    };
    Ok(SlaPolicy {
        name: policy.name.trim().to_owned(),
        first_response: target(
            "first_response",
            &policy.first_response,
            fallback.first_response,
        )?,
        periodic_update,
        resolution: target("resolution", &policy.resolution, fallback.resolution)?,
        warning_percent: fallback.warning_percent,
    })
}

/// A status the case entered at an instant (from the `status_changed` events).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    pub at: Timestamp,
    pub status: Status,
}

/// What the SLA clock needs to know about a case.
#[derive(Debug, Clone, Copy)]
pub struct CaseTimeline<'a> {
    pub received_at: Timestamp,
    /// Status changes after receipt, oldest first.
    pub changes: &'a [StatusChange],
    /// The acknowledgement or first reply to the customer.
    pub first_response_at: Option<Timestamp>,
    /// The latest outbound message to the customer (for periodic updates).
    pub last_update_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlaError {
    #[error("status changes must be in time order, none before receipt and none after now")]
    ChangesOutOfOrder,
    #[error("a response time must lie between receipt and now")]
    ResponseOutOfRange,
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    Met,
    Paused,
    OnTrack,
    Warning,
    Breached,
}

/// One target's standing at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TargetStatus {
    pub state: SlaState,
    /// The deadline, if known: while the clock stands still before reaching it, it is unknown.
    pub due: Option<Timestamp>,
    /// When the warning threshold is (or was) reached; none for "at once" targets.
    pub warn_at: Option<Timestamp>,
    /// Business time left (negative once overdue), as of `now` or of the moment the target was met.
    #[serde(rename = "remaining_business_seconds", serialize_with = "as_seconds")]
    pub remaining: SignedDuration,
    pub met_at: Option<Timestamp>,
}

fn as_seconds<S: Serializer>(duration: &SignedDuration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_i64(duration.as_secs())
}

/// The SLA standing of a case, ready to be put on the case JSON (`first_response.due` is the
/// case's `first_response_due`, `resolution.due` its `resolution_due`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SlaStatus {
    /// The worst of the targets: breached > warning > on_track > paused > met.
    pub state: SlaState,
    pub first_response: TargetStatus,
    pub resolution: TargetStatus,
    /// Only while the case is open and after the first response, when the policy has updates.
    pub periodic_update: Option<TargetStatus>,
}

impl SlaStatus {
    /// TL-8: the customer must be told of a delay once the detailed answer is at risk — the
    /// resolution target has reached its warning threshold or passed — and not yet given.
    pub fn needs_delay_notice(&self) -> bool {
        matches!(
            self.resolution.state,
            SlaState::Warning | SlaState::Breached
        ) && self.resolution.met_at.is_none()
    }

    /// The next instant at which the standing changes by the mere passing of time (a warning
    /// or a deadline), for scheduling the sweeper's next look.
    pub fn next_change_after(&self, now: Timestamp) -> Option<Timestamp> {
        [
            Some(self.first_response),
            Some(self.resolution),
            self.periodic_update,
        ]
        .into_iter()
        .flatten()
        .filter(|target| target.met_at.is_none())
        .flat_map(|target| [target.warn_at, target.due])
        .flatten()
        .filter(|&at| at > now)
        .min()
    }
}

fn answered(status: Status) -> bool {
    matches!(
        status,
        Status::ResolutionProposed | Status::Resolved | Status::Closed
    )
}

fn clock_stopped(status: Status) -> bool {
    status == Status::WaitingOnCustomer || answered(status)
}

/// An interval in which the clock stands still; `end` is `None` while it lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pause {
    start: Timestamp,
    end: Option<Timestamp>,
}

/// Evaluates the SLA of a case at `now`.
pub fn evaluate(
    calendar: &BusinessCalendar,
    policy: &SlaPolicy,
    case: &CaseTimeline<'_>,
    now: Timestamp,
) -> Result<SlaStatus, SlaError> {
    validate(case, now)?;
    let pauses = pauses(case.changes);
    let clock = Clock {
        calendar,
        warning_percent: policy.warning_percent,
        pauses: &pauses,
        now,
    };
    let first_response = clock.target(
        case.received_at,
        policy.first_response,
        case.first_response_at,
    )?;
    let answered_at = answered_since(case.changes);
    let resolution = clock.target(case.received_at, policy.resolution, answered_at)?;
    let periodic_update = match (policy.periodic_update, case.first_response_at, answered_at) {
        (Some(every), Some(first), None) => {
            let since = case.last_update_at.map_or(first, |last| last.max(first));
            Some(clock.target(since, every, None)?)
        }
        _ => None,
    };
    let state = [Some(first_response), Some(resolution), periodic_update]
        .into_iter()
        .flatten()
        .map(|target| target.state)
        .max()
        .unwrap_or(SlaState::Met);
    Ok(SlaStatus {
        state,
        first_response,
        resolution,
        periodic_update,
    })
}

fn validate(case: &CaseTimeline<'_>, now: Timestamp) -> Result<(), SlaError> {
    let mut previous = case.received_at;
    for change in case.changes {
        if change.at < previous || change.at > now {
            return Err(SlaError::ChangesOutOfOrder);
        }
        previous = change.at;
    }
    if now < case.received_at {
        return Err(SlaError::ChangesOutOfOrder);
    }
    let in_range = |at: Option<Timestamp>| at.is_none_or(|at| case.received_at <= at && at <= now);
    if !in_range(case.first_response_at) || !in_range(case.last_update_at) {
        return Err(SlaError::ResponseOutOfRange);
    }
    Ok(())
}

fn pauses(changes: &[StatusChange]) -> Vec<Pause> {
    let mut pauses: Vec<Pause> = Vec::new();
    for change in changes {
        let open = pauses.last().is_some_and(|pause| pause.end.is_none());
        match (open, clock_stopped(change.status)) {
            (false, true) => pauses.push(Pause {
                start: change.at,
                end: None,
            }),
            (true, false) => {
                if let Some(pause) = pauses.last_mut() {
                    pause.end = Some(change.at);
                }
            }
            _ => {}
        }
    }
    pauses
}

/// When the current run of answered statuses began, if the case is answered now.
fn answered_since(changes: &[StatusChange]) -> Option<Timestamp> {
    let streak = changes
        .iter()
        .rev()
        .take_while(|change| answered(change.status))
        .last()?;
    Some(streak.at)
}

struct Clock<'a> {
    calendar: &'a BusinessCalendar,
    warning_percent: u8,
    pauses: &'a [Pause],
    now: Timestamp,
}

impl Clock<'_> {
    fn target(
        &self,
        start: Timestamp,
        target: SlaTarget,
        met_at: Option<Timestamp>,
    ) -> Result<TargetStatus, SlaError> {
        let allowance = target.allowance(self.calendar, start)?;
        let warning = allowance * i32::from(self.warning_percent) / 100;
        // Once met, pauses after that moment no longer matter: the deadline is the one that held.
        let pauses: Vec<Pause> = match met_at {
            Some(met) => self
                .pauses
                .iter()
                .filter(|pause| pause.start < met)
                .map(|pause| Pause {
                    start: pause.start,
                    end: Some(pause.end.map_or(met, |end| end.min(met))),
                })
                .collect(),
            None => self.pauses.to_vec(),
        };
        let due = deadline(self.calendar, start, allowance, &pauses)?;
        let warn_at = if allowance.is_zero() {
            None
        } else {
            deadline(self.calendar, start, warning, &pauses)?
        };
        let measured_until = met_at.unwrap_or(self.now);
        let remaining = allowance - consumed(self.calendar, start, measured_until, &pauses);
        let paused_now = pauses.last().is_some_and(|pause| pause.end.is_none());
        let state = match (met_at, due) {
            (Some(met), Some(due)) if met <= due => SlaState::Met,
            (Some(_), None) => SlaState::Met,
            (Some(_), Some(_)) => SlaState::Breached,
            (None, Some(due)) if self.now > due => SlaState::Breached,
            (None, _) if paused_now => SlaState::Paused,
            (None, _) if warn_at.is_some_and(|warn| self.now >= warn) => SlaState::Warning,
            (None, _) => SlaState::OnTrack,
        };
        Ok(TargetStatus {
            state,
            due,
            warn_at,
            remaining,
            met_at,
        })
    }
}

/// Stretches of running clock from `start`: `(from, None)` runs on indefinitely.
fn running(start: Timestamp, pauses: &[Pause]) -> Vec<(Timestamp, Option<Timestamp>)> {
    let mut stretches = Vec::new();
    let mut cursor = start;
    for pause in pauses {
        if pause.end.is_some_and(|end| end <= cursor) {
            continue;
        }
        if pause.start > cursor {
            stretches.push((cursor, Some(pause.start)));
        }
        match pause.end {
            Some(end) => cursor = cursor.max(end),
            None => return stretches,
        }
    }
    stretches.push((cursor, None));
    stretches
}

/// The instant at which the running clock has used `allowance`; `None` if it stands still
/// before that.
fn deadline(
    calendar: &BusinessCalendar,
    start: Timestamp,
    allowance: SignedDuration,
    pauses: &[Pause],
) -> Result<Option<Timestamp>, CalendarError> {
    let mut left = allowance;
    for (from, to) in running(start, pauses) {
        let Some(to) = to else {
            return calendar.add_business_duration(from, left).map(Some);
        };
        let available = calendar.business_duration_between(from, to);
        if available >= left {
            return calendar.add_business_duration(from, left).map(Some);
        }
        left -= available;
    }
    Ok(None)
}

/// Business time the running clock has used between `start` and `until`.
fn consumed(
    calendar: &BusinessCalendar,
    start: Timestamp,
    until: Timestamp,
    pauses: &[Pause],
) -> SignedDuration {
    running(start, pauses)
        .into_iter()
        .filter(|(from, _)| *from < until)
        .map(|(from, to)| {
            calendar.business_duration_between(from, to.map_or(until, |to| to.min(until)))
        })
        .fold(SignedDuration::ZERO, |total, stretch| total + stretch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::tests::{bucharest, local};
    use proptest::prelude::*;

    fn policies(toml_text: &str) -> Result<SlaPolicies, SlaConfigError> {
        SlaPolicies::from_config(&toml::from_str(toml_text).unwrap())
    }

    fn change(cal: &BusinessCalendar, at: &str, status: Status) -> StatusChange {
        StatusChange {
            at: local(cal, at),
            status,
        }
    }

    fn hours(h: i64) -> SignedDuration {
        SignedDuration::from_hours(h)
    }

    fn acknowledged_at_once(received: Timestamp, changes: &[StatusChange]) -> CaseTimeline<'_> {
        CaseTimeline {
            received_at: received,
            changes,
            first_response_at: Some(received),
            last_update_at: None,
        }
    }

    #[test]
    fn targets_parse_from_humane_text() {
        assert_eq!("at once".parse(), Ok(SlaTarget::AT_ONCE));
        assert_eq!("0s".parse(), Ok(SlaTarget::AT_ONCE));
        assert_eq!("4h".parse(), Ok(SlaTarget::BusinessTime(hours(4))));
        assert_eq!(
            "2h 30m".parse(),
            Ok(SlaTarget::BusinessTime(SignedDuration::from_mins(150)))
        );
        assert_eq!("3 business days".parse(), Ok(SlaTarget::BusinessDays(3)));
        assert_eq!("1 Business Day".parse(), Ok(SlaTarget::BusinessDays(1)));
        assert!("-2h".parse::<SlaTarget>().unwrap_err().contains("negative"));
        assert!(
            "3 days"
                .parse::<SlaTarget>()
                .unwrap_err()
                .contains("business days")
        );
        assert!("x business days".parse::<SlaTarget>().is_err());
        for target in ["at once", "4h 30m", "1 business day", "3 business days"] {
            let parsed: SlaTarget = target.parse().unwrap();
            assert_eq!(parsed.to_string().parse::<SlaTarget>(), Ok(parsed));
        }
    }

    #[test]
    fn the_builtin_default_is_tl8() {
        let set = SlaPolicies::from_config(&SlaConfig::default()).unwrap();
        let policy = set.policy_for(Priority::Normal, None, Channel::Email);
        assert_eq!(policy, &SlaPolicy::builtin_default());
        assert_eq!(policy.first_response, SlaTarget::AT_ONCE);
        assert_eq!(policy.resolution, SlaTarget::BusinessDays(3));
        assert_eq!(SlaPolicies::default(), set);
    }

    const LAYERED: &str = r#"
        [[policies]]
        name = "standard"
        periodic_update = "1 business day"
        [[policies]]
        name = "urgent"
        priority = "urgent"
        resolution = "8h"
        [[policies]]
        name = "phone"
        channel = "phone"
        first_response = "15m"
        [[policies]]
        name = "billing"
        category = "Billing"
        resolution = "2 business days"
        [[policies]]
        name = "urgent phone"
        priority = "urgent"
        channel = "phone"
        resolution = "4h"
        [[policies]]
        name = "urgent billing"
        priority = "urgent"
        category = "billing"
        resolution = "6h"
        periodic_update = "never"
    "#;

    #[test]
    fn the_most_specific_policy_wins() {
        let set = policies(LAYERED).unwrap();
        let name =
            |priority, category, channel| set.policy_for(priority, category, channel).name.clone();
        assert_eq!(name(Priority::Low, None, Channel::Email), "standard");
        assert_eq!(name(Priority::Urgent, None, Channel::Email), "urgent");
        assert_eq!(name(Priority::Urgent, None, Channel::Phone), "urgent phone");
        // Same number of fields: category beats priority and channel.
        assert_eq!(
            name(Priority::Normal, Some(" billing "), Channel::Phone),
            "billing"
        );
        assert_eq!(
            name(Priority::Urgent, Some("BILLING"), Channel::Phone),
            "urgent billing"
        );
        assert_eq!(
            name(Priority::Normal, Some("delivery"), Channel::Phone),
            "phone"
        );
    }

    #[test]
    fn left_out_targets_come_from_the_default_policy() {
        let set = policies(LAYERED).unwrap();
        let urgent = set.policy_for(Priority::Urgent, None, Channel::Web);
        assert_eq!(urgent.resolution, SlaTarget::BusinessTime(hours(8)));
        assert_eq!(urgent.first_response, SlaTarget::AT_ONCE);
        assert_eq!(urgent.periodic_update, Some(SlaTarget::BusinessDays(1)));
        let billing = set.policy_for(Priority::Urgent, Some("billing"), Channel::Web);
        assert_eq!(billing.periodic_update, None);
    }

    #[test]
    fn bad_policies_are_refused_naming_policy_and_field() {
        let err = policies("[[policies]]\nname = \"fast\"\nresolution = \"-4h\"").unwrap_err();
        assert_eq!(
            err.to_string(),
            "sla policy \"fast\": resolution = \"-4h\": a target cannot be negative"
        );
        let err = policies(
            "[[policies]]\nname = \"a\"\npriority = \"high\"\n[[policies]]\nname = \"b\"\npriority = \"high\"",
        )
        .unwrap_err();
        assert_eq!(
            err,
            SlaConfigError::SameSelector {
                first: "a".into(),
                second: "b".into()
            }
        );
        let err = policies("[[policies]]\nname = \"a\"\n[[policies]]\nname = \"b\"").unwrap_err();
        assert!(matches!(err, SlaConfigError::SameSelector { .. }));
        let err = policies("warning_percent = 100").unwrap_err();
        assert_eq!(err, SlaConfigError::WarningPercent(100));
        let strict =
            policies("warning_percent = 50\n[[policies]]\nname = \"x\"\nchannel = \"web\"")
                .unwrap();
        assert_eq!(
            strict
                .policy_for(Priority::Low, None, Channel::Web)
                .warning_percent,
            50
        );
        assert_eq!(
            strict
                .policy_for(Priority::Low, None, Channel::Chat)
                .warning_percent,
            50
        );
        let err = policies("[[policies]]\nname = \" \"").unwrap_err();
        assert_eq!(err, SlaConfigError::EmptyName { index: 0 });
        let err = policies("[[policies]]\nname = \"x\"\ncategory = \"\"").unwrap_err();
        assert!(matches!(err, SlaConfigError::BlankCategory { .. }));
        let unknown: Result<SlaConfig, _> =
            toml::from_str("[[policies]]\nname = \"x\"\npriority = \"asap\"");
        assert!(unknown.is_err());
    }

    fn evaluate_default(cal: &BusinessCalendar, case: &CaseTimeline<'_>, now: &str) -> SlaStatus {
        evaluate(cal, &SlaPolicy::builtin_default(), case, local(cal, now)).unwrap()
    }

    #[test]
    fn tl8_case_is_due_at_closing_time_on_the_third_working_day() {
        let cal = bucharest();
        let received = local(&cal, "2026-11-23T10:00"); // Monday
        let changes = [change(&cal, "2026-11-23T10:00", Status::Acknowledged)];
        let case = acknowledged_at_once(received, &changes);
        let status = evaluate_default(&cal, &case, "2026-11-24T10:00");
        assert_eq!(status.first_response.state, SlaState::Met);
        assert_eq!(status.first_response.due, Some(received));
        assert_eq!(status.resolution.due, Some(local(&cal, "2026-11-26T17:00")));
        assert_eq!(status.resolution.state, SlaState::OnTrack);
        // Mon 10–17 (6h) + Tue 9–17 (7h) + Wed + Thu = 27h allowed; 7h used by Tuesday 10:00.
        assert_eq!(status.resolution.remaining, hours(20));
        assert_eq!(status.state, SlaState::OnTrack);
        // 75 % of 27h = 20h15m, reached on Thursday at 09:15.
        assert_eq!(
            status.resolution.warn_at,
            Some(local(&cal, "2026-11-26T09:15"))
        );
        assert!(!status.needs_delay_notice());
        let status = evaluate_default(&cal, &case, "2026-11-26T11:00");
        assert_eq!(status.resolution.state, SlaState::Warning);
        assert!(status.needs_delay_notice());
        let status = evaluate_default(&cal, &case, "2026-11-27T09:30");
        assert_eq!(status.resolution.state, SlaState::Breached);
        assert_eq!(status.resolution.remaining, SignedDuration::from_mins(-30));
        assert_eq!(status.state, SlaState::Breached);
    }

    #[test]
    fn waiting_on_the_customer_pauses_and_the_deadline_moves() {
        let cal = bucharest();
        let received = local(&cal, "2026-11-23T10:00");
        let changes = vec![
            change(&cal, "2026-11-23T10:00", Status::Acknowledged),
            change(&cal, "2026-11-23T11:00", Status::Investigating),
            change(&cal, "2026-11-24T09:00", Status::WaitingOnCustomer),
        ];
        let case = acknowledged_at_once(received, &changes);
        let status = evaluate_default(&cal, &case, "2026-11-27T12:00");
        assert_eq!(status.resolution.state, SlaState::Paused);
        assert_eq!(status.resolution.due, None);
        // Monday 10:00–17:00 used = 6h of 27h.
        assert_eq!(status.resolution.remaining, hours(21));
        assert_eq!(status.state, SlaState::Paused);
        // The customer answers on Friday at 12:00: 21h left from there.
        let mut resumed = changes.clone();
        resumed.push(change(&cal, "2026-11-27T12:00", Status::Investigating));
        let case = CaseTimeline {
            changes: &resumed,
            ..case
        };
        let status = evaluate_default(&cal, &case, "2026-11-27T12:00");
        assert_eq!(status.resolution.state, SlaState::OnTrack);
        // Fri 12–15 (3h) + Mon (7h) + Tue (7h) + Wed 09:00–13:00 (4h) = 21h.
        assert_eq!(status.resolution.due, Some(local(&cal, "2026-12-02T13:00")));
    }

    #[test]
    fn proposing_a_resolution_meets_the_target_and_a_rejection_resumes_it() {
        let cal = bucharest();
        let received = local(&cal, "2026-11-23T10:00");
        let changes = vec![
            change(&cal, "2026-11-23T10:00", Status::Acknowledged),
            change(&cal, "2026-11-23T11:00", Status::Investigating),
            change(&cal, "2026-11-25T10:00", Status::ResolutionProposed),
        ];
        let case = acknowledged_at_once(received, &changes);
        let status = evaluate_default(&cal, &case, "2026-12-10T10:00");
        assert_eq!(status.resolution.state, SlaState::Met);
        assert_eq!(
            status.resolution.met_at,
            Some(local(&cal, "2026-11-25T10:00"))
        );
        assert_eq!(status.resolution.due, Some(local(&cal, "2026-11-26T17:00")));
        assert_eq!(status.state, SlaState::Met);
        assert_eq!(
            status.next_change_after(local(&cal, "2026-12-10T10:00")),
            None
        );
        // The customer rejects it on Wednesday at 12:00; two hours of pause are added.
        let mut rejected = changes.clone();
        rejected.push(change(&cal, "2026-11-25T12:00", Status::Investigating));
        let case = CaseTimeline {
            changes: &rejected,
            ..case
        };
        let status = evaluate_default(&cal, &case, "2026-11-25T12:00");
        assert_eq!(status.resolution.met_at, None);
        assert_eq!(status.resolution.due, Some(local(&cal, "2026-11-27T11:00")));
    }

    #[test]
    fn a_late_answer_stays_breached() {
        let cal = bucharest();
        let received = local(&cal, "2026-11-23T10:00");
        let changes = [
            change(&cal, "2026-11-23T10:00", Status::Acknowledged),
            change(&cal, "2026-11-23T10:05", Status::Investigating),
            change(&cal, "2026-11-30T10:00", Status::ResolutionProposed),
            change(&cal, "2026-11-30T11:00", Status::Resolved),
        ];
        let case = acknowledged_at_once(received, &changes);
        let status = evaluate_default(&cal, &case, "2026-12-01T10:00");
        assert_eq!(status.resolution.state, SlaState::Breached);
        // Answered, if late: no delay notice any more.
        assert!(!status.needs_delay_notice());
        assert_eq!(
            status.resolution.met_at,
            Some(local(&cal, "2026-11-30T10:00"))
        );
        // Fri 09–15 (6h) + Mon 09–10 (1h) late.
        assert_eq!(status.resolution.remaining, hours(-7));
    }

    #[test]
    fn a_slow_acknowledgement_breaches_the_at_once_target() {
        let cal = bucharest();
        let received = local(&cal, "2026-11-23T10:00");
        let case = CaseTimeline {
            received_at: received,
            changes: &[],
            first_response_at: None,
            last_update_at: None,
        };
        let status = evaluate_default(&cal, &case, "2026-11-23T10:00");
        assert_eq!(status.first_response.state, SlaState::OnTrack);
        assert_eq!(status.first_response.warn_at, None);
        let status = evaluate_default(&cal, &case, "2026-11-23T10:01");
        assert_eq!(status.first_response.state, SlaState::Breached);
    }

    #[test]
    fn periodic_updates_count_from_the_latest_update() {
        let cal = bucharest();
        let set = policies(LAYERED).unwrap();
        let policy = set.policy_for(Priority::Normal, None, Channel::Email);
        let received = local(&cal, "2026-11-23T10:00");
        let changes = [
            change(&cal, "2026-11-23T10:00", Status::Acknowledged),
            change(&cal, "2026-11-23T10:05", Status::Investigating),
        ];
        let case = CaseTimeline {
            received_at: received,
            changes: &changes,
            first_response_at: Some(received),
            last_update_at: Some(local(&cal, "2026-11-24T16:00")),
        };
        let status = evaluate(&cal, policy, &case, local(&cal, "2026-11-24T16:30")).unwrap();
        let update = status.periodic_update.unwrap();
        assert_eq!(update.due, Some(local(&cal, "2026-11-25T17:00")));
        assert_eq!(update.state, SlaState::OnTrack);
        assert_eq!(
            status.next_change_after(local(&cal, "2026-11-24T16:30")),
            update.warn_at
        );
    }

    #[test]
    fn inconsistent_timelines_are_refused() {
        let cal = bucharest();
        let received = local(&cal, "2026-11-23T10:00");
        let changes = [
            change(&cal, "2026-11-23T12:00", Status::Acknowledged),
            change(&cal, "2026-11-23T11:00", Status::Investigating),
        ];
        let case = CaseTimeline {
            received_at: received,
            changes: &changes,
            first_response_at: None,
            last_update_at: None,
        };
        let policy = SlaPolicy::builtin_default();
        let now = local(&cal, "2026-11-24T10:00");
        assert_eq!(
            evaluate(&cal, &policy, &case, now),
            Err(SlaError::ChangesOutOfOrder)
        );
        let case = CaseTimeline {
            changes: &[],
            first_response_at: Some(local(&cal, "2026-11-22T10:00")),
            ..case
        };
        assert_eq!(
            evaluate(&cal, &policy, &case, now),
            Err(SlaError::ResponseOutOfRange)
        );
    }

    #[test]
    fn status_serialises_with_rfc3339_deadlines() {
        let cal = bucharest();
        let received = local(&cal, "2026-11-23T10:00");
        let case = acknowledged_at_once(received, &[]);
        let json = serde_json::to_value(evaluate_default(&cal, &case, "2026-11-23T11:00")).unwrap();
        assert_eq!(json["state"], "on_track");
        assert_eq!(json["resolution"]["due"], "2026-11-26T15:00:00Z");
        assert_eq!(json["resolution"]["remaining_business_seconds"], 26 * 3600);
        assert_eq!(json["first_response"]["state"], "met");
    }

    /// A random timeline: alternating working and waiting stretches after receipt.
    fn timeline() -> impl Strategy<Value = (i64, Vec<(i64, bool)>)> {
        (
            1_767_225_600i64..1_798_761_600, // during 2026
            proptest::collection::vec((60i64..4 * 86_400, any::<bool>()), 0..8),
        )
    }

    fn build(received: i64, steps: &[(i64, bool)]) -> (Timestamp, Vec<StatusChange>, Timestamp) {
        let mut at = received;
        let mut changes = Vec::new();
        for &(gap, waiting) in steps {
            at += gap;
            changes.push(StatusChange {
                at: Timestamp::from_second(at).unwrap(),
                status: if waiting {
                    Status::WaitingOnCustomer
                } else {
                    Status::Investigating
                },
            });
        }
        (
            Timestamp::from_second(received).unwrap(),
            changes,
            Timestamp::from_second(at + 3600).unwrap(),
        )
    }

    proptest! {
        #[test]
        fn pausing_never_makes_a_deadline_earlier(
            (received, steps) in timeline(), slot in any::<prop::sample::Index>(),
            from in 0u32..=1000, to in 0u32..=1000
        ) {
            let cal = bucharest();
            let policy = SlaPolicy::builtin_default();
            let (received_at, changes, now) = build(received, &steps);
            let case = CaseTimeline { received_at, changes: &changes, first_response_at: None, last_update_at: None };
            let base = evaluate(&cal, &policy, &case, now).unwrap();
            // An extra waiting interval strictly between two consecutive changes.
            let bounds: Vec<Timestamp> = std::iter::once(received_at)
                .chain(changes.iter().map(|c| c.at))
                .chain(std::iter::once(now))
                .collect();
            let k = slot.index(bounds.len() - 1);
            let span = bounds[k + 1].duration_since(bounds[k]);
            let start = bounds[k] + span * i32::try_from(from.min(to)).unwrap() / 1000;
            let end = bounds[k] + span * i32::try_from(from.max(to)).unwrap() / 1000;
            let resume = if k == 0 { Status::Received } else { changes[k - 1].status };
            let mut paused = changes.clone();
            paused.insert(k, StatusChange { at: end, status: resume });
            paused.insert(k, StatusChange { at: start, status: Status::WaitingOnCustomer });
            let case = CaseTimeline { changes: &paused, ..case };
            let with_pause = evaluate(&cal, &policy, &case, now).unwrap();
            match (base.resolution.due, with_pause.resolution.due) {
                (Some(before), Some(after)) => prop_assert!(after >= before),
                (None, Some(_)) => prop_assert!(false, "a pause revealed a deadline"),
                _ => {}
            }
            prop_assert!(with_pause.resolution.remaining >= base.resolution.remaining);
        }

        #[test]
        fn without_pauses_the_deadline_is_the_calendar_sum_and_remaining_adds_up(
            received in 1_767_225_600i64..1_798_761_600, elapsed in 0i64..10 * 86_400, target_mins in 0i64..6_000
        ) {
            let cal = bucharest();
            let allowance = SignedDuration::from_mins(target_mins);
            let policy = SlaPolicy { resolution: SlaTarget::BusinessTime(allowance), ..SlaPolicy::builtin_default() };
            let received_at = Timestamp::from_second(received).unwrap();
            let now = Timestamp::from_second(received + elapsed).unwrap();
            let case = acknowledged_at_once(received_at, &[]);
            let status = evaluate(&cal, &policy, &case, now).unwrap();
            let due = cal.add_business_duration(received_at, allowance).unwrap();
            prop_assert_eq!(status.resolution.due, Some(due));
            prop_assert_eq!(status.resolution.remaining + cal.business_duration_between(received_at, now), allowance);
            prop_assert_eq!(status.resolution.state == SlaState::Breached, now > due);
        }

        #[test]
        fn the_state_only_worsens_as_time_passes_without_pauses(
            received in 1_767_225_600i64..1_798_761_600, a in 0i64..6 * 86_400, b in 0i64..6 * 86_400
        ) {
            let cal = bucharest();
            let policy = SlaPolicy::builtin_default();
            let received_at = Timestamp::from_second(received).unwrap();
            let case = acknowledged_at_once(received_at, &[]);
            let at = |offset: i64| Timestamp::from_second(received + offset).unwrap();
            let earlier = evaluate(&cal, &policy, &case, at(a.min(b))).unwrap();
            let later = evaluate(&cal, &policy, &case, at(a.max(b))).unwrap();
            prop_assert!(earlier.resolution.state <= later.resolution.state);
            prop_assert_eq!(earlier.resolution.due, later.resolution.due);
        }
    }
}
