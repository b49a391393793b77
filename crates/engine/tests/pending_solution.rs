//! RO-10 "total or pending": the move to `resolution_proposed` may say the solution is pending
//! ("we are sending you a box"); the customer is then asked to confirm the next steps agreed, not
//! that everything works, and a "yes" resolves the case as pending. Without it, as before: total.
//! On SQLite and PostgreSQL, in simulated time.

mod common;

use common::{Desk, desk};
use domain::process::FeedbackAnswer;
use domain::{
    CaseId, Channel, Direction, EventKind, NewCase, NewCustomer, Resolution, Role, Status,
    Transition,
};
use engine::feedback_secret_hash;

impl Desk {
    async fn run(&self) {
        self.clock.advance(jiff::SignedDuration::from_mins(1));
        self.engine.run_due("desk").await.expect("jobs run");
    }

    async fn complaint(&self, language: &str) -> CaseId {
        let mut customer = NewCustomer::named("Andrei Matei");
        // One customer per complaint: a known address would bring back the first one's language.
        let n = self
            .store
            .list_cases(&Default::default())
            .await
            .unwrap()
            .items
            .len();
        customer.email = Some(format!("andrei.{n}@example.com"));
        customer.language = Some(language.into());
        let case = NewCase::new(
            customer,
            Channel::Email,
            "Broken kettle",
            "The kettle I bought last week stopped working.",
        );
        let id = self.store.create_case(&self.staff, case, self.now()).await;
        let id = id.unwrap().case.id;
        self.run().await;
        self.move_to(id, Status::Investigating, None).await;
        id
    }

    async fn move_to(&self, id: CaseId, to: Status, resolution: Option<Resolution>) {
        let t = Transition { to, resolution };
        self.store
            .transition(&self.staff, id, t, self.now())
            .await
            .unwrap();
        self.run().await;
    }

    /// The newest message to the customer that carries a feedback link, and the link's secret.
    async fn confirmation_request(&self, id: CaseId) -> (String, String) {
        let detail = self.store.get_case(id).await.unwrap();
        let body = detail
            .messages
            .iter()
            .rev()
            .find(|m| m.direction == Direction::Outbound && m.body.contains("/feedback/"))
            .map(|m| m.body.clone())
            .expect("a confirmation request");
        let start = body.find("/feedback/").unwrap() + "/feedback/".len();
        let secret = body[start..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        (body, secret)
    }

    async fn answer(&self, secret: &str, confirmed: bool) {
        let answer = FeedbackAnswer {
            score: None,
            confirmed: Some(confirmed),
            comment: None,
        };
        self.store
            .answer_feedback(feedback_secret_hash(secret), answer, self.now())
            .await
            .unwrap();
        self.run().await;
    }
}

async fn pending_and_total_solutions(url: String) {
    let d = desk(url, "Irina Stan", Role::Supervisor).await;

    // A pending solution, in Romanian: the request asks to confirm the next steps.
    let pending = d.complaint("ro").await;
    d.move_to(
        pending,
        Status::ResolutionProposed,
        Some(Resolution::Pending),
    )
    .await;
    let (body, secret) = d.confirmation_request(pending).await;
    assert!(
        body.starts_with(&format!(
            "Cazul {pending}: vă rugăm să confirmați pașii următori"
        )),
        "{body}"
    );
    assert!(!body.contains("funcționează totul"), "{body}");
    let events = d.store.timeline(pending).await.unwrap();
    let proposed = events
        .iter()
        .rev()
        .find(|e| e.kind == EventKind::StatusChanged)
        .and_then(|e| e.after.clone())
        .unwrap();
    assert_eq!(proposed["resolution"], "pending", "{proposed}");
    // "Yes": resolved as pending.
    d.answer(&secret, true).await;
    let case = d.store.get_case(pending).await.unwrap().case;
    assert_eq!(
        (case.status, case.resolution),
        (Status::Resolved, Some(Resolution::Pending))
    );

    // No kind given, as old clients do: total, as before.
    let total = d.complaint("en").await;
    d.move_to(total, Status::ResolutionProposed, None).await;
    let (body, secret) = d.confirmation_request(total).await;
    assert!(
        body.starts_with(&format!("Case {total}: is everything working now?")),
        "{body}"
    );
    d.answer(&secret, true).await;
    let case = d.store.get_case(total).await.unwrap().case;
    assert_eq!(
        (case.status, case.resolution),
        (Status::Resolved, Some(Resolution::Confirmed))
    );

    // Pending, declined ("not yet"): back to investigation with no kind left; proposed again as
    // total, the new request uses the total wording.
    let declined = d.complaint("en").await;
    d.move_to(
        declined,
        Status::ResolutionProposed,
        Some(Resolution::Pending),
    )
    .await;
    let (body, secret) = d.confirmation_request(declined).await;
    assert!(body.contains("please confirm the next steps"), "{body}");
    d.answer(&secret, false).await;
    let case = d.store.get_case(declined).await.unwrap().case;
    assert_eq!(
        (case.status, case.resolution),
        (Status::Investigating, None)
    );
    d.move_to(
        declined,
        Status::ResolutionProposed,
        Some(Resolution::Confirmed),
    )
    .await;
    let (body, again) = d.confirmation_request(declined).await;
    assert_ne!(again, secret, "a new request for the new proposal");
    assert!(body.contains("is everything working now?"), "{body}");
}

#[tokio::test]
async fn pending_and_total_on_sqlite() {
    testkit::with_sqlite(pending_and_total_solutions).await;
}

#[tokio::test]
async fn pending_and_total_on_postgres() {
    if testkit::postgres_wanted() {
        testkit::with_postgres(pending_and_total_solutions).await;
    }
}
