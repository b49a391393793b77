//! The fixed category vocabulary of COACH-CONTRACT.md (add, never rename).

pub const FINDINGS: &[&str] = &[
    "apology_but",
    "hollow_understanding",
    "condescension",
    "contradicting_customer",
    "blame_shifting",
    "over_promise",
    "false_apology",
    "sarcasm",
    "justifying_effort",
    "interrogation",
    "over_apologizing",
    "rudeness",
];

pub const GOOD_MOVES: &[&str] = &[
    "listening_cue",
    "acknowledge_feeling",
    "restatement",
    "apology_direct",
    "apology_for_feelings",
    "offer_to_try",
    "open_question",
    "yes_no_question",
    "confirm_solution",
    "callback_promise",
    "boundary_setting",
    "redirect_chatty",
    "greeting_intro",
    "closing",
    "preventive_action",
    "transfer_to_specialist",
    "follow_up_offer",
];

/// Signal categories of customer-message rules; demands are `demand:<one of DEMANDS>`.
pub const SIGNALS: &[&str] = &[
    "anger",
    "intensifier",
    "negation",
    "praise",
    "complaint",
    "abuse",
    "threat",
    "churn",
    "public_exposure",
];

pub const DEMANDS: &[&str] = &[
    "refund",
    "replacement",
    "repair",
    "compensation",
    "cancel",
    "manager",
    "callback",
    "apology",
    "explanation",
];

pub const DEMAND_PREFIX: &str = "demand:";

pub fn is_signal(category: &str) -> bool {
    SIGNALS.contains(&category)
        || category
            .strip_prefix(DEMAND_PREFIX)
            .is_some_and(|demand| DEMANDS.contains(&demand))
}
