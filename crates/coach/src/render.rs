//! The human view of `calmdesk coach lint "text"`: the reply with findings marked, then each
//! finding explained with a suggestion, the good moves and the promises.

use std::collections::HashMap;
use std::fmt::Write;

use text::Lang;

use crate::Coach;
use crate::model::LintReport;
use crate::spec::Severity;

const RED_UNDERLINE: &str = "\x1b[4;31m";
const GREEN: &str = "\x1b[32m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

impl Coach {
    /// Renders `report` (from linting `text`) for a terminal; `color` adds ANSI colours, without
    /// it findings are marked `[like this]¹`. `ui` chooses the language of the labels.
    pub fn render_lint(&self, text: &str, report: &LintReport, ui: Lang, color: bool) -> String {
        let mut out = String::new();
        let chars: Vec<char> = text.chars().collect();
        let numbers: Vec<String> = (1..=report.findings.len()).map(superscript).collect();
        let mut opens: HashMap<usize, usize> = HashMap::new();
        let mut closes: HashMap<usize, Vec<usize>> = HashMap::new();
        for (n, finding) in report.findings.iter().enumerate() {
            *opens.entry(finding.start).or_default() += 1;
            closes.entry(finding.end).or_default().push(n);
        }
        for (i, c) in chars.iter().enumerate() {
            for _ in 0..opens.get(&i).copied().unwrap_or(0) {
                out.push_str(if color { RED_UNDERLINE } else { "[" });
            }
            out.push(*c);
            for &n in closes.get(&(i + 1)).into_iter().flatten() {
                out.push_str(if color { RESET } else { "]" });
                out.push_str(&numbers[n]);
            }
        }
        out.push_str("\n\n");
        let (bold, green, reset) = if color {
            (BOLD, GREEN, RESET)
        } else {
            ("", "", "")
        };
        if report.findings.is_empty() {
            let _ = writeln!(out, "{}", self.ui_text(ui, "no_findings"));
        } else {
            let _ = writeln!(out, "{bold}{}{reset}", self.ui_text(ui, "findings"));
        }
        for (n, finding) in report.findings.iter().enumerate() {
            let excerpt: String = chars
                [finding.start.min(chars.len())..finding.end.min(chars.len())]
                .iter()
                .collect();
            let severity = self.ui_text(
                ui,
                match finding.severity {
                    Severity::Low => "severity_low",
                    Severity::Medium => "severity_medium",
                    Severity::High => "severity_high",
                },
            );
            let _ = writeln!(
                out,
                "{}. {bold}{}{reset} ({severity}) “{excerpt}”",
                n + 1,
                finding.title
            );
            let _ = writeln!(out, "   {}", finding.message);
            for suggestion in finding.suggestions.iter().take(2) {
                let _ = writeln!(out, "   {}: {suggestion}", self.ui_text(ui, "suggestion"));
            }
            let _ = writeln!(
                out,
                "   {}: {} · {}",
                self.ui_text(ui, "seeds"),
                finding.seeds.join(", "),
                finding.rule
            );
        }
        if !report.good_moves.is_empty() {
            let _ = writeln!(out, "\n{bold}{}{reset}", self.ui_text(ui, "good_moves"));
            for good in &report.good_moves {
                let excerpt: String = chars[good.start.min(chars.len())..good.end.min(chars.len())]
                    .iter()
                    .collect();
                let _ = writeln!(
                    out,
                    "{green}+{reset} {}: “{excerpt}” ({})",
                    good.title,
                    good.seeds.join(", ")
                );
            }
        }
        if !report.promises.is_empty() {
            let _ = writeln!(out, "\n{bold}{}{reset}", self.ui_text(ui, "promises"));
            for promise in &report.promises {
                let excerpt: String = chars
                    [promise.start.min(chars.len())..promise.end.min(chars.len())]
                    .iter()
                    .collect();
                let kind = serde_json::to_value(promise.kind).ok();
                let kind = kind.as_ref().and_then(|v| v.as_str()).unwrap_or("");
                let mut line = format!("- {kind}: “{excerpt}”");
                if let Some(seconds) = promise.within_seconds {
                    let _ = write!(line, " ({seconds} s)");
                }
                if let Some(due) = &promise.due_at {
                    let _ = write!(line, " {} {due}", self.ui_text(ui, "due"));
                }
                let _ = writeln!(out, "{line}");
            }
        }
        out
    }
}

fn superscript(n: usize) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    n.to_string()
        .chars()
        .map(|d| DIGITS[d.to_digit(10).unwrap_or(0) as usize])
        .collect()
}

#[cfg(test)]
mod tests {
    use text::Lang;

    use crate::LintInput;

    #[test]
    fn marks_findings_and_explains_them() {
        let coach = crate::test_support::english();
        let text = "I'm sorry, but our policy says no. Let me see what I can do.";
        let report = coach.lint(&LintInput {
            text: text.into(),
            language: Some(Lang::En),
            ..LintInput::default()
        });
        let plain = coach.render_lint(text, &report, Lang::En, false);
        assert!(plain.starts_with("I'm [sorry, but]¹ our policy"), "{plain}");
        assert!(plain.contains("“But” cancels the apology"), "{plain}");
        assert!(plain.contains("Try instead"), "{plain}");
        assert!(plain.contains("(high)"), "{plain}");
        let greek = coach.render_lint(text, &report, Lang::El, false);
        assert!(greek.contains("(υψηλή)"), "{greek}");
        assert!(plain.contains("Offers to try"), "{plain}");
        let coloured = coach.render_lint(text, &report, Lang::En, true);
        assert!(
            coloured.contains("\x1b[4;31msorry, but\x1b[0m¹"),
            "{coloured}"
        );
    }
}
