//! What v3 core hands an adapter in `getAdapter(appOptions)`, in Rust.

use crate::clock::{SharedClock, SystemClock};
use crate::policy::SessionPolicy;
use std::sync::Arc;

/// The application options an adapter is built with (v3's `appOptions`, contract-v3 §1):
/// the clock every expiry decision reads, the session policy, and the base URL passed on to
/// the verification sender.
#[derive(Debug, Clone)]
pub struct AdapterConfig {
    /// The adapter's only source of "now".
    pub clock: SharedClock,
    /// Session lifetime and rolling-expiry throttle.
    pub session: SessionPolicy,
    /// The application's base URL (`appOptions.baseUrl`), e.g. `http://localhost:3000`.
    pub base_url: String,
}

impl AdapterConfig {
    /// The configuration with `clock` and everything else at v3's defaults.
    pub fn with_clock(clock: SharedClock) -> Self {
        AdapterConfig {
            clock,
            ..AdapterConfig::default()
        }
    }
}

impl Default for AdapterConfig {
    /// The system clock, v3's default session policy and `http://localhost:3000`.
    fn default() -> Self {
        AdapterConfig {
            clock: Arc::new(SystemClock),
            session: SessionPolicy::default(),
            base_url: "http://localhost:3000".to_owned(),
        }
    }
}
