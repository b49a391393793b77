//! Text analysis shared by the coach and search: Unicode folding with an offset map back to the
//! original, search tokens (folded words, Chinese as overlapping bigrams) and language detection
//! for the six Calmdesk languages. Pure: no I/O, no global state beyond constant tables.

mod detect;
mod fold;
mod lang;
mod script;
mod tokens;

pub use detect::{detect, detect_with_hint};
pub use fold::{Folded, fold};
pub use lang::{Detection, Lang, ParseLangError};
pub use tokens::search_tokens;
