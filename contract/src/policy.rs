//! Session lifetime: v3's `session.maxAge` and `session.updateAge`, and the rolling-expiry
//! rule of `updateSession` (contract-v3 §3.9, §3.11, §4).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How long database sessions live and how often reading one extends it.
///
/// A session created at `t` expires at `t + max_age`. Reading it extends it to
/// `now + max_age` only once it is *due*: when `now > expires − max_age + update_age`, i.e.
/// strictly more than `update_age` after it was last extended. This throttles writes to one
/// per `update_age`. An `update_age` larger than `max_age` means sessions never roll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPolicy {
    max_age: Duration,
    update_age: Duration,
}

/// Why a [`SessionPolicy`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionPolicyError {
    /// A session must live for some positive time.
    #[error("session max_age must be positive, got {0}")]
    NonPositiveMaxAge(Duration),
    /// A negative throttle has no meaning.
    #[error("session update_age must not be negative, got {0}")]
    NegativeUpdateAge(Duration),
}

impl SessionPolicy {
    /// v3's default `maxAge`: 30 days.
    pub const DEFAULT_MAX_AGE_SECS: i64 = 30 * 24 * 60 * 60;
    /// v3's default `updateAge`: 1 day.
    pub const DEFAULT_UPDATE_AGE_SECS: i64 = 24 * 60 * 60;

    /// A policy with the given lifetime and throttle.
    pub fn new(max_age: Duration, update_age: Duration) -> Result<Self, SessionPolicyError> {
        if max_age <= Duration::zero() {
            return Err(SessionPolicyError::NonPositiveMaxAge(max_age));
        }
        if update_age < Duration::zero() {
            return Err(SessionPolicyError::NegativeUpdateAge(update_age));
        }
        Ok(SessionPolicy {
            max_age,
            update_age,
        })
    }

    /// The policy v3's built-in adapters derive from `appOptions.session`, in seconds: a
    /// `max_age` of 0 falls back to 30 days (contract-v3 §3.9), an `update_age` of 0 means
    /// every read extends.
    pub fn from_v3_seconds(max_age: u32, update_age: u32) -> Self {
        let max_age = if max_age == 0 {
            Self::DEFAULT_MAX_AGE_SECS
        } else {
            i64::from(max_age)
        };
        SessionPolicy {
            max_age: Duration::seconds(max_age),
            update_age: Duration::seconds(i64::from(update_age)),
        }
    }

    /// How long a fresh or extended session lives.
    pub fn max_age(&self) -> Duration {
        self.max_age
    }

    /// The minimum time between two extensions of one session.
    pub fn update_age(&self) -> Duration {
        self.update_age
    }

    /// The expiry of a session created or extended at `now`.
    pub fn expires_from(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + self.max_age
    }

    /// When a session expiring at `expires` becomes due for extension:
    /// `expires − max_age + update_age`.
    pub fn update_due(&self, expires: DateTime<Utc>) -> DateTime<Utc> {
        expires - self.max_age + self.update_age
    }

    /// Whether a session expiring at `expires` is extended by a read at `now`: strictly after
    /// its due time.
    pub fn is_update_due(&self, expires: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now > self.update_due(expires)
    }
}

impl Default for SessionPolicy {
    /// v3's defaults: 30 days, extended at most once a day.
    fn default() -> Self {
        SessionPolicy {
            max_age: Duration::seconds(Self::DEFAULT_MAX_AGE_SECS),
            update_age: Duration::seconds(Self::DEFAULT_UPDATE_AGE_SECS),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn defaults_are_v3_defaults() {
        let p = SessionPolicy::default();
        assert_eq!(p.max_age(), Duration::days(30));
        assert_eq!(p.update_age(), Duration::days(1));
        assert_eq!(
            SessionPolicy::from_v3_seconds(0, 0).max_age(),
            Duration::days(30)
        );
        assert_eq!(
            SessionPolicy::from_v3_seconds(0, 0).update_age(),
            Duration::zero()
        );
    }

    #[test]
    fn update_due_is_strictly_after_last_extension_plus_update_age() {
        let p = SessionPolicy::default();
        let created = t(0);
        let expires = p.expires_from(created);
        let due = p.update_due(expires);
        assert_eq!(due, created + Duration::days(1));
        assert!(
            !p.is_update_due(expires, due),
            "due exactly at the due time is not due"
        );
        assert!(p.is_update_due(expires, due + Duration::microseconds(1)));
        assert!(!p.is_update_due(expires, due - Duration::microseconds(1)));
    }

    #[test]
    fn update_age_beyond_max_age_never_rolls_before_expiry() {
        let p = SessionPolicy::new(Duration::hours(1), Duration::hours(2)).unwrap();
        let expires = p.expires_from(t(0));
        assert!(!p.is_update_due(expires, expires));
        assert!(p.is_update_due(expires, expires + Duration::hours(1) + Duration::seconds(1)));
    }

    #[test]
    fn invalid_policies_are_refused() {
        assert!(matches!(
            SessionPolicy::new(Duration::zero(), Duration::zero()),
            Err(SessionPolicyError::NonPositiveMaxAge(_))
        ));
        assert!(matches!(
            SessionPolicy::new(Duration::hours(1), Duration::seconds(-1)),
            Err(SessionPolicyError::NegativeUpdateAge(_))
        ));
    }
}
