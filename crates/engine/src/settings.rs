//! The engine's configuration: what a deployment writes (`EngineSettings`, every field defaulted
//! to the seeds) and the validated form the engine runs on (`EngineConfig`). Impossible policies
//! are refused here, at start-up, with a message naming the field — never later, inside a job.

use std::sync::Arc;

use coach::Coach;
use domain::calendar::{BusinessCalendar, CalendarConfig};
use domain::notices::Catalog;
use domain::report_math::WordOfMouthConfig;
use domain::sla::{SlaConfig, SlaPolicies, SlaPolicyConfig, SlaTarget};
use domain::{Channel, Priority};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

/// TL-8: whether a delay notice goes to the customer at once, or waits for an agent to send it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DelayNotices {
    #[default]
    Automatic,
    Approval,
}

/// TL-10: whom to call when someone's safety is at risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SafetySettings {
    /// Security contacts (an e-mail address or phone number each); each gets a notification, and
    /// the safety procedure tells staff to call them.
    pub contacts: Vec<String>,
    /// The emergency number the procedure names (112 in the EU; 911 in the Philippines; 110 for
    /// the police in China).
    pub emergency_number: String,
}

impl Default for SafetySettings {
    fn default() -> Self {
        SafetySettings {
            contacts: Vec::new(),
            emergency_number: "112".to_owned(),
        }
    }
}

/// Routing limits (TL-7) that the agent records do not carry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingSettings {
    /// No agent is given more open cases than this; none: no limit.
    pub max_open_cases: Option<u32>,
    /// Agents trained to take cases where someone's safety is at risk (TL-10), by id.
    pub safety_trained: Vec<i64>,
}

/// The `[engine]` section of the configuration file. Every field has a default taken from the
/// seeds; see docs/PROCESS.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineSettings {
    /// Business hours (TL-8 counts business time): Monday–Friday 09:00–17:00 UTC by default.
    pub calendar: CalendarConfig,
    /// SLA policies: by default, acknowledge at once and answer within 3 business days (TL-8).
    pub sla: SlaConfig,
    /// CLEAR-R4: ask whether the customer is satisfied this many days after resolution.
    pub follow_up_days: u32,
    /// TL-8: send delay notices automatically or after an agent approves them.
    pub delay_notices: DelayNotices,
    /// TL-8: a delay notice promises an answer this many business days after the missed deadline.
    pub delay_extension_days: u32,
    pub safety: SafetySettings,
    /// CLEAR-C: remind the agent this long before a promise falls due (at most half of the
    /// promise's own span, so "within 10 minutes" is reminded 5 minutes before).
    pub reminder_before_minutes: u32,
    /// TL-1: people told per unhappy and per satisfied customer.
    pub word_of_mouth: WordOfMouthConfig,
    /// The address customers reach Calmdesk at; feedback links start with it.
    pub public_base_url: String,
    /// The language of staff notifications and notes when no agent's language is known.
    pub staff_language: String,
    pub routing: RoutingSettings,
    /// How long a claimed job stays with its worker before another may take it over.
    pub lease_seconds: u32,
    /// The runner looks for due jobs at least this often (≤ 1000: a due job runs within about a
    /// second).
    pub poll_interval_ms: u32,
    /// A job that fails this many times is kept as failed for an operator.
    pub max_attempts: u32,
    /// Finished job runs are kept this many days for operators (`/api/v1/admin/job-runs`), then
    /// deleted by the runner (at most once an hour). Signed, so that a negative value is
    /// refused with this setting's name rather than as a type error.
    pub job_runs_retention_days: i64,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            calendar: CalendarConfig::default(),
            sla: SlaConfig::default(),
            follow_up_days: 3,
            delay_notices: DelayNotices::Automatic,
            delay_extension_days: 2,
            safety: SafetySettings::default(),
            reminder_before_minutes: 5,
            word_of_mouth: WordOfMouthConfig::default(),
            public_base_url: "http://127.0.0.1:8080".to_owned(),
            staff_language: "en".to_owned(),
            routing: RoutingSettings::default(),
            lease_seconds: 60,
            poll_interval_ms: 1000,
            max_attempts: 5,
            job_runs_retention_days: 30,
        }
    }
}

/// A policy the engine cannot run with; the message names the setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineConfigError {
    #[error("engine.calendar: {0}")]
    Calendar(#[from] domain::calendar::CalendarError),
    #[error("engine.sla: {0}")]
    Sla(#[from] domain::sla::SlaConfigError),
    #[error("engine.{0}")]
    WordOfMouth(#[from] domain::report_math::ReportError),
    #[error("engine.{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("the coach's rule packs do not load: {0}")]
    Coach(String),
}

fn invalid(field: &'static str, reason: impl Into<String>) -> EngineConfigError {
    EngineConfigError::Invalid {
        field,
        reason: reason.into(),
    }
}

/// The validated configuration the engine runs on.
pub struct EngineConfig {
    pub(crate) settings: EngineSettings,
    pub(crate) calendar: BusinessCalendar,
    pub(crate) policies: SlaPolicies,
    pub(crate) catalog: &'static Catalog,
    pub(crate) coach: Arc<Coach>,
    pub(crate) base_url: String,
}

impl std::fmt::Debug for EngineConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineConfig")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl EngineConfig {
    pub fn from_settings(settings: &EngineSettings) -> Result<Self, EngineConfigError> {
        let calendar = BusinessCalendar::from_config(&settings.calendar)?;
        let policies = SlaPolicies::from_config(&settings.sla)?;
        settings.word_of_mouth.validate()?;
        if !(1..=365).contains(&settings.follow_up_days) {
            return Err(invalid(
                "follow_up_days",
                format!("must be 1 to 365 days (got {})", settings.follow_up_days),
            ));
        }
        if !(1..=60).contains(&settings.delay_extension_days) {
            return Err(invalid(
                "delay_extension_days",
                format!(
                    "must be 1 to 60 business days (got {})",
                    settings.delay_extension_days
                ),
            ));
        }
        if settings.reminder_before_minutes > 7 * 24 * 60 {
            return Err(invalid(
                "reminder_before_minutes",
                "must be at most a week (10080 minutes)",
            ));
        }
        if settings.safety.emergency_number.trim().is_empty() {
            return Err(invalid(
                "safety.emergency_number",
                "must not be empty: the safety procedure tells staff to call it",
            ));
        }
        if let Some(blank) = settings
            .safety
            .contacts
            .iter()
            .position(|c| c.trim().is_empty())
        {
            return Err(invalid(
                "safety.contacts",
                format!("contact #{} is empty", blank + 1),
            ));
        }
        let base_url = settings.public_base_url.trim().trim_end_matches('/');
        let host = base_url
            .strip_prefix("https://")
            .or_else(|| base_url.strip_prefix("http://"));
        if host.is_none_or(|host| host.is_empty() || host.contains(char::is_whitespace)) {
            return Err(invalid(
                "public_base_url",
                format!(
                    "{:?} is not an http(s) address such as \"https://help.example.com\"",
                    settings.public_base_url
                ),
            ));
        }
        if !domain::LANGUAGES.contains(&settings.staff_language.as_str()) {
            return Err(invalid(
                "staff_language",
                format!(
                    "{:?} is not one of {}",
                    settings.staff_language,
                    domain::LANGUAGES.join(", ")
                ),
            ));
        }
        if settings.routing.max_open_cases == Some(0) {
            return Err(invalid(
                "routing.max_open_cases",
                "must be at least 1 (leave it out for no limit)",
            ));
        }
        if !(5..=3600).contains(&settings.lease_seconds) {
            return Err(invalid(
                "lease_seconds",
                format!("must be 5 to 3600 seconds (got {})", settings.lease_seconds),
            ));
        }
        if !(1..=1000).contains(&settings.poll_interval_ms) {
            return Err(invalid(
                "poll_interval_ms",
                format!(
                    "must be 1 to 1000 ms, so a due job runs within a second (got {})",
                    settings.poll_interval_ms
                ),
            ));
        }
        if !(1..=100).contains(&settings.max_attempts) {
            return Err(invalid(
                "max_attempts",
                format!("must be 1 to 100 (got {})", settings.max_attempts),
            ));
        }
        if !(1..=3650).contains(&settings.job_runs_retention_days) {
            return Err(invalid(
                "job_runs_retention_days",
                format!(
                    "must be 1 to 3650 days (got {}): finished job runs older than this are deleted",
                    settings.job_runs_retention_days
                ),
            ));
        }
        check_targets_agree(settings, &calendar, &policies)?;
        let coach = Coach::builtin().map_err(|err| EngineConfigError::Coach(err.to_string()))?;
        Ok(EngineConfig {
            settings: settings.clone(),
            calendar,
            policies,
            catalog: Catalog::builtin(),
            coach: Arc::new(coach),
            base_url: base_url.to_owned(),
        })
    }

    pub fn settings(&self) -> &EngineSettings {
        &self.settings
    }

    pub fn calendar(&self) -> &BusinessCalendar {
        &self.calendar
    }

    pub(crate) fn lease(&self) -> SignedDuration {
        SignedDuration::from_secs(i64::from(self.settings.lease_seconds))
    }

    /// How long finished job runs are kept.
    pub(crate) fn job_runs_retention(&self) -> SignedDuration {
        SignedDuration::from_hours(24 * self.settings.job_runs_retention_days)
    }

    pub(crate) fn poll_interval(&self) -> std::time::Duration {
        std::time::Duration::from_millis(u64::from(self.settings.poll_interval_ms))
    }
}

/// A policy whose first response may come after its resolution contradicts itself: the answer
/// cannot precede the acknowledgement. Targets are compared as the business time they allow
/// from the start of a working week.
fn check_targets_agree(
    settings: &EngineSettings,
    calendar: &BusinessCalendar,
    policies: &SlaPolicies,
) -> Result<(), EngineConfigError> {
    // Monday 5 January 2026, midnight in the calendar's zone: any fixed week will do.
    let start = calendar
        .time_zone()
        .to_ambiguous_timestamp(
            jiff::civil::date(2026, 1, 5).to_datetime(jiff::civil::Time::midnight()),
        )
        .compatible()
        .map_err(|err| invalid("calendar", err.to_string()))?;
    let allowed = |target: SlaTarget| -> Result<SignedDuration, EngineConfigError> {
        Ok(match target {
            SlaTarget::BusinessTime(duration) => duration,
            SlaTarget::BusinessDays(days) => {
                let close = calendar.close_of_business_day(start, days)?;
                calendar.business_duration_between(calendar.next_business_moment(start)?, close)
            }
        })
    };
    let default_selector = SlaPolicyConfig::default();
    let selectors = settings
        .sla
        .policies
        .iter()
        .chain(std::iter::once(&default_selector));
    for selector in selectors {
        let policy = policies.policy_for(
            selector.priority.unwrap_or(Priority::Normal),
            selector.category.as_deref(),
            selector.channel.unwrap_or(Channel::Web),
        );
        if allowed(policy.first_response)? > allowed(policy.resolution)? {
            return Err(invalid(
                "sla",
                format!(
                    "sla policy {:?}: first_response ({}) allows more time than resolution ({}); \
                     the answer cannot come before the acknowledgement",
                    policy.name, policy.first_response, policy.resolution
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<EngineConfig, String> {
        let settings: EngineSettings = toml::from_str(text).map_err(|e| e.to_string())?;
        EngineConfig::from_settings(&settings).map_err(|e| e.to_string())
    }

    #[test]
    fn an_empty_section_gives_the_seed_defaults() {
        let config = parse("").unwrap();
        let settings = config.settings();
        assert_eq!(settings.follow_up_days, 3);
        assert_eq!(settings.delay_notices, DelayNotices::Automatic);
        assert_eq!(settings.word_of_mouth.unhappy.low, 10);
        assert_eq!(settings.word_of_mouth.satisfied.high, 4);
        assert_eq!(settings.calendar.time_zone, "UTC");
        assert_eq!(settings.job_runs_retention_days, 30);
        assert_eq!(config.job_runs_retention(), SignedDuration::from_hours(720));
        assert!(config.poll_interval() <= std::time::Duration::from_secs(1));
        let policy =
            config
                .policies
                .policy_for(domain::Priority::Normal, None, domain::Channel::Phone);
        assert_eq!(
            policy.resolution,
            domain::sla::SlaTarget::THREE_BUSINESS_DAYS
        );
    }

    #[test]
    fn settings_are_read_from_toml() {
        let config = parse(
            r#"
            follow_up_days = 5
            delay_notices = "approval"
            public_base_url = "https://help.example.com/"
            [calendar]
            time_zone = "Europe/Bucharest"
            [calendar.hours]
            monday = ["09:00-13:00", "14:00-18:00"]
            [safety]
            contacts = ["security@example.com"]
            emergency_number = "112"
            [word_of_mouth]
            unhappy = { low = 9, high = 10 }
            satisfied = { low = 4, high = 5 }
            "#,
        )
        .unwrap();
        assert_eq!(config.settings().delay_notices, DelayNotices::Approval);
        assert_eq!(config.base_url, "https://help.example.com");
        assert_eq!(config.settings().word_of_mouth.unhappy.low, 9);
    }

    #[test]
    fn impossible_policies_are_refused_naming_the_field() {
        let cases = [
            (
                "[calendar]\ntime_zone = \"Mars/Olympus\"",
                "engine.calendar: unknown time zone \"Mars/Olympus\"",
            ),
            (
                "[calendar]\ntime_zone = \"UTC\"\n[calendar.hours]\nmonday = [\"09:00-12:00\", \"11:00-13:00\"]",
                "engine.calendar: hours.monday: periods",
            ),
            (
                "[sla]\n[[sla.policies]]\nname = \"x\"\nresolution = \"-2h\"",
                "engine.sla: sla policy \"x\": resolution",
            ),
            (
                "[word_of_mouth]\nunhappy = { low = 12, high = 10 }\nsatisfied = { low = 3, high = 4 }",
                "engine.word_of_mouth.unhappy",
            ),
            (
                "[sla]\n[[sla.policies]]\nname = \"phone\"\nchannel = \"phone\"\nfirst_response = \"2 business days\"\nresolution = \"4h\"",
                "engine.sla: sla policy \"phone\": first_response (2 business days) allows more time than resolution (4h)",
            ),
            ("follow_up_days = 0", "engine.follow_up_days"),
            ("poll_interval_ms = 5000", "engine.poll_interval_ms"),
            ("public_base_url = \"ftp://x\"", "engine.public_base_url"),
            ("staff_language = \"fr\"", "engine.staff_language"),
            (
                "[safety]\nemergency_number = \" \"",
                "engine.safety.emergency_number",
            ),
            ("lease_seconds = 1", "engine.lease_seconds"),
            (
                "job_runs_retention_days = -3",
                "engine.job_runs_retention_days: must be 1 to 3650 days (got -3)",
            ),
            (
                "job_runs_retention_days = 0",
                "engine.job_runs_retention_days",
            ),
            (
                "[routing]\nmax_open_cases = 0",
                "engine.routing.max_open_cases",
            ),
        ];
        for (text, expected) in cases {
            let err = parse(text)
                .err()
                .unwrap_or_else(|| panic!("{text} was accepted"));
            assert!(err.starts_with(expected), "{text}: {err}");
        }
        let err = parse("follow_up = 3").err().unwrap();
        assert!(err.contains("unknown field `follow_up`"), "{err}");
    }
}
