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
    // Contrastive conjunctions ("but", «αλλά», "dar", 但是): they shift a message's weight to
    // the clause after them (VADER's but-rule, Hutto & Gilbert 2014); weighed in analyze.rs,
    // not shown as evidence (like negation).
    "contrast",
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
