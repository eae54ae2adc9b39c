//! Two views of one stored row, compared: equal, up to differences whose cause is known and
//! harmless, each reported with its cause.

use chrono::{DateTime, Utc};
use nextauth_adapter::{Session, TimestampPrecision, User, VerificationRequest};
use serde::Serialize;

/// Why two views of one row may differ without either adapter being wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// next-auth holds every instant in a JavaScript `Date`: an instant our adapter stored
    /// with microseconds reads back there cut to whole milliseconds.
    JsDateMilliseconds,
    /// next-auth's TypeORM leaves `created_at` and `updated_at` to the database
    /// (`CURRENT_TIMESTAMP`), so they follow the database server's clock, not the
    /// application's; the record it returns may not carry the value stored.
    DatabaseClock,
}

impl Cause {
    /// The explanation, in a sentence.
    pub fn explanation(self) -> &'static str {
        match self {
            Cause::JsDateMilliseconds => {
                "next-auth holds instants in a JavaScript Date: microseconds our adapter stored read back there cut to milliseconds"
            }
            Cause::DatabaseClock => {
                "next-auth leaves created_at and updated_at to the database (CURRENT_TIMESTAMP): they follow the database server's clock, not the application's, and the record next-auth returns may not carry the stored value"
            }
        }
    }
}

/// One explained difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explained {
    /// Its cause.
    pub cause: Cause,
    /// The field, e.g. `session.expires`.
    pub field: String,
    /// The value on the side named first in the comparison.
    pub left: String,
    /// The value on the other side.
    pub right: String,
}

/// A comparison in progress: every field compared so far, what differed without a known
/// cause (`mismatches`) and what differed with one (`explained`).
#[derive(Debug, Default)]
pub(crate) struct Comparison {
    pub(crate) explained: Vec<Explained>,
    pub(crate) mismatches: Vec<String>,
}

fn show(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

impl Comparison {
    /// A field both adapters must give identically.
    pub(crate) fn same<T: PartialEq + std::fmt::Debug>(&mut self, field: &str, a: &T, b: &T) {
        if a != b {
            self.mismatches
                .push(format!("{field}: {a:?} against {b:?}"));
        }
    }

    /// An instant: equal, or one the other cut to milliseconds (a JavaScript `Date`).
    pub(crate) fn instant(&mut self, field: &str, a: DateTime<Utc>, b: DateTime<Utc>) {
        if a == b {
            return;
        }
        let ms = TimestampPrecision::Millisecond;
        if ms.apply(a) == b || ms.apply(b) == a {
            self.explained.push(Explained {
                cause: Cause::JsDateMilliseconds,
                field: field.to_owned(),
                left: show(a),
                right: show(b),
            });
        } else {
            self.mismatches
                .push(format!("{field}: {} against {}", show(a), show(b)));
        }
    }

    /// An optional instant.
    pub(crate) fn opt_instant(
        &mut self,
        field: &str,
        a: Option<DateTime<Utc>>,
        b: Option<DateTime<Utc>>,
    ) {
        match (a, b) {
            (Some(a), Some(b)) => self.instant(field, a, b),
            (a, b) => self.same(field, &a, &b),
        }
    }

    /// `created_at` or `updated_at`: when the writer leaves them to the database
    /// (`database_clock`), the value it returned may differ from the stored one.
    fn bookkeeping(
        &mut self,
        field: &str,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
        database_clock: bool,
    ) {
        let ms = TimestampPrecision::Millisecond;
        let cut = ms.apply(a) == b || ms.apply(b) == a;
        if database_clock && a != b && !cut {
            self.explained.push(Explained {
                cause: Cause::DatabaseClock,
                field: field.to_owned(),
                left: show(a),
                right: show(b),
            });
        } else {
            self.instant(field, a, b);
        }
    }

    /// Two views of one user.
    pub(crate) fn users(&mut self, a: &User, b: &User, database_clock: bool) {
        self.same("user.id", &a.id, &b.id);
        self.same("user.name", &a.name, &b.name);
        self.same("user.email", &a.email, &b.email);
        self.same("user.image", &a.image, &b.image);
        self.opt_instant("user.email_verified", a.email_verified, b.email_verified);
        self.bookkeeping(
            "user.created_at",
            a.created_at,
            b.created_at,
            database_clock,
        );
        self.bookkeeping(
            "user.updated_at",
            a.updated_at,
            b.updated_at,
            database_clock,
        );
    }

    /// Two views of one session.
    pub(crate) fn sessions(&mut self, a: &Session, b: &Session, database_clock: bool) {
        self.same("session.id", &a.id, &b.id);
        self.same("session.user_id", &a.user_id, &b.user_id);
        self.same("session.session_token", &a.session_token, &b.session_token);
        self.same("session.access_token", &a.access_token, &b.access_token);
        self.instant("session.expires", a.expires, b.expires);
        self.bookkeeping(
            "session.created_at",
            a.created_at,
            b.created_at,
            database_clock,
        );
        self.bookkeeping(
            "session.updated_at",
            a.updated_at,
            b.updated_at,
            database_clock,
        );
    }

    /// Two views of one verification request.
    pub(crate) fn requests(
        &mut self,
        a: &VerificationRequest,
        b: &VerificationRequest,
        database_clock: bool,
    ) {
        self.same("verification.id", &a.id, &b.id);
        self.same("verification.identifier", &a.identifier, &b.identifier);
        self.same("verification.token", &a.token, &b.token);
        self.instant("verification.expires", a.expires, b.expires);
        self.bookkeeping(
            "verification.created_at",
            a.created_at,
            b.created_at,
            database_clock,
        );
        self.bookkeeping(
            "verification.updated_at",
            a.updated_at,
            b.updated_at,
            database_clock,
        );
    }

    /// The explained differences, or every unexplained one as the error.
    pub(crate) fn verdict(self) -> Result<Vec<Explained>, String> {
        if self.mismatches.is_empty() {
            Ok(self.explained)
        } else {
            Err(self.mismatches.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(micros: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(1_767_225_600_000_000 + micros).unwrap()
    }

    #[test]
    fn milliseconds_cut_from_microseconds_are_explained_anything_else_is_not() {
        let mut c = Comparison::default();
        c.instant("x", at(123_456), at(123_000));
        c.instant("y", at(123_000), at(123_456));
        assert_eq!(c.explained.len(), 2);
        assert!(c.mismatches.is_empty());
        // Rounded instead of cut, or an hour apart: mismatches.
        c.instant("z", at(123_456), at(124_000));
        c.instant("w", at(0), at(3_600_000_000));
        assert_eq!(c.mismatches.len(), 2, "{:?}", c.mismatches);
        assert!(c.verdict().unwrap_err().contains("z:"));
    }

    #[test]
    fn the_database_clock_explains_bookkeeping_only_when_the_writer_used_it() {
        let mut c = Comparison::default();
        c.bookkeeping("created_at", at(0), at(5_000_000), true);
        assert_eq!(c.explained[0].cause, Cause::DatabaseClock);
        c.bookkeeping("created_at", at(0), at(5_000_000), false);
        assert_eq!(c.mismatches.len(), 1);
        // A difference a JavaScript Date explains is that, whoever wrote.
        c.bookkeeping("updated_at", at(123_456), at(123_000), true);
        assert_eq!(c.explained[1].cause, Cause::JsDateMilliseconds);
    }
}
