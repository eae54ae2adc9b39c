//! [`Exec`]: what the generic store asks of a sqlx database, proven once for every database
//! that has it; and [`Statement`], a statement with its parameters bound.
//!
//! The generic store never names a driver's types: it builds a [`Statement`], binds ids,
//! text and (through its [`Driver`]) instants, and runs it with [`Exec`]'s functions. The blanket implementation below carries the trait bounds sqlx needs, so
//! they are written here and nowhere else.

use super::super::queries::Sql;
use super::super::rows::{self, RecordRow};
use super::Driver;
use chrono::{DateTime, Utc};
use nextauth_adapter::{Account, Session, User, VerificationRequest};
use sqlx::query::Query;
use sqlx::{AssertSqlSafe, ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};
use std::future::Future;
use std::pin::Pin;

/// A future a driver's executor returns.
pub type Running<'c, T> = Pin<Box<dyn Future<Output = Result<T, sqlx::Error>> + Send + 'c>>;

/// A prepared statement with the parameters bound so far, in binding order.
pub type Prepared<DB> = Query<'static, DB, <DB as Database>::Arguments>;

/// One statement of the store's [`Queries`](super::super::Queries) being bound for a
/// [`Driver`]'s database.
pub struct Statement<D: Driver>(Prepared<D::Db>);

impl<D: Driver> Statement<D> {
    /// The statement `sql`, no parameter bound yet.
    pub fn new(sql: &Sql) -> Self {
        Statement(sqlx::query(AssertSqlSafe(sql.clone())))
    }

    /// Binds the next parameter: what a [`Driver`] uses to bind an instant in its own
    /// representation.
    pub fn bind<'t, T: Encode<'t, D::Db> + Type<D::Db>>(self, value: T) -> Self {
        Statement(self.0.bind(value))
    }

    /// Binds an integer (an id).
    pub fn int(self, value: i64) -> Self {
        Statement(D::Db::bind_int(self.0, value))
    }

    /// Binds text.
    pub fn text(self, value: &str) -> Self {
        Statement(D::Db::bind_text(self.0, Some(value)))
    }

    /// Binds optional text (`None`: SQL `NULL`).
    pub fn opt_text(self, value: Option<&str>) -> Self {
        Statement(D::Db::bind_text(self.0, value))
    }

    /// Binds an instant.
    pub fn instant(self, at: DateTime<Utc>) -> Self {
        D::bind_instant(self, Some(at))
    }

    /// Binds an optional instant (`None`: SQL `NULL`).
    pub fn opt_instant(self, at: Option<DateTime<Utc>>) -> Self {
        D::bind_instant(self, at)
    }

    /// The statement, ready to run.
    pub fn prepared(self) -> Prepared<D::Db> {
        self.0
    }
}

/// A sqlx database with everything the generic store asks of it: a connection that runs a
/// [`Statement`], ids and text it binds, and rows it decodes into the contract's records.
/// Implemented for every database that has all of that, which sqlx's PostgreSQL, MySQL and
/// SQLite drivers do.
pub trait Exec: Database {
    /// Binds a 64-bit integer.
    fn bind_int(statement: Prepared<Self>, value: i64) -> Prepared<Self>;

    /// Binds optional text.
    fn bind_text(statement: Prepared<Self>, value: Option<&str>) -> Prepared<Self>;

    /// Runs `statement` on `conn` and returns its first row, if any.
    fn fetch_optional(
        conn: &mut Self::Connection,
        statement: Prepared<Self>,
    ) -> Running<'_, Option<Self::Row>>;

    /// Runs `statement` on `conn` and returns what the driver says it did.
    fn execute(
        conn: &mut Self::Connection,
        statement: Prepared<Self>,
    ) -> Running<'_, Self::QueryResult>;

    /// A `users` row.
    fn user(row: &Self::Row) -> Result<User, sqlx::Error>;

    /// An `accounts` row.
    fn account(row: &Self::Row) -> Result<Account, sqlx::Error>;

    /// A `sessions` row.
    fn session(row: &Self::Row) -> Result<Session, sqlx::Error>;

    /// A `verification_requests` row.
    fn verification(row: &Self::Row) -> Result<VerificationRequest, sqlx::Error>;
}

impl<DB> Exec for DB
where
    DB: Database,
    DB::Arguments: IntoArguments<DB>,
    DB::Row: RecordRow<Error = sqlx::Error>,
    usize: ColumnIndex<DB::Row>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
    for<'t> Option<&'t str>: Encode<'t, DB> + Type<DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'r> DateTime<Utc>: Decode<'r, DB> + Type<DB>,
{
    fn bind_int(statement: Prepared<Self>, value: i64) -> Prepared<Self> {
        statement.bind(value)
    }

    fn bind_text(statement: Prepared<Self>, value: Option<&str>) -> Prepared<Self> {
        statement.bind(value)
    }

    fn fetch_optional(
        conn: &mut Self::Connection,
        statement: Prepared<Self>,
    ) -> Running<'_, Option<Self::Row>> {
        conn.fetch_optional(statement)
    }

    fn execute(
        conn: &mut Self::Connection,
        statement: Prepared<Self>,
    ) -> Running<'_, Self::QueryResult> {
        conn.execute(statement)
    }

    fn user(row: &Self::Row) -> Result<User, sqlx::Error> {
        rows::user(row)
    }

    fn account(row: &Self::Row) -> Result<Account, sqlx::Error> {
        rows::account(row)
    }

    fn session(row: &Self::Row) -> Result<Session, sqlx::Error> {
        rows::session(row)
    }

    fn verification(row: &Self::Row) -> Result<VerificationRequest, sqlx::Error> {
        rows::verification(row)
    }
}
