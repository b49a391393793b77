//! Who takes a case (TL-7): someone competent — for the category, the customer's language and,
//! when someone's safety is at stake (TL-10), trained for it — and, among the competent, the
//! least busy. When nobody competent is free, the case waits in the right department's queue
//! and keeps the customer's full name, question and contact, so nobody has to ask again.
//!
//! Competence: a department covers a category or language when it lists it; a department with an
//! empty list takes any (a general desk), but one that lists the value is preferred. An agent is
//! competent when active, in a department that covers the case, speaking the case's language
//! (tags compared without regard to case; zh-Hans and zh-Hant are different languages), trained
//! for safety when the case needs it, and below their own limit of open cases. Ties go to the
//! better-matching department, then the lower load, then the lower agent id, so the same input
//! always gives the same answer.

use crate::ids::{AgentId, DepartmentId};
use crate::model::{Agent, Department};
use crate::notices::Texts;

/// What routing needs to know about a case.
#[derive(Debug, Clone, Copy)]
pub struct RoutingRequest<'a> {
    pub category: Option<&'a str>,
    pub language: Option<&'a str>,
    /// TL-10: only safety-trained colleagues take it.
    pub safety: bool,
    pub contact: CustomerContact<'a>,
}

/// TL-7: what must travel with a case that cannot be handed to someone right away.
#[derive(Debug, Clone, Copy)]
pub struct CustomerContact<'a> {
    pub full_name: &'a str,
    pub question: &'a str,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
}

/// An agent with their current standing, as the app knows it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub agent: &'a Agent,
    pub open_cases: u32,
    /// None: no limit.
    pub max_open_cases: Option<u32>,
    pub safety_trained: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingDetail {
    FullName,
    Question,
    Contact,
}

/// The owned copy of [`CustomerContact`] that waits with a queued case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedContact {
    pub full_name: String,
    pub question: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoutingDecision {
    Assign {
        agent_id: AgentId,
        department_id: Option<DepartmentId>,
        reason: RoutingReason,
    },
    Queue {
        /// None: no department covers the case; it waits in the general queue.
        department_id: Option<DepartmentId>,
        reason: RoutingReason,
        contact: QueuedContact,
        /// Details to record before passing the case on (TL-6 stage 2: ask name, contact…).
        missing: Vec<MissingDetail>,
    },
}

/// Why a decision was taken, in data; [`RoutingDecision::explain`] puts it into words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoutingReason {
    LeastBusyCompetent {
        agent_name: String,
        department_name: String,
        open_cases: u32,
        competent_available: usize,
    },
    NobodyAvailable {
        department_name: String,
    },
    NoDepartment,
}

impl RoutingDecision {
    /// The reason shown to staff, in their language, followed by what still has to be recorded.
    pub fn explain(&self, texts: &Texts) -> String {
        let (reason, missing) = match self {
            RoutingDecision::Assign { reason, .. } => (reason, &[][..]),
            RoutingDecision::Queue {
                reason, missing, ..
            } => (reason, missing.as_slice()),
        };
        let mut text = match reason {
            RoutingReason::LeastBusyCompetent {
                agent_name,
                department_name,
                open_cases,
                competent_available,
            } => texts.text(
                "routing.assigned",
                &[
                    ("agent_name", agent_name),
                    ("department", department_name),
                    ("open_cases", &open_cases.to_string()),
                    ("candidates", &competent_available.to_string()),
                ],
            ),
            RoutingReason::NobodyAvailable { department_name } => texts.text(
                "routing.queued_department",
                &[("department", department_name)],
            ),
            RoutingReason::NoDepartment => texts.text("routing.queued_general", &[]),
        };
        if !missing.is_empty() {
            let labels: Vec<String> = missing
                .iter()
                .map(|detail| {
                    let key = match detail {
                        MissingDetail::FullName => "routing.detail_full_name",
                        MissingDetail::Question => "routing.detail_question",
                        MissingDetail::Contact => "routing.detail_contact",
                    };
                    texts.text(key, &[])
                })
                .collect();
            text.push('\n');
            text.push_str(&texts.text("routing.missing", &[("missing", &texts.join(&labels))]));
        }
        text
    }
}

/// How well a department's list covers a wanted value: not at all, as a general desk, or by name.
fn coverage(listed: &[String], wanted: Option<&str>) -> Option<u8> {
    let Some(wanted) = wanted.map(str::trim).filter(|w| !w.is_empty()) else {
        return Some(1);
    };
    if listed
        .iter()
        .any(|item| item.trim().eq_ignore_ascii_case(wanted))
    {
        Some(2)
    } else if listed.is_empty() {
        Some(1)
    } else {
        None
    }
}

fn speaks(agent: &Agent, language: Option<&str>) -> bool {
    language
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .is_none_or(|language| {
            agent
                .languages
                .iter()
                .any(|spoken| spoken.trim().eq_ignore_ascii_case(language))
        })
}

/// Chooses an agent, or the queue to wait in.
pub fn route(
    request: &RoutingRequest<'_>,
    departments: &[Department],
    candidates: &[Candidate<'_>],
) -> RoutingDecision {
    // Departments that cover the case, best match first.
    let mut covering: Vec<(&Department, (u8, u8))> = departments
        .iter()
        .filter_map(|department| {
            let category = coverage(&department.categories, request.category)?;
            let language = coverage(&department.languages, request.language)?;
            Some((department, (category, language)))
        })
        .collect();
    covering.sort_by(|(a, rank_a), (b, rank_b)| rank_b.cmp(rank_a).then(a.id.cmp(&b.id)));

    let department_rank = |id: Option<DepartmentId>| {
        covering
            .iter()
            .position(|(department, _)| Some(department.id) == id)
    };
    let mut competent: Vec<(usize, &Candidate<'_>)> = candidates
        .iter()
        .filter(|c| c.agent.active)
        .filter(|c| speaks(c.agent, request.language))
        .filter(|c| !request.safety || c.safety_trained)
        .filter(|c| c.max_open_cases.is_none_or(|max| c.open_cases < max))
        .filter_map(|c| department_rank(c.agent.department_id).map(|rank| (rank, c)))
        .collect();
    competent.sort_by_key(|(rank, c)| (*rank, c.open_cases, c.agent.id));

    if let Some((rank, chosen)) = competent.first() {
        let department = covering[*rank].0;
        return RoutingDecision::Assign {
            agent_id: chosen.agent.id,
            department_id: Some(department.id),
            reason: RoutingReason::LeastBusyCompetent {
                agent_name: chosen.agent.name.clone(),
                department_name: department.name.clone(),
                open_cases: chosen.open_cases,
                competent_available: competent.len(),
            },
        };
    }
    let contact = request.contact;
    let blank = |text: Option<&str>| text.is_none_or(|t| t.trim().is_empty());
    let missing = [
        (blank(Some(contact.full_name)), MissingDetail::FullName),
        (blank(Some(contact.question)), MissingDetail::Question),
        (
            blank(contact.phone) && blank(contact.email),
            MissingDetail::Contact,
        ),
    ]
    .into_iter()
    .filter_map(|(is_missing, detail)| is_missing.then_some(detail))
    .collect();
    let queued = QueuedContact {
        full_name: contact.full_name.trim().to_owned(),
        question: contact.question.trim().to_owned(),
        phone: contact.phone.map(|p| p.trim().to_owned()),
        email: contact.email.map(|e| e.trim().to_owned()),
    };
    match covering.first() {
        Some((department, _)) => RoutingDecision::Queue {
            department_id: Some(department.id),
            reason: RoutingReason::NobodyAvailable {
                department_name: department.name.clone(),
            },
            contact: queued,
            missing,
        },
        None => RoutingDecision::Queue {
            department_id: None,
            reason: RoutingReason::NoDepartment,
            contact: queued,
            missing,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;
    use crate::notices::Catalog;
    use proptest::prelude::*;

    fn department(id: i64, name: &str, categories: &[&str], languages: &[&str]) -> Department {
        Department {
            id: DepartmentId(id),
            name: name.to_owned(),
            categories: categories.iter().map(|s| (*s).to_owned()).collect(),
            languages: languages.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    fn agent(id: i64, name: &str, department: i64, languages: &[&str]) -> Agent {
        Agent {
            id: AgentId(id),
            name: name.to_owned(),
            role: Role::Agent,
            department_id: Some(DepartmentId(department)),
            phone: None,
            email: None,
            languages: languages.iter().map(|s| (*s).to_owned()).collect(),
            active: true,
        }
    }

    fn candidate(agent: &Agent, open_cases: u32) -> Candidate<'_> {
        Candidate {
            agent,
            open_cases,
            max_open_cases: None,
            safety_trained: false,
        }
    }

    fn departments() -> Vec<Department> {
        vec![
            department(1, "Billing", &["billing", "refund"], &["en", "ro"]),
            department(2, "Delivery", &["delivery"], &["en", "el", "zh-Hant"]),
            department(3, "Front desk", &[], &[]),
        ]
    }

    const CONTACT: CustomerContact<'static> = CustomerContact {
        full_name: "Ana Popescu",
        question: "Why was I charged twice?",
        phone: Some("+40700000000"),
        email: None,
    };

    fn request(category: &'static str, language: &'static str) -> RoutingRequest<'static> {
        RoutingRequest {
            category: Some(category),
            language: Some(language),
            safety: false,
            contact: CONTACT,
        }
    }

    fn assigned(decision: &RoutingDecision) -> AgentId {
        match decision {
            RoutingDecision::Assign { agent_id, .. } => *agent_id,
            other => panic!("expected an assignment, got {other:?}"),
        }
    }

    #[test]
    fn the_least_busy_competent_agent_gets_the_case() {
        let (ioana, mihai, eleni) = (
            agent(1, "Ioana", 1, &["ro", "en"]),
            agent(2, "Mihai", 1, &["ro"]),
            agent(3, "Eleni", 2, &["el", "en"]),
        );
        let candidates = [
            candidate(&ioana, 4),
            candidate(&mihai, 2),
            candidate(&eleni, 0),
        ];
        let decision = route(&request("Billing", "ro"), &departments(), &candidates);
        assert_eq!(
            decision,
            RoutingDecision::Assign {
                agent_id: AgentId(2),
                department_id: Some(DepartmentId(1)),
                reason: RoutingReason::LeastBusyCompetent {
                    agent_name: "Mihai".into(),
                    department_name: "Billing".into(),
                    open_cases: 2,
                    competent_available: 2,
                },
            }
        );
        // In English only Ioana is competent, though she is busier.
        let decision = route(&request("billing", "EN"), &departments(), &candidates);
        assert_eq!(assigned(&decision), AgentId(1));
    }

    #[test]
    fn the_specialist_department_beats_the_general_desk() {
        let (desk, specialist) = (agent(1, "Desk", 3, &["el"]), agent(2, "Nikos", 2, &["el"]));
        let candidates = [candidate(&desk, 0), candidate(&specialist, 5)];
        assert_eq!(
            assigned(&route(
                &request("delivery", "el"),
                &departments(),
                &candidates
            )),
            AgentId(2)
        );
        // For a category no specialist covers, the general desk takes it.
        assert_eq!(
            assigned(&route(
                &request("rudeness", "el"),
                &departments(),
                &candidates
            )),
            AgentId(1)
        );
    }

    #[test]
    fn inactive_full_and_untrained_agents_are_passed_over() {
        let mut away = agent(1, "Away", 1, &["ro"]);
        away.active = false;
        let (full, untrained, trained) = (
            agent(2, "Full", 1, &["ro"]),
            agent(3, "Untrained", 1, &["ro"]),
            agent(4, "Trained", 1, &["ro"]),
        );
        let candidates = [
            candidate(&away, 0),
            Candidate {
                max_open_cases: Some(3),
                ..candidate(&full, 3)
            },
            candidate(&untrained, 1),
            Candidate {
                safety_trained: true,
                ..candidate(&trained, 7)
            },
        ];
        let safety = RoutingRequest {
            safety: true,
            ..request("refund", "ro")
        };
        assert_eq!(
            assigned(&route(&safety, &departments(), &candidates)),
            AgentId(4)
        );
        assert_eq!(
            assigned(&route(
                &request("refund", "ro"),
                &departments(),
                &candidates
            )),
            AgentId(3)
        );
    }

    #[test]
    fn simplified_and_traditional_chinese_are_different_competences() {
        let hant = agent(1, "Mei", 2, &["zh-Hant"]);
        let candidates = [candidate(&hant, 0)];
        assert_eq!(
            assigned(&route(
                &request("delivery", "zh-hant"),
                &departments(),
                &candidates
            )),
            AgentId(1)
        );
        let decision = route(&request("delivery", "zh-Hans"), &departments(), &candidates);
        assert!(
            matches!(decision, RoutingDecision::Queue { .. }),
            "{decision:?}"
        );
    }

    #[test]
    fn with_nobody_free_the_case_waits_in_its_departments_queue_with_name_question_and_contact() {
        let busy = agent(1, "Ioana", 1, &["ro"]);
        let candidates = [Candidate {
            max_open_cases: Some(1),
            ..candidate(&busy, 1)
        }];
        let decision = route(&request("refund", "ro"), &departments(), &candidates);
        assert_eq!(
            decision,
            RoutingDecision::Queue {
                department_id: Some(DepartmentId(1)),
                reason: RoutingReason::NobodyAvailable {
                    department_name: "Billing".into()
                },
                contact: QueuedContact {
                    full_name: "Ana Popescu".into(),
                    question: "Why was I charged twice?".into(),
                    phone: Some("+40700000000".into()),
                    email: None,
                },
                missing: vec![],
            }
        );
        let texts = Catalog::builtin().texts(Some("en"));
        assert_eq!(
            decision.explain(texts),
            "No competent colleague is available right now. The case waits in the Billing queue \
             with the customer's full name, question and contact details."
        );
    }

    #[test]
    fn a_case_no_department_covers_waits_in_the_general_queue_and_asks_for_missing_details() {
        let only_specialists = &departments()[..2];
        let anonymous = RoutingRequest {
            contact: CustomerContact {
                full_name: " ",
                question: "Where is my parcel?",
                phone: None,
                email: Some(""),
            },
            ..request("delivery", "tl")
        };
        let decision = route(&anonymous, only_specialists, &[]);
        let RoutingDecision::Queue {
            department_id,
            reason,
            missing,
            ..
        } = &decision
        else {
            panic!("{decision:?}");
        };
        assert_eq!(*department_id, None);
        assert_eq!(*reason, RoutingReason::NoDepartment);
        assert_eq!(missing, &[MissingDetail::FullName, MissingDetail::Contact]);
        let explained = decision.explain(Catalog::builtin().texts(Some("en")));
        assert!(explained.ends_with(
            "\nBefore passing the case on, record the customer's full name, a phone number or e-mail address."
        ), "{explained}");
        let zh = decision.explain(Catalog::builtin().texts(Some("zh-Hans")));
        assert!(
            zh.ends_with("转交之前，请记录客户的全名、电话号码或电子邮箱地址。"),
            "{zh}"
        );
    }

    #[test]
    fn the_reason_is_worded_in_every_language() {
        let ioana = agent(1, "Ioana", 1, &["ro"]);
        let decision = route(
            &request("billing", "ro"),
            &departments(),
            &[candidate(&ioana, 3)],
        );
        for language in crate::LANGUAGES {
            let text = decision.explain(Catalog::builtin().texts(Some(language)));
            assert!(
                text.contains("Ioana") && text.contains("Billing") && text.contains('3'),
                "{language}: {text}"
            );
        }
    }

    #[test]
    fn equal_candidates_are_ordered_by_id_whatever_the_input_order() {
        let (a, b) = (agent(7, "A", 1, &["en"]), agent(3, "B", 1, &["en"]));
        let forward = [candidate(&a, 1), candidate(&b, 1)];
        let backward = [candidate(&b, 1), candidate(&a, 1)];
        for candidates in [&forward, &backward] {
            assert_eq!(
                assigned(&route(
                    &request("billing", "en"),
                    &departments(),
                    candidates
                )),
                AgentId(3)
            );
        }
    }

    fn any_agent() -> impl Strategy<Value = (Agent, u32, Option<u32>, bool)> {
        let languages = proptest::sample::subsequence(vec!["en", "ro", "el", "zh-Hant"], 0..=3);
        (
            1i64..=3,
            languages,
            any::<bool>(),
            0u32..6,
            proptest::option::of(1u32..6),
            any::<bool>(),
        )
            .prop_map(|(department, languages, active, load, max, trained)| {
                let mut agent = agent(0, "Agent", department, &languages);
                agent.active = active;
                (agent, load, max, trained)
            })
    }

    proptest! {
        #[test]
        fn the_chosen_agent_is_competent_and_the_least_busy_of_their_department(
            mut agents in proptest::collection::vec(any_agent(), 0..8),
            category in proptest::sample::select(vec!["billing", "delivery", "other"]),
            language in proptest::sample::select(vec!["en", "ro", "el", "zh-Hant", "tl"]),
            safety in any::<bool>(),
        ) {
            for (index, (agent, ..)) in agents.iter_mut().enumerate() {
                agent.id = AgentId(i64::try_from(index).unwrap() + 1);
            }
            let candidates: Vec<Candidate<'_>> = agents
                .iter()
                .map(|(agent, load, max, trained)| Candidate {
                    agent,
                    open_cases: *load,
                    max_open_cases: *max,
                    safety_trained: *trained,
                })
                .collect();
            let departments = departments();
            let request = RoutingRequest { safety, ..request(category, language) };
            let competent = |c: &Candidate<'_>| {
                c.agent.active
                    && c.agent.languages.iter().any(|l| l == language)
                    && (!safety || c.safety_trained)
                    && c.max_open_cases.is_none_or(|max| c.open_cases < max)
                    && departments.iter().any(|d| {
                        Some(d.id) == c.agent.department_id
                            && coverage(&d.categories, Some(category)).is_some()
                            && coverage(&d.languages, Some(language)).is_some()
                    })
            };
            match route(&request, &departments, &candidates) {
                RoutingDecision::Assign { agent_id, department_id, .. } => {
                    let chosen = candidates.iter().find(|c| c.agent.id == agent_id).unwrap();
                    prop_assert!(competent(chosen));
                    prop_assert_eq!(department_id, chosen.agent.department_id);
                    for other in candidates.iter().filter(|c| competent(c)) {
                        if other.agent.department_id == chosen.agent.department_id {
                            prop_assert!(other.open_cases >= chosen.open_cases);
                        }
                    }
                }
                RoutingDecision::Queue { contact, .. } => {
                    prop_assert!(!candidates.iter().any(competent));
                    prop_assert_eq!(contact.full_name, CONTACT.full_name);
                }
            }
        }
    }
}
