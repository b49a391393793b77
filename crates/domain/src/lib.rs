//! Calmdesk's domain: the complaint case, its lifecycle, the commands that change it and the
//! storage port. Pure: no I/O, no database or web framework types.

pub mod calendar;
mod commands;
mod error;
mod export;
mod ids;
pub mod incident_render;
mod lifecycle;
mod model;
pub mod notices;
mod paging;
mod ports;
pub mod process;
pub mod report_math;
pub mod routing;
pub mod sla;
mod taxonomy;
mod text_enum;

pub use commands::{
    Assign, CaseFilter, IncidentRecordInput, LANGUAGES, Limits, NewAgent, NewCase, NewCustomer,
    NewDepartment, NewMessage, Transition, UpdateCase,
};
pub use error::{DomainError, StoreError};
pub use export::{
    CaseProcess, ExportRecord, ExportedCommitment, ExportedFeedback, ExportedNotification,
};
pub use ids::{AgentId, CaseId, CustomerId, DepartmentId, EventId, MessageId};
pub use jiff::Timestamp;
pub use lifecycle::{Resolution, Status};
pub use model::{
    Actor, Agent, ApiToken, Case, CaseDetail, Channel, Customer, Department, Direction, Event,
    EventKind, IncidentRecord, Message, Money, PROCESS_ENGINE, Priority, Role,
    is_reserved_actor_name,
};
pub use paging::{Cursor, ListQuery, Page};
pub use ports::{Clock, ProcessStore, Store};
pub use taxonomy::{Taxonomy, TaxonomyError, Term};
