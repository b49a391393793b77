//! Who may do what. Roles are ranked: an admin may do everything a supervisor may, a supervisor
//! everything an agent may.

use std::fmt;

use domain::{Actor, Role};

use crate::error::AppError;

/// The kinds of thing a caller asks to do, each with the least role that may do it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read cases, their history, customers and the staff directory.
    ReadCases,
    /// Open cases, reply, move them through the lifecycle, transfer them with a note.
    WorkCases,
    /// Decide who owns a case.
    Assign,
    /// Create agents and departments.
    ManageStaff,
    /// Hand out API tokens.
    IssueToken,
    /// See every staff notification, not only one's own.
    ReadAllNotifications,
    /// Create preventive actions against root causes and follow them up (CLEAR-R3).
    ReviewCauses,
    /// Read the root-cause report.
    Report,
    /// Look into the job runner (job runs, timings).
    Operate,
}

impl Action {
    pub fn least_role(self) -> Role {
        match self {
            Action::ReadCases | Action::WorkCases => Role::Agent,
            Action::Assign
            | Action::ReadAllNotifications
            | Action::ReviewCauses
            | Action::Report => Role::Supervisor,
            Action::ManageStaff | Action::IssueToken | Action::Operate => Role::Admin,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::ReadCases => "reading cases",
            Action::WorkCases => "working on cases",
            Action::Assign => "assigning cases",
            Action::ManageStaff => "managing agents and departments",
            Action::IssueToken => "issuing tokens",
            Action::ReadAllNotifications => "reading everyone's notifications",
            Action::ReviewCauses => "managing preventive actions",
            Action::Report => "reading the root-cause report",
            Action::Operate => "inspecting the job runner",
        })
    }
}

fn rank(role: Role) -> u8 {
    match role {
        Role::Agent => 1,
        Role::Supervisor => 2,
        Role::Admin => 3,
    }
}

/// Whether `role` may perform `action`.
pub fn may(role: Role, action: Action) -> bool {
    rank(role) >= rank(action.least_role())
}

pub(crate) fn require(actor: &Actor, action: Action) -> Result<(), AppError> {
    if may(actor.role, action) {
        Ok(())
    } else {
        Err(AppError::Forbidden {
            action,
            required: action.least_role(),
            held: actor.role,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACTIONS: [Action; 9] = [
        Action::ReadCases,
        Action::WorkCases,
        Action::Assign,
        Action::ManageStaff,
        Action::IssueToken,
        Action::ReadAllNotifications,
        Action::ReviewCauses,
        Action::Report,
        Action::Operate,
    ];

    #[test]
    fn agents_work_cases_but_neither_assign_nor_manage() {
        assert!(may(Role::Agent, Action::ReadCases));
        assert!(may(Role::Agent, Action::WorkCases));
        assert!(!may(Role::Agent, Action::Assign));
        assert!(!may(Role::Agent, Action::ManageStaff));
        assert!(!may(Role::Agent, Action::IssueToken));
    }

    #[test]
    fn supervisors_assign_review_and_report_but_do_not_manage_staff_or_tokens() {
        assert!(may(Role::Supervisor, Action::Assign));
        assert!(may(Role::Supervisor, Action::Report));
        assert!(may(Role::Supervisor, Action::ReviewCauses));
        assert!(may(Role::Supervisor, Action::ReadAllNotifications));
        assert!(!may(Role::Agent, Action::Report));
        assert!(!may(Role::Agent, Action::ReviewCauses));
        assert!(!may(Role::Agent, Action::ReadAllNotifications));
        assert!(!may(Role::Supervisor, Action::Operate));
        assert!(!may(Role::Supervisor, Action::ManageStaff));
        assert!(!may(Role::Supervisor, Action::IssueToken));
    }

    #[test]
    fn admins_may_do_everything() {
        assert!(ACTIONS.iter().all(|&action| may(Role::Admin, action)));
    }

    #[test]
    fn refusal_names_the_action_and_both_roles() {
        let actor = Actor {
            name: "ana".into(),
            role: Role::Agent,
            agent_id: None,
        };
        let err = require(&actor, Action::Assign).unwrap_err().to_string();
        assert_eq!(
            err,
            "assigning cases needs the supervisor role or higher; this token has agent"
        );
    }
}
