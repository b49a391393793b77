//! Runs every example of every rule in every pack found under playbooks/ (packs added by other
//! languages or organisations are picked up automatically by the build script).

use coach::{Coach, LintInput, Speaker, Turn};

fn produces(coach: &Coach, rule: &coach::RuleExamples, text: &str) -> bool {
    match rule.kind {
        "signal" => coach
            .analyze_in(rule.language, text)
            .signals
            .iter()
            .any(|s| s.category == rule.category),
        _ => {
            let input = LintInput {
                text: text.to_owned(),
                context: rule
                    .examples
                    .context
                    .iter()
                    .map(|c| Turn {
                        from: Speaker::Customer,
                        text: c.clone(),
                    })
                    .collect(),
                language: Some(rule.language),
                ..LintInput::default()
            };
            let report = coach.lint_in(rule.language, &input);
            report.findings.iter().any(|f| f.category == rule.category)
                || report
                    .good_moves
                    .iter()
                    .any(|g| g.category == rule.category)
        }
    }
}

#[test]
fn all_builtin_packs_load_together() {
    if let Err(e) = Coach::builtin() {
        panic!("{e}");
    }
}

/// Each pack file on its own, so one broken pack does not hide the results of the others.
#[test]
fn every_rule_example_behaves_as_labelled() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for &(file, source) in coach::builtin_packs() {
        let coach = match Coach::from_packs(&[(file, source)]) {
            Ok(coach) => coach,
            Err(e) => {
                failures.push(e.to_string());
                continue;
            }
        };
        for rule in coach.rule_examples() {
            for text in &rule.examples.positive {
                checked += 1;
                if !produces(&coach, &rule, text) {
                    failures.push(format!(
                        "{} {}: positive example not found: {text:?}",
                        rule.file, rule.rule
                    ));
                }
            }
            for text in &rule.examples.negative {
                checked += 1;
                if produces(&coach, &rule, text) {
                    failures.push(format!(
                        "{} {}: negative example fires {}: {text:?}",
                        rule.file, rule.rule, rule.category
                    ));
                }
            }
        }
    }
    println!("{checked} examples checked");
    assert!(
        failures.is_empty(),
        "{} failing examples:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
