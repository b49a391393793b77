//! The incident record as a document (RO-11): CLIENT, PROBLEM, DISCUSSIONS (what was said and
//! offered, including offers the customer refused), SOLUTION, and the agent's name, department
//! and phone, so a colleague can take the customer over. Headings are in the agent's language;
//! the same outline is written as Markdown or as HTML, with everything typed by people escaped.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::ids::CaseId;
use crate::notices::Texts;

/// What happened to an offer made to the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferOutcome {
    Made,
    Accepted,
    Refused,
}

impl OfferOutcome {
    pub const ALL: [OfferOutcome; 3] = [
        OfferOutcome::Made,
        OfferOutcome::Accepted,
        OfferOutcome::Refused,
    ];
}

/// One bullet of DISCUSSIONS; `offer` is set when the bullet is an offer made to the customer
/// (RO-11: "including offers made and refused").
///
/// In JSON a plain bullet is a string, as discussions always were, and an offer is an object
/// `{"text": "…", "offer": "made" | "accepted" | "refused"}`; either form is read. So records
/// written before offers existed read and write back byte for byte the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discussion {
    pub text: String,
    pub offer: Option<OfferOutcome>,
}

impl From<String> for Discussion {
    fn from(text: String) -> Self {
        Discussion { text, offer: None }
    }
}

impl From<&str> for Discussion {
    fn from(text: &str) -> Self {
        Discussion::from(text.to_owned())
    }
}

/// The object form of a bullet.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DiscussionObject {
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    offer: Option<OfferOutcome>,
}

impl Serialize for Discussion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.offer {
            None => serializer.serialize_str(&self.text),
            Some(offer) => DiscussionObject {
                text: self.text.clone(),
                offer: Some(offer),
            }
            .serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Discussion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bullet;

        impl<'de> serde::de::Visitor<'de> for Bullet {
            type Value = Discussion;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a text, or an object {\"text\": …, \"offer\": \"made\" | \"accepted\" | \"refused\"}",
                )
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Discussion, E> {
                Ok(Discussion::from(text))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Discussion, A::Error> {
                let object = DiscussionObject::deserialize(
                    serde::de::value::MapAccessDeserializer::new(map),
                )?;
                Ok(Discussion {
                    text: object.text,
                    offer: object.offer,
                })
            }
        }

        deserializer.deserialize_any(Bullet)
    }
}

/// Everything the record shows; the app gathers it from the case, customer, agent and department.
#[derive(Debug, Clone)]
pub struct IncidentDocument<'a> {
    pub case_id: CaseId,
    pub client_name: &'a str,
    pub client_email: Option<&'a str>,
    pub client_phone: Option<&'a str>,
    pub problem: &'a str,
    pub discussions: &'a [Discussion],
    pub solution: &'a str,
    pub agent_name: &'a str,
    pub department: Option<&'a str>,
    pub agent_phone: Option<&'a str>,
    pub updated_at: Timestamp,
}

/// Shown where a value is unknown.
const NOTHING: &str = "—";

enum Body {
    Text(String),
    Bullets(Vec<(Option<String>, String)>),
}

struct Outline {
    language: &'static str,
    title: String,
    sections: Vec<(String, Body)>,
    /// Label and value pairs of the signature, then the "last updated" line.
    signature: Vec<(String, String)>,
    updated: String,
}

fn outline(doc: &IncidentDocument<'_>, texts: &Texts, zone: &TimeZone) -> Outline {
    let label = |key: &str| texts.text(key, &[]);
    let known = |value: Option<&str>| {
        value
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .unwrap_or(NOTHING)
            .to_owned()
    };
    let contact: Vec<String> = [doc.client_email, doc.client_phone]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    let contact = if contact.is_empty() {
        NOTHING.to_owned()
    } else {
        texts.join(&contact)
    };
    let client = format!(
        "{}\n{}: {contact}",
        known(Some(doc.client_name)),
        label("incident.contact")
    );
    let bullets = doc
        .discussions
        .iter()
        .map(|discussion| {
            let offer = discussion.offer.map(|outcome| {
                label(match outcome {
                    OfferOutcome::Made => "incident.offer_made",
                    OfferOutcome::Accepted => "incident.offer_accepted",
                    OfferOutcome::Refused => "incident.offer_refused",
                })
            });
            (offer, discussion.text.trim().to_owned())
        })
        .collect();
    Outline {
        language: texts.language(),
        title: texts.text("incident.title", &[("case_id", &doc.case_id.to_string())]),
        sections: vec![
            (label("incident.client"), Body::Text(client)),
            (
                label("incident.problem"),
                Body::Text(known(Some(doc.problem))),
            ),
            (label("incident.discussions"), Body::Bullets(bullets)),
            (
                label("incident.solution"),
                Body::Text(known(Some(doc.solution))),
            ),
        ],
        signature: vec![
            (label("incident.agent"), known(Some(doc.agent_name))),
            (label("incident.department"), known(doc.department)),
            (label("incident.phone"), known(doc.agent_phone)),
        ],
        updated: texts.text(
            "incident.updated",
            &[("updated_at", &texts.format_datetime(doc.updated_at, zone))],
        ),
    }
}

/// The record as CommonMark. People's text is escaped so it cannot add headings, links or HTML.
pub fn render_markdown(doc: &IncidentDocument<'_>, texts: &Texts, zone: &TimeZone) -> String {
    let outline = outline(doc, texts, zone);
    let mut out = format!("# {}\n", escape_markdown(&outline.title));
    for (heading, body) in &outline.sections {
        out.push_str(&format!("\n## {}\n\n", escape_markdown(heading)));
        match body {
            // Two trailing spaces keep the writer's line breaks as breaks.
            Body::Text(text) => {
                out.push_str(&escape_markdown(text).replace('\n', "  \n"));
                out.push('\n');
            }
            Body::Bullets(items) if items.is_empty() => out.push_str(&format!("{NOTHING}\n")),
            Body::Bullets(items) => {
                for (offer, text) in items {
                    let text = escape_markdown(text).replace('\n', "  \n  ");
                    match offer {
                        Some(label) => {
                            out.push_str(&format!("- *{}* — {text}\n", escape_markdown(label)));
                        }
                        None => out.push_str(&format!("- {text}\n")),
                    }
                }
            }
        }
    }
    out.push_str("\n---\n\n");
    let signature: Vec<String> = outline
        .signature
        .iter()
        .map(|(label, value)| escape_markdown(&format!("{label}: {value}")))
        .collect();
    out.push_str(&signature.join("  \n"));
    out.push_str(&format!("  \n{}\n", escape_markdown(&outline.updated)));
    out
}

/// The record as an HTML fragment (an `<article>` in the agent's language), every text escaped.
pub fn render_html(doc: &IncidentDocument<'_>, texts: &Texts, zone: &TimeZone) -> String {
    let outline = outline(doc, texts, zone);
    let lines = |text: &str| escape_html(text).replace('\n', "<br>\n");
    let mut out = format!(
        "<article class=\"incident-record\" lang=\"{}\">\n<h1>{}</h1>\n",
        outline.language,
        escape_html(&outline.title)
    );
    for (heading, body) in &outline.sections {
        out.push_str(&format!("<h2>{}</h2>\n", escape_html(heading)));
        match body {
            Body::Text(text) => out.push_str(&format!("<p>{}</p>\n", lines(text))),
            Body::Bullets(items) if items.is_empty() => {
                out.push_str(&format!("<p>{NOTHING}</p>\n"));
            }
            Body::Bullets(items) => {
                out.push_str("<ul>\n");
                for (offer, text) in items {
                    let offer = offer.as_ref().map_or(String::new(), |label| {
                        format!("<em class=\"offer\">{}</em> — ", escape_html(label))
                    });
                    out.push_str(&format!("<li>{offer}{}</li>\n", lines(text)));
                }
                out.push_str("</ul>\n");
            }
        }
    }
    out.push_str("<footer>\n<dl>\n");
    for (label, value) in &outline.signature {
        out.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>\n",
            escape_html(label),
            escape_html(value)
        ));
    }
    out.push_str(&format!(
        "</dl>\n<p>{}</p>\n</footer>\n</article>\n",
        escape_html(&outline.updated)
    ));
    out
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes CommonMark syntax in running text: inline markers everywhere, and block markers
/// (lists, headings, quotes, rules, code indentation) at the start of a line.
fn escape_markdown(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.trim_start();
            let mut out = String::with_capacity(line.len());
            let numbered = line
                .find(|c: char| !c.is_ascii_digit())
                .filter(|&end| end > 0 && line[end..].starts_with(['.', ')']));
            for (index, c) in line.char_indices() {
                let block_marker =
                    (index == 0 && matches!(c, '-' | '+' | '=')) || numbered == Some(index);
                if block_marker
                    || matches!(
                        c,
                        '\\' | '`'
                            | '*'
                            | '_'
                            | '['
                            | ']'
                            | '<'
                            | '>'
                            | '#'
                            | '|'
                            | '~'
                            | '&'
                            | '!'
                    )
                {
                    out.push('\\');
                }
                out.push(c);
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LANGUAGES;
    use crate::notices::Catalog;

    fn discussions() -> Vec<Discussion> {
        vec![
            Discussion::from("Customer says the toaster stopped after 2 days.".to_owned()),
            Discussion {
                text: "A 10% voucher".to_owned(),
                offer: Some(OfferOutcome::Refused),
            },
            Discussion {
                text: "Warranty repair, box sent".to_owned(),
                offer: Some(OfferOutcome::Accepted),
            },
        ]
    }

    fn document(discussions: &[Discussion]) -> IncidentDocument<'_> {
        IncidentDocument {
            case_id: CaseId(123),
            client_name: "Ana Popescu",
            client_email: Some("ana@example.ro"),
            client_phone: Some("+40700000000"),
            problem: "The toaster does not heat.\nSecond appliance this year.",
            discussions,
            solution: "Warranty repair; we send a box for the return.",
            agent_name: "Ioana Ionescu",
            department: Some("Service"),
            agent_phone: Some("+40 21 000 0001"),
            updated_at: "2026-11-25T10:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn markdown_has_the_four_ro11_sections_and_the_signature() {
        let items = discussions();
        let texts = Catalog::builtin().texts(Some("en"));
        let md = render_markdown(&document(&items), texts, &TimeZone::UTC);
        assert_eq!(
            md,
            "# Incident record C-000123\n\
             \n## CLIENT\n\nAna Popescu  \nContact: ana@example.ro, +40700000000\n\
             \n## PROBLEM\n\nThe toaster does not heat.  \nSecond appliance this year.\n\
             \n## DISCUSSIONS\n\n\
             - Customer says the toaster stopped after 2 days.\n\
             - *offer refused by the customer* — A 10% voucher\n\
             - *offer accepted by the customer* — Warranty repair, box sent\n\
             \n## SOLUTION\n\nWarranty repair; we send a box for the return.\n\
             \n---\n\n\
             Agent: Ioana Ionescu  \nDepartment: Service  \nPhone: +40 21 000 0001  \n\
             Last updated: Wednesday 25 November 2026, 10:00 (UTC)\n"
        );
    }

    #[test]
    fn html_escapes_everything_people_typed() {
        let items = vec![Discussion {
            text: "<script>alert('x')</script> & \"quotes\"".to_owned(),
            offer: Some(OfferOutcome::Made),
        }];
        let mut doc = document(&items);
        doc.client_name = "<b>Eve</b>";
        let html = render_html(&doc, Catalog::builtin().texts(Some("en")), &TimeZone::UTC);
        assert!(
            !html.contains("<script>") && !html.contains("<b>"),
            "{html}"
        );
        assert!(html.contains(
            "<li><em class=\"offer\">offer made</em> — &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;</li>"
        ), "{html}");
        assert!(
            html.contains(
                "<p>&lt;b&gt;Eve&lt;/b&gt;<br>\nContact: ana@example.ro, +40700000000</p>"
            )
        );
        assert!(html.starts_with(
            "<article class=\"incident-record\" lang=\"en\">\n<h1>Incident record C-000123</h1>"
        ));
        assert!(html.contains("<dt>Phone</dt><dd>+40 21 000 0001</dd>"));
    }

    #[test]
    fn markdown_cannot_be_hijacked_by_typed_text() {
        let items = vec![Discussion::from(
            "# not a heading\n- not a bullet\n1. not a list\n[link](http://x) <img src=x>"
                .to_owned(),
        )];
        let mut doc = document(&items);
        doc.problem = "    indented code?\n***\n=====";
        let md = render_markdown(&doc, Catalog::builtin().texts(Some("en")), &TimeZone::UTC);
        assert!(md.contains("- \\# not a heading  \n  \\- not a bullet  \n  1\\. not a list  \n  \\[link\\](http://x) \\<img src=x\\>\n"), "{md}");
        assert!(
            md.contains("\n\nindented code?  \n\\*\\*\\*  \n\\=====\n"),
            "{md}"
        );
    }

    #[test]
    fn unknown_values_show_a_dash_and_no_discussions_show_a_dash() {
        let doc = IncidentDocument {
            client_email: None,
            client_phone: Some(" "),
            department: None,
            agent_phone: None,
            solution: "",
            ..document(&[])
        };
        let md = render_markdown(&doc, Catalog::builtin().texts(Some("en")), &TimeZone::UTC);
        assert!(md.contains("Contact: —\n"), "{md}");
        assert!(md.contains("## DISCUSSIONS\n\n—\n"), "{md}");
        assert!(md.contains("## SOLUTION\n\n—\n"), "{md}");
        assert!(md.contains("Department: —  \nPhone: —"), "{md}");
    }

    #[test]
    fn headings_are_in_the_agents_language_for_all_six() {
        let items = discussions();
        let doc = document(&items);
        let mut all_headings = std::collections::BTreeSet::new();
        for language in LANGUAGES {
            let texts = Catalog::builtin().texts(Some(language));
            let md = render_markdown(&doc, texts, &TimeZone::UTC);
            let html = render_html(&doc, texts, &TimeZone::UTC);
            assert!(html.contains(&format!("lang=\"{language}\"")));
            let headings: Vec<&str> = md.lines().filter(|l| l.starts_with("## ")).collect();
            assert_eq!(headings.len(), 4, "{language}");
            assert_eq!(html.matches("<h2>").count(), 4, "{language}");
            for heading in headings {
                all_headings.insert(heading.to_owned());
            }
            assert!(md.contains("Ioana Ionescu") && md.contains("+40 21 000 0001"));
        }
        // English and Romanian share "CLIENT"; every other heading is the language's own.
        assert_eq!(all_headings.len(), 4 * 6 - 1);
        let el = render_markdown(&doc, Catalog::builtin().texts(Some("el")), &TimeZone::UTC);
        assert!(el.contains("## ΣΥΖΗΤΗΣΕΙΣ") && el.contains("*προσφορά που απέρριψε ο πελάτης*"));
    }

    #[test]
    fn discussions_round_trip_as_json_with_optional_offer() {
        let json = serde_json::to_string(&discussions()).unwrap();
        // A plain bullet stays a string, as before offers existed; an offer is an object.
        assert!(
            json.starts_with("[\"Customer says the toaster stopped after 2 days.\",{\"text\":"),
            "{json}"
        );
        assert!(json.contains("\"offer\":\"refused\""));
        let back: Vec<Discussion> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, discussions());
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        // Records stored before offers existed read as plain bullets and write back unchanged.
        let old = r#"["Offered a voucher; refused","Called back"]"#;
        let read: Vec<Discussion> = serde_json::from_str(old).unwrap();
        assert!(read.iter().all(|d| d.offer.is_none()));
        assert_eq!(serde_json::to_string(&read).unwrap(), old);
        // An object without an offer is read as a plain bullet.
        let plain: Discussion = serde_json::from_str(r#"{"text": "Called back"}"#).unwrap();
        assert_eq!(plain, Discussion::from("Called back"));
        for bad in [
            r#"{"text": "x", "offer": "declined"}"#,
            r#"{"text": "x", "outcome": "made"}"#,
            r#"{"offer": "made"}"#,
            "42",
        ] {
            assert!(serde_json::from_str::<Discussion>(bad).is_err(), "{bad}");
        }
    }
}
