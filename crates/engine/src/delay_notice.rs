//! TL-8 "after agent approval": what sending a drafted delay notice gives back, and why it may be
//! refused. The sending itself is `Engine::send_delay_notice` (next to the automatic notice in
//! the SLA handler, so both go out under the same key with the same promise).

use domain::process::{Commitment, NotificationId, NotificationKind};
use domain::{CaseId, Message, MessageId, Status, Timestamp};
use serde::Serialize;

/// What sending a drafted delay notice stored: the message to the customer and the promise of
/// its new date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentDelayNotice {
    pub message: Message,
    pub commitment: Commitment,
}

/// Why a drafted delay notice cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DelayNoticeRefusal {
    #[error(
        "notification {notification} is a {kind} notification, not a delay notice waiting for approval"
    )]
    NotADraft {
        notification: NotificationId,
        kind: NotificationKind,
    },
    #[error("notification {notification} is not about {case}")]
    OtherCase {
        notification: NotificationId,
        case: CaseId,
        other: Option<CaseId>,
    },
    #[error(
        "the delay notice of notification {notification} was sent already (message {message}, at {sent_at})"
    )]
    AlreadySent {
        notification: NotificationId,
        message: MessageId,
        sent_at: Timestamp,
    },
    #[error("only the agent who has {case} or a supervisor may send its delay notice")]
    NotOwner { case: CaseId },
    #[error("{case} is {status}: its delay notice is no longer sent")]
    CaseSettled { case: CaseId, status: Status },
    #[error(
        "the delay notice of notification {notification} was drafted for the resolution deadline {drafted_for}, which is no longer the case's ({})",
        deadline.map_or_else(|| "none now".to_owned(), |d| d.to_string())
    )]
    Outdated {
        notification: NotificationId,
        drafted_for: Timestamp,
        deadline: Option<Timestamp>,
    },
}
