//! What the engine's scenario tests share: a fresh store, a hand-moved clock from Monday
//! 23 November 2026 10:00 UTC (default calendar: Mon–Fri 09:00–17:00 UTC), and an engine with
//! default settings. Each test binary uses its own part of it.
#![allow(dead_code)]

use std::sync::Arc;

use domain::{Actor, Role, Store, Timestamp};
use engine::{Engine, EngineConfig, EngineSettings, ManualClock};

pub struct Desk {
    /// The database, for tests that reach it outside the store.
    pub url: String,
    pub store: Arc<dyn Store>,
    pub clock: Arc<ManualClock>,
    pub engine: Engine,
    /// Who stores the complaints and moves the cases.
    pub staff: Actor,
}

pub async fn desk(url: String, staff: &str, role: Role) -> Desk {
    let store = store::open(&url).await.expect("store opens");
    let config = EngineConfig::from_settings(&EngineSettings::default()).unwrap();
    let start: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let engine = Engine::new(store.clone(), Arc::new(config), clock.clone());
    let staff = Actor {
        name: staff.into(),
        role,
        agent_id: None,
    };
    Desk {
        url,
        store,
        clock,
        engine,
        staff,
    }
}

impl Desk {
    pub fn now(&self) -> Timestamp {
        domain::Clock::now(self.clock.as_ref())
    }
}
