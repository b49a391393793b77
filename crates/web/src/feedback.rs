//! The customer's side of CLEAR-R4 and RO-10: the page behind an unguessable link, opened without
//! an account. `GET` shows a small form in the customer's language; `POST` takes the answer as
//! that form or as JSON. The secret in the path is the only authorisation.

use std::fmt::Write as _;

use axum::Json;
use axum::extract::{Form, FromRequest, Request, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use domain::incident_render::escape_html;
use domain::notices::{Catalog, FeedbackPageTexts};
use domain::process::{FeedbackAnswer, FeedbackPurpose, FeedbackRequest};
use domain::{CaseDetail, DomainError, Resolution};

use crate::AppState;
use crate::extract::{IdPath, QueryParams, parse_json};
use crate::problem::ApiError;

/// The page's words in the case's language (else the customer's, else English).
fn texts(detail: &CaseDetail) -> FeedbackPageTexts {
    let language = detail
        .case
        .language
        .as_deref()
        .or(detail.customer.language.as_deref());
    Catalog::builtin()
        .texts(language)
        .feedback_page(detail.case.id)
}

pub async fn show(
    State(state): State<AppState>,
    IdPath(secret): IdPath<String>,
) -> Result<Html<String>, ApiError> {
    let (request, detail) = state.app.feedback_request(&secret).await?;
    let texts = texts(&detail);
    if request.answered_at.is_some() {
        return Ok(Html(page(
            &texts,
            &texts.thanks_title,
            &paragraph(&texts.already_answered),
        )));
    }
    // RO-10: a pending solution is confirmed as the next steps agreed, not as "all works now".
    let pending = detail.case.resolution == Some(Resolution::Pending);
    Ok(Html(form_page(&texts, request.purpose, pending)))
}

/// A form post answers with a page; a JSON post with the stored answer.
pub async fn answer(
    State(state): State<AppState>,
    IdPath(secret): IdPath<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(request, &state)
            .await
            .map_err(|rejection| ApiError::UnreadableBody(rejection.body_text()))?;
        let answer = form_answer(QueryParams::from_pairs(pairs))?;
        let (_, detail) = state.app.feedback_request(&secret).await?;
        state.app.answer_feedback(&secret, answer).await?;
        let texts = texts(&detail);
        let body = page(&texts, &texts.thanks_title, &paragraph(&texts.thanks_body));
        return Ok(Html(body).into_response());
    }
    if !content_type.starts_with("application/json") {
        return Err(ApiError::UnsupportedMediaType {
            accepted: "application/x-www-form-urlencoded or application/json",
        });
    }
    let bytes = axum::body::Bytes::from_request(request, &state)
        .await
        .map_err(|rejection| ApiError::UnreadableBody(rejection.body_text()))?;
    let answer: FeedbackAnswer = parse_json(&bytes)?;
    let stored: FeedbackRequest = state.app.answer_feedback(&secret, answer).await?;
    Ok(Json(stored).into_response())
}

/// The form's fields: `score` (1–5), `confirmed` (yes/no), `comment` (may be left empty).
fn form_answer(mut fields: QueryParams) -> Result<FeedbackAnswer, ApiError> {
    let score = fields.take::<u8>("score")?;
    let confirmed = fields.take::<YesNo>("confirmed")?.map(|answer| answer.0);
    let comment = fields
        .take::<String>("comment")?
        .filter(|text| !text.trim().is_empty());
    fields.finish()?;
    Ok(FeedbackAnswer {
        score,
        confirmed,
        comment,
    })
}

struct YesNo(bool);

impl std::str::FromStr for YesNo {
    type Err = DomainError;

    fn from_str(text: &str) -> Result<Self, DomainError> {
        match text {
            "yes" | "true" => Ok(YesNo(true)),
            "no" | "false" => Ok(YesNo(false)),
            _ => Err(DomainError::invalid("confirmed", "must be yes or no")),
        }
    }
}

fn paragraph(text: &str) -> String {
    format!("<p>{}</p>\n", escape_html(text))
}

fn form_page(texts: &FeedbackPageTexts, purpose: FeedbackPurpose, pending: bool) -> String {
    let (title, question) = match purpose {
        FeedbackPurpose::Satisfaction => (&texts.satisfaction_title, &texts.satisfaction_question),
        FeedbackPurpose::Confirmation if pending => (
            &texts.confirmation_pending_title,
            &texts.confirmation_pending_question,
        ),
        FeedbackPurpose::Confirmation => (&texts.confirmation_title, &texts.confirmation_question),
    };
    let (yes, no) = if pending {
        (&texts.confirm_pending_yes, &texts.confirm_pending_no)
    } else {
        (&texts.confirm_yes, &texts.confirm_no)
    };
    let mut body = String::from("<form method=\"post\">\n<fieldset>\n");
    let _ = writeln!(body, "<legend>{}</legend>", escape_html(question));
    match purpose {
        FeedbackPurpose::Satisfaction => {
            for (score, label) in (1..).zip(&texts.scores) {
                let _ = writeln!(
                    body,
                    "<label><input type=\"radio\" name=\"score\" value=\"{score}\" required> \
                     {score} – {}</label>",
                    escape_html(label)
                );
            }
        }
        FeedbackPurpose::Confirmation => {
            for (value, label) in [("yes", yes), ("no", no)] {
                let _ = writeln!(
                    body,
                    "<label><input type=\"radio\" name=\"confirmed\" value=\"{value}\" required> {}</label>",
                    escape_html(label)
                );
            }
        }
    }
    let _ = write!(
        body,
        "</fieldset>\n<label for=\"comment\">{}</label>\n\
         <textarea id=\"comment\" name=\"comment\" rows=\"5\" maxlength=\"{}\"></textarea>\n\
         <button type=\"submit\">{}</button>\n</form>\n",
        escape_html(&texts.comment),
        domain::Limits::NOTE,
        escape_html(&texts.send)
    );
    page(texts, title, &body)
}

/// The whole document: small, no scripts, no outside resources.
fn page(texts: &FeedbackPageTexts, title: &str, body: &str) -> String {
    let title = escape_html(title);
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n\
         body {{ font-family: system-ui, sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}\n\
         fieldset {{ border: none; padding: 0; }} label {{ display: block; margin: .4rem 0; }}\n\
         textarea {{ width: 100%; }} button {{ margin-top: 1rem; padding: .5rem 1.5rem; }}\n\
         </style>\n</head>\n<body>\n<h1>{title}</h1>\n{body}</body>\n</html>\n",
        lang = texts.language,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::CaseId;

    fn pairs(list: &[(&str, &str)]) -> QueryParams {
        QueryParams::from_pairs(
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn form_fields_become_an_answer() {
        let answer = form_answer(pairs(&[("score", "2"), ("comment", "  ")])).unwrap();
        assert_eq!(
            (answer.score, answer.confirmed, answer.comment),
            (Some(2), None, None)
        );
        let answer =
            form_answer(pairs(&[("confirmed", "no"), ("comment", "still broken")])).unwrap();
        assert_eq!(answer.confirmed, Some(false));
        assert_eq!(answer.comment.as_deref(), Some("still broken"));
        for (bad, field) in [
            (&[("score", "five")][..], "score"),
            (&[("confirmed", "maybe")][..], "confirmed"),
            (&[("scroe", "5")][..], "scroe"),
        ] {
            match form_answer(pairs(bad)) {
                Err(ApiError::BadParameter { field: named, .. }) => assert_eq!(named, field),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn the_form_speaks_the_customers_language_and_escapes_nothing_unsafe() {
        let texts = Catalog::builtin()
            .texts(Some("zh-Hant"))
            .feedback_page(CaseId(7));
        let html = form_page(&texts, FeedbackPurpose::Satisfaction, false);
        assert!(html.contains("<html lang=\"zh-Hant\">"), "{html}");
        assert!(html.contains("C-000007"));
        assert!(html.contains("非常滿意"));
        assert_eq!(html.matches("name=\"score\"").count(), 5);
        let html = form_page(&texts, FeedbackPurpose::Confirmation, false);
        assert_eq!(html.matches("name=\"confirmed\"").count(), 2);
        assert!(html.contains(&texts.confirm_yes), "{html}");
        assert!(!html.contains("<script"));
        // RO-10: a pending solution asks about the next steps agreed.
        let html = form_page(&texts, FeedbackPurpose::Confirmation, true);
        assert_eq!(html.matches("name=\"confirmed\"").count(), 2);
        for text in [
            &texts.confirmation_pending_question,
            &texts.confirm_pending_yes,
            &texts.confirm_pending_no,
        ] {
            assert!(html.contains(text.as_str()), "{text}: {html}");
        }
        assert!(!html.contains(&texts.confirm_yes), "{html}");
    }
}
