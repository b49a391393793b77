//! The root-cause report (CLEAR-R2/R3): cases by cause with their trend, repeat customers,
//! response and resolution times, SLA compliance, promises kept, CSAT, revenue at risk (EL-6)
//! and word-of-mouth reach (TL-1). Every figure is defined once in `domain::report_math`; this
//! module gathers the facts and labels the result.

use std::collections::{BTreeMap, BTreeSet};

use coach::{AnalyzeInput, Level};
use domain::process::{
    ActionStatus, CaseFacts, CommitmentStatus, FeedbackPurpose, PreventiveAction,
};
pub use domain::report_math::ReportError;
use domain::report_math::{
    self, CsatSummary, CustomerStanding, DurationSummary, Ratio, RevenueAtRisk, Sentiment,
    WordOfMouthReach,
};
use domain::sla::StatusChange;
use domain::{CustomerId, Status, Timestamp};
use serde::Serialize;

use crate::{Engine, EngineError, case_view};

/// Cases with one root cause, this period and the one before it (of the same length).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CauseCount {
    /// None: no cause recorded yet.
    pub cause: Option<String>,
    pub cases: u64,
    pub previous_cases: u64,
    /// Preventive actions against this cause that are still open (CLEAR-R3).
    pub open_actions: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepeatCustomer {
    pub customer_id: CustomerId,
    pub name: String,
    pub cases: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaCompliance {
    pub first_response: Ratio,
    pub resolution: Ratio,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub since: Timestamp,
    pub until: Timestamp,
    /// Start of the previous period of the same length, the trend's baseline.
    pub previous_since: Timestamp,
    /// Cases created in the period.
    pub cases: u64,
    pub previous_cases: u64,
    pub by_cause: Vec<CauseCount>,
    pub repeat_customers: Vec<RepeatCustomer>,
    pub time_to_first_response: Option<DurationSummary>,
    pub time_to_resolution: Option<DurationSummary>,
    pub sla_compliance: SlaCompliance,
    /// CLEAR-C: promises kept on time among those decided.
    pub promises_kept: Ratio,
    pub csat: CsatSummary,
    /// Open cases whose customer wrote angrily (coach: angry or furious).
    pub open_angry_cases: u64,
    pub revenue_at_risk: RevenueAtRisk,
    pub word_of_mouth: WordOfMouthReach,
    pub preventive_actions: Vec<PreventiveAction>,
}

pub(crate) async fn build(engine: &Engine, since: Timestamp) -> Result<Report, EngineError> {
    let store = engine.store();
    let until = engine.now().max(since);
    let previous_since = since - until.duration_since(since);
    let facts = store.case_facts(previous_since).await?;
    let actions = store.list_actions().await?;
    let config = engine.config();
    let in_period = |f: &&CaseFacts| f.case.created_at >= since;
    let in_previous =
        |f: &&CaseFacts| f.case.created_at >= previous_since && f.case.created_at < since;

    let mut causes: BTreeMap<Option<String>, CauseCount> = BTreeMap::new();
    for fact in facts.iter().filter(in_period) {
        let key = fact.case.cause.as_ref().map(|c| c.trim().to_lowercase());
        cause_entry(&mut causes, key).cases += 1;
    }
    for fact in facts.iter().filter(in_previous) {
        let key = fact.case.cause.as_ref().map(|c| c.trim().to_lowercase());
        cause_entry(&mut causes, key).previous_cases += 1;
    }
    for action in actions.iter().filter(|a| a.status == ActionStatus::Open) {
        cause_entry(&mut causes, Some(action.cause.trim().to_lowercase())).open_actions += 1;
    }
    let mut by_cause: Vec<CauseCount> = causes.into_values().collect();
    by_cause.sort_by(|a, b| b.cases.cmp(&a.cases).then(a.cause.cmp(&b.cause)));

    let current: Vec<&CaseFacts> = facts.iter().filter(in_period).collect();
    let mut per_customer: BTreeMap<CustomerId, (String, u64)> = BTreeMap::new();
    for fact in &current {
        let slot = per_customer
            .entry(fact.customer.id)
            .or_insert_with(|| (fact.customer.name.clone(), 0));
        slot.1 += 1;
    }
    let repeat_customers = per_customer
        .into_iter()
        .filter(|(_, (_, cases))| *cases > 1)
        .map(|(customer_id, (name, cases))| RepeatCustomer {
            customer_id,
            name,
            cases,
        })
        .collect();

    let first_response: Vec<_> = current
        .iter()
        .filter_map(|f| Some(f.first_outbound_at?.duration_since(f.case.created_at)))
        .collect();
    let resolution: Vec<_> = current
        .iter()
        .filter_map(|f| {
            let resolved = f
                .status_changes
                .iter()
                .find(|(_, status)| *status == Status::Resolved)?
                .0;
            Some(resolved.duration_since(f.case.created_at))
        })
        .collect();

    let mut first_states = Vec::new();
    let mut resolution_states = Vec::new();
    for fact in &current {
        let changes: Vec<StatusChange> = fact
            .status_changes
            .iter()
            .map(|&(at, status)| StatusChange { at, status })
            .collect();
        let sla = case_view::evaluate(
            config,
            &fact.case,
            &changes,
            fact.first_outbound_at,
            fact.last_outbound_at,
            until,
        )?;
        first_states.push(sla.first_response.state);
        resolution_states.push(sla.resolution.state);
    }

    let promises_kept = report_math::promises_kept(
        current
            .iter()
            .flat_map(|f| &f.commitments)
            .filter(|c| c.status != CommitmentStatus::Cancelled)
            .map(|c| report_math::promise_outcome(c.due_at, c.fulfilled_at, until)),
    );
    let scores: Vec<u8> = current
        .iter()
        .flat_map(|f| &f.feedback)
        .filter(|f| f.purpose == FeedbackPurpose::Satisfaction)
        .filter_map(|f| f.score)
        .collect();
    let csat = report_math::csat(&scores)?;

    // EL-6 and TL-1 look at customers: their latest satisfaction answer, and whether they have
    // an open case written in anger. A customer whose latest answer was 1–2 and who has no open
    // case left is counted as lost.
    let mut latest_score: BTreeMap<CustomerId, (Timestamp, u8)> = BTreeMap::new();
    let mut angry_open: BTreeSet<CustomerId> = BTreeSet::new();
    let mut open: BTreeSet<CustomerId> = BTreeSet::new();
    let mut open_angry_cases = 0u64;
    for fact in &facts {
        let customer = fact.customer.id;
        for answer in fact
            .feedback
            .iter()
            .filter(|f| f.purpose == FeedbackPurpose::Satisfaction)
        {
            if let (Some(at), Some(score)) = (answer.answered_at, answer.score) {
                let slot = latest_score.entry(customer).or_insert((at, score));
                if at >= slot.0 {
                    *slot = (at, score);
                }
            }
        }
        if !matches!(fact.case.status, Status::Resolved | Status::Closed) {
            open.insert(customer);
            if angry(engine, fact) {
                angry_open.insert(customer);
                open_angry_cases += 1;
            }
        }
    }
    let mut standings: BTreeMap<CustomerId, CustomerStanding> = BTreeMap::new();
    let mut unhappy = 0u64;
    let mut satisfied = 0u64;
    for fact in &facts {
        let id = fact.customer.id;
        let sentiment = latest_score
            .get(&id)
            .map(|&(_, score)| report_math::sentiment(score))
            .transpose()?;
        standings.entry(id).or_insert_with(|| {
            match sentiment {
                Some(Sentiment::Unhappy) => unhappy += 1,
                Some(Sentiment::Satisfied) => satisfied += 1,
                _ => {}
            }
            CustomerStanding {
                customer_id: id,
                annual_value: fact.customer.annual_value.clone(),
                open_angry_case: angry_open.contains(&id),
                lost: sentiment == Some(Sentiment::Unhappy) && !open.contains(&id),
            }
        });
    }
    let standings: Vec<CustomerStanding> = standings.into_values().collect();

    Ok(Report {
        since,
        until,
        previous_since,
        cases: current.len() as u64,
        previous_cases: facts.iter().filter(in_previous).count() as u64,
        by_cause,
        repeat_customers,
        time_to_first_response: report_math::duration_summary(&first_response),
        time_to_resolution: report_math::duration_summary(&resolution),
        sla_compliance: SlaCompliance {
            first_response: report_math::sla_compliance(first_states),
            resolution: report_math::sla_compliance(resolution_states),
        },
        promises_kept,
        csat,
        open_angry_cases,
        revenue_at_risk: report_math::revenue_at_risk(&standings)?,
        word_of_mouth: report_math::word_of_mouth_reach(
            unhappy,
            satisfied,
            &config.settings.word_of_mouth,
        ),
        preventive_actions: actions,
    })
}

fn cause_entry(
    causes: &mut BTreeMap<Option<String>, CauseCount>,
    key: Option<String>,
) -> &mut CauseCount {
    causes.entry(key.clone()).or_insert(CauseCount {
        cause: key,
        cases: 0,
        previous_cases: 0,
        open_actions: 0,
    })
}

/// The customer wrote in anger: the coach rates some inbound message angry or furious.
fn angry(engine: &Engine, fact: &CaseFacts) -> bool {
    let hint = fact
        .case
        .language
        .as_deref()
        .or(fact.customer.language.as_deref())
        .and_then(|tag| tag.parse().ok());
    fact.inbound.iter().any(|text| {
        engine
            .config()
            .coach
            .analyze(&AnalyzeInput {
                text: text.clone(),
                language: hint,
            })
            .level
            >= Level::Angry
    })
}

impl Report {
    /// The report as CSV rows `section,item,value`, one figure per row, so a spreadsheet can
    /// chart any of them.
    pub fn to_csv(&self) -> String {
        let mut rows: Vec<(String, String, String)> = Vec::new();
        let mut row = |section: &str, item: &str, value: String| {
            rows.push((section.to_owned(), item.to_owned(), value));
        };
        row("period", "since", self.since.to_string());
        row("period", "until", self.until.to_string());
        row("period", "previous_since", self.previous_since.to_string());
        row("cases", "this_period", self.cases.to_string());
        row("cases", "previous_period", self.previous_cases.to_string());
        for cause in &self.by_cause {
            let name = cause.cause.as_deref().unwrap_or("");
            row("cause", &format!("{name}:cases"), cause.cases.to_string());
            row(
                "cause",
                &format!("{name}:previous_cases"),
                cause.previous_cases.to_string(),
            );
            row(
                "cause",
                &format!("{name}:open_actions"),
                cause.open_actions.to_string(),
            );
        }
        row(
            "repeat_customers",
            "count",
            self.repeat_customers.len().to_string(),
        );
        for customer in &self.repeat_customers {
            row(
                "repeat_customers",
                &format!("{}:{}", customer.customer_id, customer.name),
                customer.cases.to_string(),
            );
        }
        for (name, summary) in [
            ("time_to_first_response", &self.time_to_first_response),
            ("time_to_resolution", &self.time_to_resolution),
        ] {
            let (count, mean, median, p90) = summary.map_or_else(
                || ("0".to_owned(), String::new(), String::new(), String::new()),
                |s| {
                    (
                        s.count.to_string(),
                        s.mean.as_secs().to_string(),
                        s.median.as_secs().to_string(),
                        s.p90.as_secs().to_string(),
                    )
                },
            );
            row(name, "count", count);
            row(name, "mean_seconds", mean);
            row(name, "median_seconds", median);
            row(name, "p90_seconds", p90);
        }
        let mut ratio = |section: &str, r: Ratio| {
            rows.push((
                section.to_owned(),
                "numerator".into(),
                r.numerator.to_string(),
            ));
            rows.push((
                section.to_owned(),
                "denominator".into(),
                r.denominator.to_string(),
            ));
            rows.push((
                section.to_owned(),
                "value".into(),
                r.value().map(|v| format!("{v:.4}")).unwrap_or_default(),
            ));
        };
        ratio("sla_first_response", self.sla_compliance.first_response);
        ratio("sla_resolution", self.sla_compliance.resolution);
        ratio("promises_kept", self.promises_kept);
        ratio("csat_satisfied", self.csat.satisfied);
        let mut row = |section: &str, item: &str, value: String| {
            rows.push((section.to_owned(), item.to_owned(), value));
        };
        row("csat", "responses", self.csat.responses.to_string());
        row(
            "csat",
            "average",
            self.csat
                .average
                .map(|a| format!("{a:.2}"))
                .unwrap_or_default(),
        );
        for (score, count) in (1..=5).zip(self.csat.distribution) {
            row("csat", &format!("score_{score}"), count.to_string());
        }
        row("angry", "open_cases", self.open_angry_cases.to_string());
        let revenue = &self.revenue_at_risk;
        for (currency, amount) in &revenue.at_risk {
            row(
                "revenue_at_risk",
                &format!("at_risk_minor:{currency}"),
                amount.to_string(),
            );
        }
        for (currency, amount) in &revenue.lost {
            row(
                "revenue_at_risk",
                &format!("lost_minor:{currency}"),
                amount.to_string(),
            );
        }
        row(
            "revenue_at_risk",
            "customers_at_risk",
            revenue.customers_at_risk.to_string(),
        );
        row(
            "revenue_at_risk",
            "customers_lost",
            revenue.customers_lost.to_string(),
        );
        row(
            "revenue_at_risk",
            "customers_without_value",
            revenue.customers_without_value.to_string(),
        );
        let reach = &self.word_of_mouth;
        for (item, value) in [
            ("unhappy_customers", reach.unhappy_customers),
            ("satisfied_customers", reach.satisfied_customers),
            ("negative_low", reach.negative_low),
            ("negative_high", reach.negative_high),
            ("positive_low", reach.positive_low),
            ("positive_high", reach.positive_high),
        ] {
            row("word_of_mouth", item, value.to_string());
        }
        for action in &self.preventive_actions {
            row(
                "preventive_action",
                &format!("{}:{}", action.id, action.cause),
                format!(
                    "{} | owner {} | due {} | {}",
                    action.description, action.owner, action.due_on, action.status
                ),
            );
        }
        let mut writer = csv::Writer::from_writer(Vec::new());
        let header = [("section", "item", "value")];
        for (a, b, c) in header.into_iter().chain(
            rows.iter()
                .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())),
        ) {
            writer
                .write_record([a, b, c])
                .expect("writing CSV to memory cannot fail");
        }
        String::from_utf8(writer.into_inner().expect("an in-memory CSV flushes"))
            .expect("CSV of UTF-8 text is UTF-8")
    }
}
