//! A deliberately small template language: literal text with named `{placeholders}`; `{{` and
//! `}}` stand for literal braces. No logic, no loops: translators write whole sentences, so
//! grammar stays in their hands.

use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Slot(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// Parses a template; the error says what is wrong and where (a character offset).
    pub fn parse(source: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut chars = source.char_indices().peekable();
        while let Some((offset, c)) = chars.next() {
            match c {
                '{' if chars.next_if(|&(_, next)| next == '{').is_some() => text.push('{'),
                '}' if chars.next_if(|&(_, next)| next == '}').is_some() => text.push('}'),
                '}' => return Err(format!("a lone '}}' at {offset}; write '}}}}' for a brace")),
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some((_, '}')) => break,
                            Some((_, c))
                                if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' =>
                            {
                                name.push(c)
                            }
                            Some((at, c)) => {
                                return Err(format!(
                                    "placeholder at {offset}: {c:?} at {at} is not allowed in a name (a-z, 0-9, _)"
                                ));
                            }
                            None => return Err(format!("placeholder at {offset} is not closed")),
                        }
                    }
                    if name.is_empty() {
                        return Err(format!("empty placeholder at {offset}"));
                    }
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(Part::Slot(name));
                }
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Template { parts })
    }

    pub fn placeholders(&self) -> BTreeSet<&str> {
        self.parts
            .iter()
            .filter_map(|part| match part {
                Part::Slot(name) => Some(name.as_str()),
                Part::Text(_) => None,
            })
            .collect()
    }

    /// Fills the placeholders; one without a value is left as `{name}` so that a gap is visible
    /// rather than silently dropped (the catalog's tests make sure it never happens).
    pub fn render(&self, values: &[(&str, &str)]) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Slot(name) => match values.iter().find(|(key, _)| key == name) {
                    Some((_, value)) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                },
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_named_placeholders_any_number_of_times() {
        let template = Template::parse("Case {case_id}: {name}, see {case_id}.").unwrap();
        assert_eq!(
            template.render(&[("case_id", "C-000007"), ("name", "Ana")]),
            "Case C-000007: Ana, see C-000007."
        );
        assert_eq!(
            template.placeholders().into_iter().collect::<Vec<_>>(),
            ["case_id", "name"]
        );
    }

    #[test]
    fn values_are_not_themselves_templates() {
        let template = Template::parse("Hello {name}").unwrap();
        assert_eq!(
            template.render(&[("name", "{case_id} }}")]),
            "Hello {case_id} }}"
        );
    }

    #[test]
    fn doubled_braces_are_literal_braces() {
        let template = Template::parse("{{not a slot}} {x}").unwrap();
        assert_eq!(template.render(&[("x", "y")]), "{not a slot} y");
        assert!(template.placeholders().contains("x"));
        assert_eq!(template.placeholders().len(), 1);
    }

    #[test]
    fn a_missing_value_stays_visible() {
        let template = Template::parse("Due {deadline}.").unwrap();
        assert_eq!(template.render(&[]), "Due {deadline}.");
    }

    #[test]
    fn malformed_templates_are_refused_with_the_place() {
        assert_eq!(
            Template::parse("Due {deadline").unwrap_err(),
            "placeholder at 4 is not closed"
        );
        assert_eq!(
            Template::parse("a } b").unwrap_err(),
            "a lone '}' at 2; write '}}' for a brace"
        );
        assert!(Template::parse("{}").unwrap_err().contains("empty"));
        assert!(
            Template::parse("{Case-Id}")
                .unwrap_err()
                .contains("not allowed")
        );
    }

    #[test]
    fn non_latin_text_passes_through() {
        let template = Template::parse("{customer_name}，您好：案件 {case_id}").unwrap();
        assert_eq!(
            template.render(&[("customer_name", "王芳"), ("case_id", "C-000001")]),
            "王芳，您好：案件 C-000001"
        );
    }
}
