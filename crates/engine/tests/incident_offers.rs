//! RO-11: an incident record's DISCUSSIONS carry offers made, accepted and refused; the record is
//! rendered in the language of the agent who has the case, plain bullets as before. On SQLite
//! and PostgreSQL.

mod common;

use common::desk;
use domain::incident_render::{Discussion, OfferOutcome};
use domain::{Assign, Channel, IncidentRecordInput, NewAgent, NewCase, NewCustomer, Role};

async fn offers_in_the_agents_language(url: String) {
    let d = desk(url, "Dana Lungu", Role::Supervisor).await;
    let agent = d
        .store
        .create_agent(NewAgent {
            name: "Ioana Marin".into(),
            role: Role::Agent,
            department_id: None,
            phone: Some("+40 21 000 0000".into()),
            email: None,
            languages: vec!["ro".into()],
        })
        .await
        .unwrap();
    let case = NewCase::new(
        NewCustomer::named("Ana Popescu"),
        Channel::Phone,
        "Taxare dublă",
        "Mi-ați luat banii de două ori.",
    );
    let id = d.store.create_case(&d.staff, case, d.now()).await;
    let id = id.unwrap().case.id;
    let assign = Assign {
        agent_id: Some(agent.id),
        department_id: None,
        note: None,
    };
    d.store.assign(&d.staff, id, assign, d.now()).await.unwrap();
    let offer = |text: &str, outcome| Discussion {
        text: text.into(),
        offer: Some(outcome),
    };
    let record = IncidentRecordInput {
        problem: "Clienta a fost taxată de două ori.".into(),
        discussions: vec![
            "Am sunat-o înapoi în 10 minute.".into(),
            offer("Voucher de 50 lei", OfferOutcome::Refused),
            offer("Rambursare integrală în 3 zile", OfferOutcome::Accepted),
            offer(
                "Transport gratuit la următoarea comandă",
                OfferOutcome::Made,
            ),
        ],
        solution: "Rambursare integrală.".into(),
    };
    d.store
        .set_incident_record(&d.staff, id, record, d.now())
        .await
        .unwrap();

    let markdown = d.engine.incident_markdown(id).await.unwrap();
    for line in [
        "## DISCUȚII",
        "- Am sunat-o înapoi în 10 minute.\n",
        "- *ofertă refuzată de client* — Voucher de 50 lei\n",
        "- *ofertă acceptată de client* — Rambursare integrală în 3 zile\n",
        "- *ofertă făcută* — Transport gratuit la următoarea comandă\n",
    ] {
        assert!(markdown.contains(line), "{line:?} in\n{markdown}");
    }
    let html = d.engine.incident_html(id).await.unwrap();
    assert!(
        html.starts_with("<article class=\"incident-record\" lang=\"ro\">"),
        "{html}"
    );
    assert!(
        html.contains(
            "<li><em class=\"offer\">ofertă refuzată de client</em> — Voucher de 50 lei</li>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<li>Am sunat-o înapoi în 10 minute.</li>"),
        "{html}"
    );
}

#[tokio::test]
async fn offers_on_sqlite() {
    testkit::with_sqlite(offers_in_the_agents_language).await;
}

#[tokio::test]
async fn offers_on_postgres() {
    if testkit::postgres_wanted() {
        testkit::with_postgres(offers_in_the_agents_language).await;
    }
}
