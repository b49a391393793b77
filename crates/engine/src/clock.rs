//! The two clocks: the system's, and one tests move by hand so days of SLA time pass in
//! milliseconds.

use std::sync::Mutex;

use domain::Clock;
use jiff::{SignedDuration, Timestamp};

/// Reads the operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that stands still until it is set or advanced.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Timestamp>,
}

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        ManualClock {
            now: Mutex::new(start),
        }
    }

    pub fn set(&self, at: Timestamp) {
        *self.lock() = at;
    }

    /// Moves the clock by `by` (backwards too: clock jumps are something the engine must survive).
    pub fn advance(&self, by: SignedDuration) {
        let mut now = self.lock();
        *now = now
            .checked_add(by)
            .expect("a test clock stays within jiff's range");
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Timestamp> {
        // A panic elsewhere while holding the lock cannot leave a half-written instant behind.
        self.now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.lock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(SignedDuration::from_mins(10));
        assert_eq!(clock.now(), "2026-11-23T10:10:00Z".parse().unwrap());
        clock.advance(SignedDuration::from_mins(-20));
        assert_eq!(clock.now(), "2026-11-23T09:50:00Z".parse().unwrap());
        clock.set(start);
        assert_eq!(clock.now(), start);
    }
}
