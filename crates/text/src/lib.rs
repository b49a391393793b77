//! Text analysis shared by the coach and search: Unicode folding with an offset map back to the
//! original, search tokens (folded words, Chinese as overlapping bigrams) and language detection
//! for the six Calmdesk languages. Pure: no I/O, no global state beyond constant tables.
//!
//! Language detection routes by script first (Han, Greek, Latin, other), then decides within
//! it: simplified vs traditional Chinese by characters that exist in only one script, Latin text
//! by function words, letters and word shapes (English, Romanian with or without diacritics,
//! Tagalog and Taglish, Greeklish, and other languages scored so they come out as `und`).
//! Accuracy per language on real text and speed are measured by `examples/langid_eval.rs` and
//! `examples/text_speed.rs`; the numbers are in docs/COACH.md ("Evaluation").

mod detect;
mod fold;
mod hash;
mod lang;
mod script;
pub mod swar;
mod tokens;

pub use detect::{detect, detect_with_hint};
pub use fold::{Folded, fold, recycle};
pub use hash::{FxBuildHasher, FxHasher};
pub use lang::{Detection, Lang, ParseLangError};
pub use script::is_known_punctuation;
pub use tokens::search_tokens;
