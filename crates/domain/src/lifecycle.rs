//! The case lifecycle (ISO 10002 complaint handling + playbook RO-10): a case is received,
//! acknowledged, investigated (possibly waiting on the customer), a resolution is proposed and,
//! once the customer agrees, the case is resolved and later closed. A resolved or closed case can
//! be reopened; a rejected proposal goes back to investigation.

use crate::error::DomainError;
use crate::text_enum::text_enum;

text_enum!(Status, field = "status", {
    Received = "received",
    Acknowledged = "acknowledged",
    Investigating = "investigating",
    WaitingOnCustomer = "waiting_on_customer",
    ResolutionProposed = "resolution_proposed",
    Resolved = "resolved",
    Closed = "closed",
});

text_enum!(
    /// RO-10: a resolution is either total ("everything works now — right?") or pending
    /// ("I'm sending you a box to return it — right?"); both end with the customer's agreement.
    Resolution, field = "resolution", {
        Confirmed = "confirmed",
        Pending = "pending",
    }
);

impl Status {
    /// The statuses a case in `self` may move to next.
    pub fn allowed_next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Received => &[Acknowledged],
            Acknowledged => &[Investigating],
            Investigating => &[WaitingOnCustomer, ResolutionProposed],
            WaitingOnCustomer => &[Investigating, ResolutionProposed],
            // The customer rejects the proposal: back to investigation.
            ResolutionProposed => &[Resolved, Investigating],
            // Reopen.
            Resolved => &[Closed, Investigating],
            Closed => &[Investigating],
        }
    }

    pub fn check_transition(from: Status, to: Status) -> Result<(), DomainError> {
        if from.allowed_next().contains(&to) {
            Ok(())
        } else {
            Err(DomainError::IllegalTransition {
                from,
                to,
                allowed: from.allowed_next().to_vec(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Status::*;
    use super::*;

    /// The lifecycle written out as the list of legal moves, independently of `allowed_next`.
    const LEGAL: &[(Status, Status)] = &[
        (Received, Acknowledged),
        (Acknowledged, Investigating),
        (Investigating, WaitingOnCustomer),
        (Investigating, ResolutionProposed),
        (WaitingOnCustomer, Investigating),
        (WaitingOnCustomer, ResolutionProposed),
        (ResolutionProposed, Resolved),
        (ResolutionProposed, Investigating),
        (Resolved, Closed),
        (Resolved, Investigating),
        (Closed, Investigating),
    ];

    #[test]
    fn every_pair_is_legal_exactly_when_listed() {
        for &from in Status::ALL {
            for &to in Status::ALL {
                let result = Status::check_transition(from, to);
                if LEGAL.contains(&(from, to)) {
                    assert_eq!(result, Ok(()), "{from} -> {to} must be legal");
                } else {
                    let expected: Vec<Status> = LEGAL
                        .iter()
                        .filter(|(f, _)| *f == from)
                        .map(|(_, t)| *t)
                        .collect();
                    assert_eq!(
                        result,
                        Err(DomainError::IllegalTransition {
                            from,
                            to,
                            allowed: expected
                        }),
                        "{from} -> {to} must be refused naming the allowed targets"
                    );
                }
            }
        }
    }

    #[test]
    fn illegal_move_error_text_names_every_allowed_target() {
        let err = Status::check_transition(Investigating, Closed).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("waiting_on_customer"), "{text}");
        assert!(text.contains("resolution_proposed"), "{text}");
    }

    #[test]
    fn no_status_moves_to_itself_and_closed_only_reopens() {
        for &status in Status::ALL {
            assert!(!status.allowed_next().contains(&status), "{status}");
        }
        assert_eq!(Closed.allowed_next(), &[Investigating]);
    }

    #[test]
    fn every_status_is_reachable_from_received() {
        let mut seen = vec![Received];
        let mut frontier = vec![Received];
        while let Some(status) = frontier.pop() {
            for next in status.allowed_next() {
                if !seen.contains(next) {
                    seen.push(*next);
                    frontier.push(*next);
                }
            }
        }
        assert_eq!(seen.len(), Status::ALL.len());
    }

    #[test]
    fn status_names_round_trip_through_text_and_json() {
        for &status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>(), Ok(status));
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        let err = "done".parse::<Status>().unwrap_err();
        assert!(matches!(err, DomainError::InvalidField { ref field, .. } if field == "status"));
    }

    #[test]
    fn resolution_names_round_trip() {
        for resolution in [Resolution::Confirmed, Resolution::Pending] {
            assert_eq!(resolution.as_str().parse::<Resolution>(), Ok(resolution));
        }
        assert!("maybe".parse::<Resolution>().is_err());
    }
}
