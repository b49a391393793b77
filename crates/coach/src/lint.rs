//! Reply lint: findings (mistakes that escalate) and good moves in an agent's draft, with the
//! customer's last message as context where the seeds demand it, plus promises.

use std::collections::{BTreeSet, HashMap};

use text::{FxBuildHasher, Lang};

use crate::engine::Engine;
use crate::matcher::Purpose;
use crate::messages::Catalog;
use crate::model::{Finding, GoodMove, LintReport};
use crate::promises::ReferenceTime;
use crate::spec::RuleKind;
use crate::tokens::tokenize;

pub(crate) struct LintRequest<'a> {
    pub text: &'a str,
    pub language: Lang,
    pub ui: Lang,
    pub context: &'a BTreeSet<String>,
    pub reference_time: Option<ReferenceTime>,
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Spans sorted by start, each paired with the largest end so far, to test overlap in log time.
fn with_running_end(spans: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut largest = 0;
    spans
        .iter()
        .map(|&(start, end)| {
            largest = largest.max(end);
            (start, largest)
        })
        .collect()
}

fn any_overlap(spans: &[(usize, usize)], span: (usize, usize)) -> bool {
    let before_end = spans.partition_point(|s| s.0 < span.1);
    before_end > 0 && spans[before_end - 1].1 > span.0
}

pub(crate) fn lint(engine: &Engine, catalog: &Catalog, request: &LintRequest) -> LintReport {
    let text = tokenize(text::fold(request.text), &engine.question_marks);
    let matches = engine.run(&text, Purpose::Reply, request.context);
    let mut findings: Vec<Finding> = Vec::new();
    let mut good_moves: Vec<GoodMove> = Vec::new();
    // Matches come sorted by start, so one end per category is enough to drop overlaps.
    // Keyed by the packs' category names: a fast hash.
    let mut last_end: HashMap<&str, usize, FxBuildHasher> = HashMap::default();
    let mut cancelled: HashMap<&str, Vec<(usize, usize)>, FxBuildHasher> = HashMap::default();
    for m in &matches {
        let rule = &engine.rules[m.rule as usize];
        let span = text.original_span(m.start, m.end);
        let end = last_end.entry(rule.category.as_str()).or_insert(0);
        if span.0 < *end {
            continue;
        }
        *end = span.1;
        let section = if rule.kind == RuleKind::Finding {
            "finding"
        } else {
            "good_move"
        };
        let catalog_text = catalog.text(request.ui, section, &rule.category);
        let title = catalog_text.map_or_else(|| rule.category.clone(), |t| t.title.clone());
        if rule.kind == RuleKind::GoodMove {
            good_moves.push(GoodMove {
                category: rule.category.clone(),
                start: span.0,
                end: span.1,
                seeds: rule.seeds.clone(),
                rule: rule.id.clone(),
                title,
            });
            continue;
        }
        let message = rule
            .explain
            .get(&request.ui)
            .or_else(|| {
                rule.explain
                    .get(&Lang::En)
                    .filter(|_| catalog_text.is_none())
            })
            .cloned()
            .or_else(|| catalog_text.map(|t| t.explain.clone()))
            .unwrap_or_default();
        for category in &rule.cancels {
            cancelled.entry(category.as_str()).or_default().push(span);
        }
        findings.push(Finding {
            category: rule.category.clone(),
            rule: rule.id.clone(),
            severity: rule.severity,
            start: span.0,
            end: span.1,
            seeds: rule.seeds.clone(),
            title,
            message,
            suggestions: rule.suggestions.clone(),
        });
    }
    let cancelled: HashMap<&str, Vec<(usize, usize)>, FxBuildHasher> = cancelled
        .into_iter()
        .map(|(category, mut spans)| {
            spans.sort_unstable();
            (category, with_running_end(&spans))
        })
        .collect();
    good_moves.retain(|g| {
        !cancelled
            .get(g.category.as_str())
            .is_some_and(|spans| any_overlap(spans, (g.start, g.end)))
    });

    let promises = engine.promises.extract(&text, request.reference_time);
    for promise in &promises {
        let span = (promise.start, promise.end);
        if !good_moves
            .iter()
            .any(|g| g.category == "callback_promise" && overlaps((g.start, g.end), span))
        {
            good_moves.push(GoodMove {
                category: "callback_promise".into(),
                start: promise.start,
                end: promise.end,
                seeds: vec!["CLEAR-C".into()],
                rule: format!("{}.promises", engine.lang),
                title: catalog
                    .text(request.ui, "good_move", "callback_promise")
                    .map_or_else(|| "callback_promise".into(), |t| t.title.clone()),
            });
        }
    }
    findings.sort_by_key(|f| (f.start, f.end));
    good_moves.sort_by_key(|g| (g.start, g.end));
    LintReport {
        language: request.language,
        findings,
        good_moves,
        promises,
    }
}
