//! Every built-in pack covers every coach-kind (C) seed of PLAYBOOK.md, every message file has
//! the keys of the English one, and the English messages explain every contract category.

use std::collections::BTreeSet;

use coach::{Coach, vocab};

/// The IDs whose kind includes C in shared/PLAYBOOK.md.
const COACH_SEEDS: &[&str] = &[
    "RO-1", "RO-2", "RO-3", "RO-4", "RO-5", "RO-6", "RO-7", "RO-8", "RO-9", "RO-10", "ZH-3",
    "ZH-4", "ZH-5", "ZH-6", "CLEAR-C", "CLEAR-L", "CLEAR-E", "CLEAR-A", "CLEAR-R1", "TL-4", "TL-6",
    "TL-9", "EL-1", "EL-2", "EL-3", "EL-5",
];

#[test]
fn every_pack_covers_every_coach_seed() {
    let mut problems = Vec::new();
    for &(file, source) in coach::builtin_packs() {
        let Ok(coach) = Coach::from_packs(&[(file, source)]) else {
            continue; // rule_examples reports packs that do not load
        };
        let seeds: BTreeSet<String> = coach
            .rule_examples()
            .into_iter()
            .flat_map(|r| r.seeds)
            .collect();
        let missing: Vec<&str> = COACH_SEEDS
            .iter()
            .copied()
            .filter(|s| !seeds.contains(*s))
            .collect();
        if !missing.is_empty() {
            problems.push(format!("{file}: no rule for {}", missing.join(", ")));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn keys(source: &str) -> BTreeSet<String> {
    let table: toml::Table = toml::from_str(source).expect("message files are TOML");
    table
        .iter()
        .flat_map(|(section, entries)| {
            entries
                .as_table()
                .into_iter()
                .flat_map(|t| t.keys())
                .map(move |key| format!("{section}.{key}"))
        })
        .collect()
}

#[test]
fn message_files_share_the_english_keys() {
    let messages = coach::builtin_messages();
    let english = messages
        .iter()
        .find(|(f, _)| *f == "en.toml")
        .expect("messages/en.toml");
    let english_keys = keys(english.1);
    for category in vocab::FINDINGS {
        assert!(
            english_keys.contains(&format!("finding.{category}")),
            "finding.{category}"
        );
    }
    for category in vocab::GOOD_MOVES {
        assert!(
            english_keys.contains(&format!("good_move.{category}")),
            "good_move.{category}"
        );
    }
    let mut problems = Vec::new();
    for (file, source) in messages {
        let missing: Vec<String> = english_keys.difference(&keys(source)).cloned().collect();
        if !missing.is_empty() {
            problems.push(format!("messages/{file}: missing {}", missing.join(", ")));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
