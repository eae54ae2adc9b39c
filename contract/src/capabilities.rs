//! The choices on which v3 adapters legitimately differ (contract-v3 §3, §10, §11), declared
//! by each adapter so that a conformance suite holds it to what it claims, and so that the
//! reference adapter can be configured to model it.

use crate::limits::FieldLimits;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What `get_session` does with a session that has expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpiredSessionHandling {
    /// Return `None` and delete the row (Prisma, the legacy packages, Auth.js's basic tests).
    #[default]
    DeleteOnRead,
    /// Return `None` and keep the row (next-auth 3.17.2's built-in TypeORM adapter).
    KeepRow,
}

/// What `delete_user` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeleteUserSupport {
    /// Returns [`AdapterError::Unsupported`](crate::AdapterError::Unsupported) and changes
    /// nothing (v3's built-in TypeORM adapter is a silent no-op; declaring it is the honest form).
    Unsupported,
    /// Deletes the user row only, leaving its accounts and sessions as orphans (Prisma).
    UserOnly,
    /// Deletes the user with its accounts and sessions (hardened; what later Auth.js requires).
    #[default]
    Cascade,
}

/// What `unlink_account` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnlinkAccountSupport {
    /// Returns [`AdapterError::Unsupported`](crate::AdapterError::Unsupported) and changes nothing.
    Unsupported,
    /// Deletes the account when it belongs to the given user; another user's account is left alone.
    #[default]
    Supported,
}

/// How `get_user_by_email` compares addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailMatching {
    /// Byte-exact (PostgreSQL and SQLite defaults).
    #[default]
    Exact,
    /// Case-insensitive, as SQL Server's default collation compares (and MySQL 8's
    /// accent-sensitive `utf8mb4_0900_as_ci`); the unique key on `users.email` is then
    /// case-insensitive too. Modelled as equality of the lowercased addresses.
    CaseInsensitive,
    /// As MySQL's and MariaDB's `utf8mb4_general_ci` collation compares: case, many accents
    /// and trailing spaces ignored, every character beyond the Basic Multilingual Plane equal
    /// to every other ([`crate::collation`]). What a table made by TypeORM's `synchronize` on
    /// MariaDB does, in lookups and in the unique key alike.
    MysqlGeneralCi,
}

impl EmailMatching {
    /// Whether two stored addresses are the same key under this matching.
    pub fn same(self, a: &str, b: &str) -> bool {
        match self {
            EmailMatching::Exact => a == b,
            EmailMatching::CaseInsensitive => a.to_lowercase() == b.to_lowercase(),
            EmailMatching::MysqlGeneralCi => crate::collation::equal(a, b),
        }
    }
}

/// The finest time step a backend stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimestampPrecision {
    /// Microseconds (PostgreSQL `timestamptz`, MySQL `DATETIME(6)`).
    #[default]
    Microsecond,
    /// Milliseconds (JavaScript `Date`).
    Millisecond,
    /// Whole seconds (MariaDB under next-auth's TypeORM transform).
    Second,
    /// SQL Server `datetime`: rounded to .000, .003 or .007 seconds.
    SqlServerDatetime,
}

impl TimestampPrecision {
    /// The largest difference between a value written and the value read back.
    pub fn tolerance(self) -> chrono::Duration {
        match self {
            TimestampPrecision::Microsecond => chrono::Duration::microseconds(1),
            TimestampPrecision::Millisecond => chrono::Duration::milliseconds(1),
            TimestampPrecision::Second => chrono::Duration::seconds(1),
            TimestampPrecision::SqlServerDatetime => chrono::Duration::milliseconds(4),
        }
    }

    /// The smallest clock step an adapter at this precision is sure to observe: a rule that
    /// checks "just past the expiry" steps this far, since an adapter whose clock reads whole
    /// milliseconds (a JavaScript `Date`) cannot tell the expiry from one microsecond after it.
    pub fn step(self) -> chrono::Duration {
        match self {
            TimestampPrecision::Microsecond => chrono::Duration::microseconds(1),
            TimestampPrecision::Millisecond => chrono::Duration::milliseconds(1),
            TimestampPrecision::Second => chrono::Duration::seconds(1),
            TimestampPrecision::SqlServerDatetime => chrono::Duration::milliseconds(4),
        }
    }

    /// `t` as the backend would store it. Truncates to the precision (SQL Server's
    /// `datetime` is modelled by truncation to whole milliseconds followed by rounding to
    /// its 1/300 s grid).
    pub fn apply(self, t: DateTime<Utc>) -> DateTime<Utc> {
        let secs = t.timestamp();
        let nanos = t.timestamp_subsec_nanos();
        let kept = match self {
            TimestampPrecision::Microsecond => nanos / 1_000 * 1_000,
            TimestampPrecision::Millisecond => nanos / 1_000_000 * 1_000_000,
            TimestampPrecision::Second => 0,
            TimestampPrecision::SqlServerDatetime => {
                // 1/300 s ticks, rounded to the nearest tick.
                let ms = u64::from(nanos / 1_000_000);
                let ticks = (ms * 300 + 500) / 1000;
                if ticks >= 300 {
                    return DateTime::from_timestamp(secs + 1, 0).unwrap_or(t);
                }
                // Tick → nanoseconds, rounded the way SQL Server displays (.000/.003/.007).
                let ms_rounded = (ticks * 1000 + 150) / 300;
                u32::try_from(ms_rounded * 1_000_000).unwrap_or(0)
            }
        };
        DateTime::from_timestamp(secs, kept).unwrap_or(t)
    }
}

impl TimestampPrecision {
    /// Whether `t` is an instant this precision stores: nothing below its step (no
    /// microseconds at `Millisecond`, no fraction at `Second`). A `SqlServerDatetime` instant
    /// lies on the 1/300 s grid, read either as [`apply`](Self::apply) writes it (.000, .003,
    /// .007) or as the tick's exact time (.003333…), to within a microsecond.
    pub fn holds(self, t: DateTime<Utc>) -> bool {
        let nanos = i64::from(t.timestamp_subsec_nanos());
        match self {
            TimestampPrecision::SqlServerDatetime => {
                let tick = (nanos * 300 + 500_000_000) / 1_000_000_000;
                let exact = tick * 1_000_000_000 / 300;
                let shown = (tick * 1000 + 150) / 300 * 1_000_000;
                nanos == shown || (nanos - exact).abs() <= 1_000
            }
            _ => self.apply(t) == t,
        }
    }
}

/// Which instants a backend can store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimestampRange {
    /// Every instant the suite uses, from before 1970 to far beyond 2038 (PostgreSQL
    /// `timestamptz`, MySQL `DATETIME(6)`, SQLite, SQL Server `datetime2`, a JavaScript `Date`).
    #[default]
    Full,
    /// 1970-01-01 00:00:01 to 2038-01-19 03:14:07.999999 UTC, the range of MySQL's and
    /// MariaDB's `TIMESTAMP` columns (what TypeORM's `synchronize` makes on MySQL). An instant
    /// outside it (an `email_verified` in 1969, an expiry after 2038, any write once the clock
    /// passes 2038) is [`AdapterError::InvalidInput`](crate::AdapterError::InvalidInput) and
    /// nothing is written.
    Unix32,
}

impl TimestampRange {
    /// The first and the last instant stored; `None` for [`TimestampRange::Full`].
    pub fn bounds(self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        match self {
            TimestampRange::Full => None,
            TimestampRange::Unix32 => Some((
                DateTime::from_timestamp(1, 0)?,
                DateTime::from_timestamp(i64::from(i32::MAX), 999_999_000)?,
            )),
        }
    }

    /// Whether an instant can be stored.
    pub fn holds(self, t: DateTime<Utc>) -> bool {
        self.bounds()
            .is_none_or(|(first, last)| first <= t && t <= last)
    }

    /// Refuses `t`, the value of `field`, unless it can be stored: the
    /// [`AdapterError::InvalidInput`](crate::AdapterError::InvalidInput) an adapter returns
    /// before writing anything.
    pub fn check(
        self,
        method: crate::Method,
        field: &str,
        t: DateTime<Utc>,
    ) -> Result<(), crate::AdapterError> {
        match self.bounds() {
            Some((first, last)) if !self.holds(t) => Err(crate::AdapterError::InvalidInput {
                method,
                field: field.to_owned(),
                reason: format!(
                    "{} is outside the instants the timestamp columns hold ({} to {})",
                    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                    first.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    last.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                ),
            }),
            _ => Ok(()),
        }
    }
}

/// When a verification request stops being redeemable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationConsumption {
    /// `get_verification_request` atomically removes the row it returns, so of two
    /// concurrent redemptions exactly one succeeds (hardened; single use).
    #[default]
    OnGet,
    /// The row stays until `delete_verification_request` (v3's built-in adapters). Two
    /// concurrent clicks on one link can both sign in (contract-v3 §10 G5).
    OnDelete,
}

/// Everything an adapter declares about itself. The conformance suite reads it to choose
/// which rules apply and what they expect; a rule that a declaration rules out is reported as
/// not applicable, with the declaration as its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// What `get_session` does with an expired session.
    pub expired_session: ExpiredSessionHandling,
    /// What `delete_user` does.
    pub delete_user: DeleteUserSupport,
    /// What `unlink_account` does.
    pub unlink_account: UnlinkAccountSupport,
    /// How e-mail addresses are compared.
    pub email_matching: EmailMatching,
    /// The finest time step stored.
    pub timestamp_precision: TimestampPrecision,
    /// Which instants are stored (absent in a declaration written before it existed:
    /// [`TimestampRange::Full`]).
    #[serde(default)]
    pub timestamp_range: TimestampRange,
    /// When a verification request is consumed.
    pub verification_consumption: VerificationConsumption,
    /// How long stored strings may be.
    pub limits: FieldLimits,
}

impl Capabilities {
    /// The hardened choices, and the reference adapter's default: expired sessions deleted on
    /// read, `delete_user` cascading, `unlink_account` supported, exact e-mail matching,
    /// microsecond timestamps, single-use verification, the documented column limits.
    pub const HARDENED: Capabilities = Capabilities {
        expired_session: ExpiredSessionHandling::DeleteOnRead,
        delete_user: DeleteUserSupport::Cascade,
        unlink_account: UnlinkAccountSupport::Supported,
        email_matching: EmailMatching::Exact,
        timestamp_precision: TimestampPrecision::Microsecond,
        timestamp_range: TimestampRange::Full,
        verification_consumption: VerificationConsumption::OnGet,
        limits: FieldLimits::DOCUMENTED,
    };

    /// What next-auth 3.17.2's built-in TypeORM adapter does on PostgreSQL: keeps expired
    /// sessions, implements neither delete, consumes verification requests on delete.
    pub const V3_TYPEORM: Capabilities = Capabilities {
        expired_session: ExpiredSessionHandling::KeepRow,
        delete_user: DeleteUserSupport::Unsupported,
        unlink_account: UnlinkAccountSupport::Unsupported,
        email_matching: EmailMatching::Exact,
        timestamp_precision: TimestampPrecision::Millisecond,
        timestamp_range: TimestampRange::Full,
        verification_consumption: VerificationConsumption::OnDelete,
        limits: FieldLimits::DOCUMENTED,
    };
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities::HARDENED
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(nanos: u32) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, nanos).unwrap()
    }

    #[test]
    fn precision_truncates() {
        let t = at(123_456_789);
        assert_eq!(TimestampPrecision::Microsecond.apply(t), at(123_456_000));
        assert_eq!(TimestampPrecision::Millisecond.apply(t), at(123_000_000));
        assert_eq!(TimestampPrecision::Second.apply(t), at(0));
    }

    #[test]
    fn holds_what_apply_writes_and_nothing_finer() {
        for p in [
            TimestampPrecision::Microsecond,
            TimestampPrecision::Millisecond,
            TimestampPrecision::Second,
            TimestampPrecision::SqlServerDatetime,
        ] {
            for nanos in [0, 1, 999, 1_000, 123_456_789, 999_999_999] {
                assert!(p.holds(p.apply(at(nanos))), "{p:?} {nanos}");
            }
            assert!(!p.holds(at(123_456_789)), "{p:?}");
        }
        assert!(TimestampPrecision::Microsecond.holds(at(123_456_000)));
        assert!(!TimestampPrecision::Millisecond.holds(at(123_456_000)));
        assert!(TimestampPrecision::Millisecond.holds(at(123_000_000)));
        assert!(!TimestampPrecision::Second.holds(at(123_000_000)));
        // A datetime tick read back exactly: 1/300 s.
        assert!(TimestampPrecision::SqlServerDatetime.holds(at(3_333_333)));
        assert!(!TimestampPrecision::SqlServerDatetime.holds(at(5_000_000)));
    }

    #[test]
    fn sql_server_datetime_rounds_to_its_grid() {
        assert_eq!(
            TimestampPrecision::SqlServerDatetime.apply(at(1_000_000)),
            at(0)
        );
        assert_eq!(
            TimestampPrecision::SqlServerDatetime.apply(at(2_000_000)),
            at(3_000_000)
        );
        assert_eq!(
            TimestampPrecision::SqlServerDatetime.apply(at(5_000_000)),
            at(7_000_000)
        );
        assert_eq!(
            TimestampPrecision::SqlServerDatetime.apply(at(999_000_000)),
            DateTime::from_timestamp(1_700_000_001, 0).unwrap()
        );
        for ms in 0..1000u32 {
            let t = at(ms * 1_000_000);
            let r = TimestampPrecision::SqlServerDatetime.apply(t);
            assert!((r - t).abs() <= TimestampPrecision::SqlServerDatetime.tolerance());
        }
    }

    #[test]
    fn unix32_holds_what_a_mysql_timestamp_holds() {
        let r = TimestampRange::Unix32;
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert!(!r.holds(at("1970-01-01T00:00:00Z")));
        assert!(r.holds(at("1970-01-01T00:00:01Z")));
        assert!(r.holds(at("2038-01-19T03:14:07.999999Z")));
        assert!(!r.holds(at("2038-01-19T03:14:08Z")));
        assert!(!r.holds(at("1969-07-20T20:17:40Z")));
        assert!(TimestampRange::Full.holds(at("1969-07-20T20:17:40Z")));
        let err = r
            .check(
                crate::Method::UpdateUser,
                "email_verified",
                at("1969-07-20T20:17:40Z"),
            )
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("1969-07-20T20:17:40.000000Z is outside"),
            "{err}"
        );
        assert!(
            TimestampRange::Full
                .check(crate::Method::UpdateUser, "x", at("1900-01-01T00:00:00Z"))
                .is_ok()
        );
    }

    #[test]
    fn case_insensitive_matching() {
        assert!(EmailMatching::CaseInsensitive.same("A@x.COM", "a@X.com"));
        assert!(!EmailMatching::Exact.same("A@x.com", "a@x.com"));
        assert!(!EmailMatching::CaseInsensitive.same("zo\u{eb}@x", "zoe@x"));
        assert!(EmailMatching::MysqlGeneralCi.same("Zo\u{eb}@x ", "zoe@X"));
    }
}
