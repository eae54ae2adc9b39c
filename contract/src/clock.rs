//! Injected time. Every expiry decision an adapter makes reads its [`Clock`], so tests set
//! and step time instead of sleeping, and boundaries (`expires == now`) can be hit exactly.

use chrono::{DateTime, Duration, Utc};
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

/// A source of "now".
pub trait Clock: Send + Sync + Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// A clock shared between an adapter and whoever steers it.
pub type SharedClock = Arc<dyn Clock>;

/// The system's wall clock: what production adapters use.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to. Clones share one time, so a test keeps a clone and
/// steps the clock the adapter reads.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        ManualClock {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// A clock standing at the current system time, truncated to whole seconds so that it is
    /// exactly representable at every backend's precision.
    pub fn starting_now() -> Self {
        let now = Utc::now();
        let secs = now.timestamp();
        ManualClock::new(DateTime::from_timestamp(secs, 0).unwrap_or(now))
    }

    /// Moves the clock to `instant` (backwards is allowed: tests of clock skew need it).
    pub fn set(&self, instant: DateTime<Utc>) {
        *self.lock() = instant;
    }

    /// Moves the clock forward (or backward, for a negative step) by `step`.
    pub fn advance(&self, step: Duration) {
        let mut now = self.lock();
        *now += step;
    }

    /// This clock as a [`SharedClock`] for an adapter's configuration.
    pub fn shared(&self) -> SharedClock {
        Arc::new(self.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DateTime<Utc>> {
        // A poisoned lock only means another thread panicked while holding it; the time
        // value itself is always valid.
        self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.lock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_steps_and_clones_share_time() {
        let start = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let clock = ManualClock::new(start);
        let seen_by_adapter = clock.shared();
        clock.advance(Duration::microseconds(1));
        assert_eq!(seen_by_adapter.now(), start + Duration::microseconds(1));
        clock.set(start);
        assert_eq!(seen_by_adapter.now(), start);
        clock.advance(Duration::seconds(-5));
        assert_eq!(seen_by_adapter.now(), start - Duration::seconds(5));
    }

    #[test]
    fn starting_now_is_whole_seconds() {
        let clock = ManualClock::starting_now();
        assert_eq!(clock.now().timestamp_subsec_nanos(), 0);
    }
}
