//! Evaluation of the coach: reads the outside labelled sets in evaldata/ and the coach's own
//! suite, and reports per-language precision, recall and F1 for language id, complaint, anger,
//! abuse and every lint category. Does file I/O; the coach itself stays pure.

mod datasets;
mod error;
mod metrics;
mod report;
mod run;
mod split;
mod suite;
mod table;

pub use datasets::Task;
pub use error::EvalError;
pub use metrics::{Counts, Scores};
pub use report::{
    EvalReport, Measurement, Miss, SetUsage, VADER_AIRLINE_NEGATIVE_F1, VADER_COMPLAINT_TWEETS_F1,
};
pub use run::{Options, run, run_with};
pub use split::Half;
