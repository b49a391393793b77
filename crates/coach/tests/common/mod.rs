//! Shared by the integration tests.

use coach::Coach;

/// All built-in packs; if one that is being written concurrently does not load yet, the packs
/// that do (rule_examples.rs reports the broken one).
pub fn loadable_builtin() -> Coach {
    Coach::builtin().unwrap_or_else(|e| {
        println!("built-in packs do not load together ({e}); using the packs that load");
        let packs: Vec<(&str, &str)> = coach::builtin_packs()
            .iter()
            .filter(|p| Coach::from_packs(&[**p]).is_ok())
            .copied()
            .collect();
        Coach::from_packs(&packs).expect("packs that load alone load together")
    })
}
