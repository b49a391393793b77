//! The OpenAPI 3.1 description of the service. Written by hand (the domain types stay free of
//! documentation-framework derives); the tests below keep it equal to what the router serves.

pub const DOCUMENT: &str = include_str!("openapi.json");

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::DOCUMENT;

    fn document() -> Value {
        serde_json::from_str(DOCUMENT).expect("openapi.json is JSON")
    }

    const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

    fn documented_enum(doc: &Value, schema: &str, property: &str) -> Vec<String> {
        doc["components"]["schemas"][schema]["properties"][property]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{schema}.{property} documents no enum"))
            .iter()
            .map(|value| value.as_str().expect("text values").to_owned())
            .collect()
    }

    /// The closed sets clients switch on must list exactly what the server sends: a value added
    /// in the domain but not here would surprise every generated client.
    #[test]
    fn documented_enums_follow_the_domain() {
        use domain::process::{
            CommitmentSource, CommitmentStatus, FeedbackPurpose, JobKind, NotificationKind,
        };
        fn texts<T: std::fmt::Display>(all: &[T]) -> Vec<String> {
            all.iter().map(ToString::to_string).collect()
        }
        let doc = document();
        let cases = [
            ("Event", "kind", texts(domain::EventKind::ALL)),
            ("Notification", "kind", texts(NotificationKind::ALL)),
            ("Commitment", "status", texts(CommitmentStatus::ALL)),
            ("Commitment", "source", texts(CommitmentSource::ALL)),
            ("FeedbackRequest", "purpose", texts(FeedbackPurpose::ALL)),
            ("JobRun", "kind", texts(JobKind::ALL)),
        ];
        for (schema, property, expected) in cases {
            assert_eq!(
                documented_enum(&doc, schema, property),
                expected,
                "{schema}.{property}"
            );
        }
    }

    /// RO-10: the kind of solution is documented where a client sends it, with the domain's
    /// values, for the proposal as well as for the resolution.
    #[test]
    fn transitions_document_the_kind_of_solution_proposed() {
        let doc = document();
        let values: Vec<String> = doc["components"]["schemas"]["Resolution"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        let domain: Vec<String> = domain::Resolution::ALL
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(values, domain);
        let resolution = &doc["components"]["schemas"]["Transition"]["properties"]["resolution"];
        assert_eq!(
            resolution["oneOf"][0]["$ref"],
            "#/components/schemas/Resolution"
        );
        let said = resolution["description"].as_str().unwrap();
        for needed in ["resolution_proposed", "pending", "default"] {
            assert!(said.contains(needed), "{needed}: {said}");
        }
        for (to, resolution) in [
            (domain::Status::ResolutionProposed, None),
            (
                domain::Status::ResolutionProposed,
                Some(domain::Resolution::Pending),
            ),
            (domain::Status::Resolved, Some(domain::Resolution::Pending)),
        ] {
            let t = domain::Transition { to, resolution };
            assert_eq!(t.validate(), Ok(t), "documented as accepted: {t:?}");
        }
    }

    /// RO-11: discussions are texts or offers, with the domain's offer outcomes, in both the
    /// record sent and the record read.
    #[test]
    fn incident_discussions_document_offers() {
        let doc = document();
        let schemas = &doc["components"]["schemas"];
        let outcomes: Vec<String> = schemas["OfferOutcome"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        use domain::incident_render::OfferOutcome;
        let domain: Vec<String> = OfferOutcome::ALL
            .iter()
            .map(|o| {
                serde_json::to_value(o)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(outcomes, domain);
        for record in ["IncidentRecord", "IncidentRecordInput"] {
            assert_eq!(
                schemas[record]["properties"]["discussions"]["items"]["$ref"],
                "#/components/schemas/Discussion",
                "{record}"
            );
        }
        let forms = schemas["Discussion"]["oneOf"].as_array().unwrap();
        assert_eq!(forms[0]["type"], "string");
        assert_eq!(
            forms[1]["properties"]["offer"]["$ref"],
            "#/components/schemas/OfferOutcome"
        );
        // The documented object form is what the domain reads.
        let offer: domain::incident_render::Discussion =
            serde_json::from_str(r#"{"text": "A voucher", "offer": "refused"}"#).unwrap();
        assert_eq!(offer.offer, Some(OfferOutcome::Refused));
    }

    #[test]
    fn is_openapi_3_1() {
        assert_eq!(document()["openapi"], "3.1.0");
    }

    #[test]
    fn documents_exactly_the_routed_operations() {
        let doc = document();
        let documented: BTreeSet<(String, String)> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, item)| {
                METHODS
                    .iter()
                    .filter(|m| item.get(**m).is_some())
                    .map(move |m| (m.to_string(), path.clone()))
            })
            .collect();
        let routed: BTreeSet<(String, String)> = crate::routes()
            .registered
            .iter()
            .map(|(method, path)| (method.as_str().to_lowercase(), path.to_string()))
            .collect();
        assert_eq!(documented, routed);
    }

    #[test]
    fn every_reference_resolves() {
        fn walk(value: &Value, doc: &Value, seen: &mut usize) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(target)) = map.get("$ref") {
                        let pointer = target.strip_prefix('#').expect("local reference");
                        assert!(doc.pointer(pointer).is_some(), "dangling {target}");
                        *seen += 1;
                    }
                    map.values().for_each(|v| walk(v, doc, seen));
                }
                Value::Array(items) => items.iter().for_each(|v| walk(v, doc, seen)),
                _ => {}
            }
        }
        let doc = document();
        let mut seen = 0;
        walk(&doc, &doc, &mut seen);
        assert!(seen > 50, "only {seen} references checked");
    }

    #[test]
    fn every_api_operation_requires_the_bearer_token() {
        let doc = document();
        assert_eq!(doc["security"][0]["bearer"], serde_json::json!([]));
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let opted_out = operation.get("security") == Some(&serde_json::json!([]));
                assert_eq!(
                    opted_out,
                    !path.starts_with("/api/"),
                    "{method} {path}: only operations endpoints go without a token"
                );
            }
        }
    }
}
