//! Conversation score: how far the agent got through CLEAR (Control, Listen, Empathy, Apologise,
//! Resolve), the four-stage call of TL-6, the missing steps, and a QA score out of 100 broken
//! down into criteria a supervisor can read.

use serde::{Deserialize, Serialize};
use text::Lang;

use crate::model::{Finding, LintInput, Speaker, Transcript};
use crate::spec::Severity;
use crate::{AnalyzeInput, Coach};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageCheck {
    pub stage: String,
    pub done: bool,
    /// Index in `turns` of the first agent turn that did it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub turn: Option<usize>,
    pub title: String,
}

/// A category seen in one turn (index into `turns`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub category: String,
    pub turn: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub criterion: String,
    pub points: u32,
    pub max: u32,
    /// Title and explanation in the screen language.
    pub title: String,
    pub explain: String,
    /// Good moves that earned the points.
    pub earned_by: Vec<Evidence>,
    /// Findings that cost points.
    pub lost_for: Vec<Evidence>,
    /// The step was not needed (an apology when the customer did not complain).
    pub waived: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurnFinding {
    pub turn: usize,
    #[serde(flatten)]
    pub finding: Finding,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreReport {
    pub language: Lang,
    /// Furthest CLEAR step reached in order: none, control, listen, empathy, apologize, resolve.
    pub clear_stage: String,
    pub clear: Vec<StageCheck>,
    /// TL-6: greeting, clarifying, solution, closing.
    pub checklist: Vec<StageCheck>,
    pub missing: Vec<String>,
    pub qa_score: u32,
    pub criteria: Vec<Criterion>,
    pub findings: Vec<TurnFinding>,
}

const CLEAR_STAGES: [&str; 5] = ["control", "listen", "empathy", "apologize", "resolve"];
const CALL_STAGES: [&str; 4] = ["greeting", "clarifying", "solution", "closing"];

/// Good moves that show each step.
fn evidence_for(stage: &str) -> &'static [&'static str] {
    match stage {
        "listen" | "clarifying" => &[
            "listening_cue",
            "open_question",
            "yes_no_question",
            "restatement",
        ],
        "empathy" => &["acknowledge_feeling", "restatement"],
        "apologize" => &["apology_direct", "apology_for_feelings"],
        "resolve" => &[
            "offer_to_try",
            "confirm_solution",
            "callback_promise",
            "transfer_to_specialist",
            "preventive_action",
            "follow_up_offer",
        ],
        "solution" => &[
            "restatement",
            "confirm_solution",
            "offer_to_try",
            "callback_promise",
            "transfer_to_specialist",
        ],
        "greeting" => &["greeting_intro"],
        "closing" => &["closing", "follow_up_offer"],
        _ => &[],
    }
}

/// Findings that break CLEAR's "control your emotions" step.
const LOSS_OF_CONTROL: &[&str] = &[
    "rudeness",
    "sarcasm",
    "condescension",
    "contradicting_customer",
];
const CANCELLED_APOLOGY: &[&str] = &["apology_but", "blame_shifting", "false_apology"];

struct AgentTurn {
    index: usize,
    good: Vec<String>,
    findings: Vec<Finding>,
}

impl AgentTurn {
    fn has_any(&self, categories: &[&str]) -> bool {
        self.good.iter().any(|g| categories.contains(&g.as_str()))
    }
}

fn first_turn(turns: &[AgentTurn], categories: &[&str]) -> Option<usize> {
    turns
        .iter()
        .find(|t| t.has_any(categories))
        .map(|t| t.index)
}

fn penalty(severity: Severity) -> u32 {
    match severity {
        Severity::High => 10,
        Severity::Medium => 5,
        Severity::Low => 2,
    }
}

impl Coach {
    pub fn score(&self, transcript: &Transcript) -> ScoreReport {
        let agent_text: String = transcript
            .turns
            .iter()
            .filter(|t| t.from == Speaker::Agent)
            .map(|t| t.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let language = text::detect_with_hint(&agent_text, transcript.language).lang;
        let ui = transcript.ui_language.unwrap_or(if language == Lang::Und {
            Lang::En
        } else {
            language
        });
        let mut agent_turns = Vec::new();
        let mut complaint = false;
        for (index, turn) in transcript.turns.iter().enumerate() {
            match turn.from {
                Speaker::Customer => {
                    complaint |= self
                        .analyze(&AnalyzeInput {
                            text: turn.text.clone(),
                            language: transcript.language,
                        })
                        .complaint;
                }
                Speaker::Agent => {
                    let report = self.lint_in(
                        language,
                        &LintInput {
                            text: turn.text.clone(),
                            language: Some(language),
                            context: transcript.turns[..index].to_vec(),
                            reference_time: None,
                            ui_language: Some(ui),
                        },
                    );
                    agent_turns.push(AgentTurn {
                        index,
                        good: report.good_moves.into_iter().map(|g| g.category).collect(),
                        findings: report.findings,
                    });
                }
            }
        }
        let text = |section: &str, name: &str| {
            self.message(ui, section, name).map_or_else(
                || (name.to_owned(), String::new()),
                |m| (m.title.clone(), m.explain.clone()),
            )
        };
        let title = |section: &str, name: &str| text(section, name).0;
        let finding_in = |categories: &[&str]| {
            agent_turns
                .iter()
                .flat_map(|t| t.findings.iter().map(move |f| (t.index, f)))
                .find(|(_, f)| categories.contains(&f.category.as_str()))
                .map(|(index, _)| index)
        };

        // CLEAR, in order: a step counts only if every earlier one is done.
        let mut clear = Vec::new();
        let mut reached = "none";
        let mut still_in_order = !agent_turns.is_empty();
        for stage in CLEAR_STAGES {
            let turn = match stage {
                "control" => finding_in(LOSS_OF_CONTROL)
                    .is_none()
                    .then(|| agent_turns.first().map(|t| t.index))
                    .flatten(),
                "apologize" if finding_in(CANCELLED_APOLOGY).is_some() => None,
                _ => first_turn(&agent_turns, evidence_for(stage)),
            };
            let done = turn.is_some();
            still_in_order &= done;
            if still_in_order {
                reached = stage;
            }
            clear.push(StageCheck {
                stage: stage.into(),
                done,
                turn,
                title: title("stage", stage),
            });
        }

        let mut checklist = Vec::new();
        for stage in CALL_STAGES {
            let turn = if stage == "closing" {
                agent_turns
                    .iter()
                    .rev()
                    .find(|t| t.has_any(evidence_for(stage)))
                    .map(|t| t.index)
            } else {
                first_turn(&agent_turns, evidence_for(stage))
            };
            checklist.push(StageCheck {
                stage: stage.into(),
                done: turn.is_some(),
                turn,
                title: title("stage", stage),
            });
        }
        let missing = checklist
            .iter()
            .filter(|c| !c.done)
            .map(|c| c.stage.clone())
            .collect();

        let criteria = self.criteria(&agent_turns, complaint, &text);
        let qa_score = criteria.iter().map(|c| c.points).sum();
        let findings = agent_turns
            .iter()
            .flat_map(|t| {
                t.findings.iter().map(|f| TurnFinding {
                    turn: t.index,
                    finding: f.clone(),
                })
            })
            .collect();
        ScoreReport {
            language,
            clear_stage: reached.into(),
            clear,
            checklist,
            missing,
            qa_score,
            criteria,
            findings,
        }
    }

    fn criteria(
        &self,
        turns: &[AgentTurn],
        complaint: bool,
        text: &dyn Fn(&str, &str) -> (String, String),
    ) -> Vec<Criterion> {
        let good = |categories: &[&str]| -> Vec<Evidence> {
            turns
                .iter()
                .flat_map(|t| t.good.iter().map(move |g| (t.index, g)))
                .filter(|(_, g)| categories.contains(&g.as_str()))
                .map(|(turn, g)| Evidence {
                    category: g.clone(),
                    turn,
                })
                .collect()
        };
        let bad = |categories: Option<&[&str]>| -> Vec<Evidence> {
            turns
                .iter()
                .flat_map(|t| t.findings.iter().map(move |f| (t.index, f)))
                .filter(|(_, f)| categories.is_none_or(|c| c.contains(&f.category.as_str())))
                .map(|(turn, f)| Evidence {
                    category: f.category.clone(),
                    turn,
                })
                .collect()
        };
        let criterion = |name: &str, max: u32, points: u32, earned_by: Vec<Evidence>| {
            let (title, explain) = text("criterion", name);
            Criterion {
                criterion: name.into(),
                points,
                max,
                title,
                explain,
                earned_by,
                lost_for: Vec::new(),
                waived: false,
            }
        };
        let all_or_nothing = |name: &str, max: u32, categories: &[&str]| {
            let earned_by = good(categories);
            criterion(
                name,
                max,
                if earned_by.is_empty() { 0 } else { max },
                earned_by,
            )
        };
        let mut criteria = vec![
            all_or_nothing("greeting", 10, evidence_for("greeting")),
            all_or_nothing("listening", 15, evidence_for("listen")),
            all_or_nothing("empathy", 15, evidence_for("empathy")),
        ];
        let mut apology = all_or_nothing("apology", 10, evidence_for("apologize"));
        apology.lost_for = bad(Some(CANCELLED_APOLOGY));
        if !apology.lost_for.is_empty() {
            apology.points = apology.points.min(3);
        } else if apology.points == 0 && !complaint {
            apology.points = apology.max;
            apology.waived = true;
        }
        criteria.push(apology);
        let offers = good(&["offer_to_try", "callback_promise", "transfer_to_specialist"]);
        let confirmations = good(&["confirm_solution"]);
        let points =
            if offers.is_empty() { 0 } else { 12 } + if confirmations.is_empty() { 0 } else { 8 };
        criteria.push(criterion(
            "resolution",
            20,
            points,
            [offers, confirmations].concat(),
        ));
        criteria.push(all_or_nothing("closing", 10, evidence_for("closing")));
        let lost: u32 = turns
            .iter()
            .flat_map(|t| &t.findings)
            .map(|f| penalty(f.severity))
            .sum();
        let mut conduct = criterion("conduct", 20, 20u32.saturating_sub(lost), Vec::new());
        conduct.lost_for = bad(None);
        criteria.push(conduct);
        criteria
    }
}

#[cfg(test)]
mod tests {
    use super::Evidence;
    use crate::model::{Speaker, Transcript, Turn};

    fn transcript(turns: &[(&str, &str)]) -> Transcript {
        Transcript {
            turns: turns
                .iter()
                .map(|(from, text)| Turn {
                    from: if *from == "c" {
                        Speaker::Customer
                    } else {
                        Speaker::Agent
                    },
                    text: (*text).into(),
                })
                .collect(),
            ..Transcript::default()
        }
    }

    #[test]
    fn a_well_handled_call_reaches_resolve_and_scores_high() {
        let coach = crate::test_support::english();
        let report = coach.score(&transcript(&[
            ("a", "Good morning, my name is Ana from the billing team."),
            ("c", "I was charged twice for my order and I'm really angry!"),
            ("a", "I see. What did the second charge say on your statement?"),
            ("c", "It says the same amount, 40 euros, on Monday."),
            ("a", "I can imagine how worrying that must have been. I'm sorry that we charged you twice."),
            ("a", "Let me see what I can do: I'm refunding the second charge now. Does that work for you?"),
            ("c", "Yes, thanks."),
            ("a", "Thank you for choosing us, have a good day!"),
        ]));
        assert_eq!(report.clear_stage, "resolve", "{report:#?}");
        assert!(report.missing.is_empty(), "{:?}", report.missing);
        assert_eq!(report.qa_score, 100, "{:#?}", report.criteria);
        assert_eq!(report.checklist[0].turn, Some(0));
    }

    #[test]
    fn a_badly_handled_call_says_what_is_missing() {
        let coach = crate::test_support::english();
        let report = coach.score(&transcript(&[
            ("c", "My parcel never arrived and I'm furious."),
            (
                "a",
                "Calm down. I'm sorry, but that's the courier's fault, not ours.",
            ),
        ]));
        assert_eq!(report.clear_stage, "none");
        assert_eq!(
            report.missing,
            ["greeting", "clarifying", "solution", "closing"]
        );
        assert!(
            report.qa_score < 30,
            "{}: {:#?}",
            report.qa_score,
            report.criteria
        );
        let conduct = report
            .criteria
            .iter()
            .find(|c| c.criterion == "conduct")
            .unwrap();
        let rudeness = Evidence {
            category: "rudeness".into(),
            turn: 1,
        };
        assert!(conduct.lost_for.contains(&rudeness), "{conduct:?}");
        assert!(conduct.explain.contains("escalate"), "{}", conduct.explain);
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.turn == 1 && f.finding.category == "blame_shifting")
        );
    }

    #[test]
    fn an_empty_transcript_scores_without_panicking() {
        let coach = crate::test_support::english();
        let report = coach.score(&transcript(&[]));
        assert_eq!(report.clear_stage, "none");
        assert_eq!(report.missing.len(), 4);
    }
}
