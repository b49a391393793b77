//! The incident record (RO-11) as a document: the stored record when an agent has written one,
//! otherwise a draft generated from the case (its question, what was said, the last reply).

use domain::incident_render::{self, Discussion, IncidentDocument};
use domain::{CaseId, Direction};

use crate::{ENGINE_NAME, Engine, EngineError, case_view};

pub(crate) enum Format {
    Markdown,
    Html,
}

pub(crate) async fn render(
    engine: &Engine,
    id: CaseId,
    format: Format,
) -> Result<String, EngineError> {
    let store = engine.store();
    let config = engine.config();
    let detail = store.get_case(id).await?;
    let agent = case_view::agent(store, detail.case.assignee_id).await?;
    let departments = store.list_departments().await?;
    let department = detail
        .case
        .department_id
        .or(agent.as_ref().and_then(|a| a.department_id))
        .and_then(|d| departments.iter().find(|x| x.id == d))
        .map(|d| d.name.as_str());
    let (problem, discussions, solution, updated_at) = match &detail.incident_record {
        Some(record) => (
            record.problem.clone(),
            record.discussions.clone(),
            record.solution.clone(),
            record.updated_at,
        ),
        None => {
            let problem = detail
                .messages
                .iter()
                .find(|m| m.direction == Direction::Inbound)
                .map_or_else(|| detail.case.subject.clone(), |m| m.body.clone());
            // What people said after the opening complaint; the engine's own notices are
            // not part of the discussion.
            let discussions: Vec<Discussion> = detail
                .messages
                .iter()
                .filter(|m| m.author.as_deref() != Some(ENGINE_NAME))
                .skip_while(|m| m.direction != Direction::Inbound)
                .skip(1)
                .map(|m| Discussion::from(m.body.clone()))
                .collect();
            let updated = detail.messages.last().map_or(detail.case.updated_at, |m| {
                m.created_at.max(detail.case.updated_at)
            });
            (problem, discussions, String::new(), updated)
        }
    };
    let document = IncidentDocument {
        case_id: id,
        client_name: &detail.customer.name,
        client_email: detail.customer.email.as_deref(),
        client_phone: detail.customer.phone.as_deref(),
        problem: &problem,
        discussions: &discussions,
        solution: &solution,
        agent_name: agent.as_ref().map_or("—", |a| a.name.as_str()),
        department,
        agent_phone: agent.as_ref().and_then(|a| a.phone.as_deref()),
        updated_at,
    };
    let language = case_view::staff_language(config, agent.as_ref());
    let texts = config.catalog.texts(Some(language));
    let zone = config.calendar.time_zone();
    Ok(match format {
        Format::Markdown => incident_render::render_markdown(&document, texts, zone),
        Format::Html => incident_render::render_html(&document, texts, zone),
    })
}
