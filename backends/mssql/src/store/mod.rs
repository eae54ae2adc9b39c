//! [`MsSqlStore`]: the v3 tables in the login's default schema of one SQL Server database,
//! over tiberius and a deadpool pool.
//!
//! The statements are the shared [`Queries`] rendered for SQL Server: `@P1…` parameters
//! (tiberius sends each statement through `sp_executesql`, whose plans the server caches),
//! every write returning its row with `OUTPUT INSERTED.…` (one round trip, the record read
//! back as stored), a verification request consumed by `DELETE … OUTPUT DELETED.…` (of
//! concurrent deletes one gets the row), the cascading `delete_user` in one transaction. A
//! read is one round trip, a write two (see [`connections`]).

mod connections;
mod values;

pub use connections::{Connection, Manager, Pool};

use crate::url;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use connections::{Connections, Params, Pooled, failed};
use deadpool::managed::Object;
use nextauth_adapter::error::BoxError;
use nextauth_adapter::{Account, Capabilities, EmailMatching, Session, User, VerificationRequest};
use nextauth_adapter_sql::adapter::rows as records;
use nextauth_adapter_sql::adapter::{
    AccountValues, ByIdentifier, Cascade, ConnectStore, Queries, SessionValues, SqlOptions,
    SqlStore, StoreError, StoreResult, UserValues, VerificationValues,
};
use nextauth_adapter_sql::introspect::mssql::{
    COLUMNS_QUERY, INDEXES_QUERY, MsSqlColumnRow, MsSqlIndexRow, schema_from_rows,
};
use nextauth_adapter_sql::{Dialect, IntrospectError, Schema, SchemaNames};
use tiberius::Row;
use values::{Id, Record};

/// The v3 tables in one SQL Server schema (the login's default), over a pool of tiberius
/// clients.
#[derive(Debug, Clone)]
pub struct MsSqlStore {
    connections: Connections,
    names: SchemaNames,
    sql: Queries,
}

/// One of the shared record mappers ([`records::user`] and its siblings).
type Decode<T> = fn(&Record) -> Result<T, tiberius::error::Error>;

/// An instant as a `datetime2` parameter: UTC without a zone, already truncated to the
/// declared precision by the adapter.
fn at(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

/// A `user_id` column value: the adapter only passes ids that fit the 32-bit column.
fn user_id(id: i64) -> StoreResult<i32> {
    i32::try_from(id).map_err(|e| StoreError::Driver(Box::new(e)))
}

/// The first of `rows`, decoded by `decode`.
fn first<T>(rows: Vec<Row>, decode: Decode<T>) -> StoreResult<Option<T>> {
    rows.into_iter()
        .next()
        .map(|r| decode(&Record(r)))
        .transpose()
        .map_err(|e| StoreError::Driver(Box::new(e)))
}

impl MsSqlStore {
    /// A store over `pool` for the tables `names` names.
    pub fn new(pool: Pool, names: SchemaNames) -> Self {
        MsSqlStore {
            connections: Connections::new(pool),
            sql: Queries::new(Dialect::MsSql, &names),
            names,
        }
    }

    /// A read of at most one record.
    async fn read<T>(
        &self,
        sql: &str,
        params: &Params<'_>,
        decode: Decode<T>,
    ) -> StoreResult<Option<T>> {
        first(self.connections.read(sql, params).await?, decode)
    }

    /// A write that returns the record it wrote (`OUTPUT`), if it matched a row.
    async fn write<T>(
        &self,
        sql: &str,
        params: &Params<'_>,
        decode: Decode<T>,
    ) -> StoreResult<Option<T>> {
        first(self.connections.write(sql, params).await?, decode)
    }

    /// An insert, which always returns the record it wrote.
    async fn insert<T>(&self, sql: &str, params: &Params<'_>, decode: Decode<T>) -> StoreResult<T> {
        self.write(sql, params, decode)
            .await?
            .ok_or_else(|| StoreError::Driver("the insert returned no row".into()))
    }

    /// `statement`'s text for identifiers compared under `matching`, and how many times it
    /// binds the identifier after the token (twice for an exact comparison: `=` and its
    /// `DATALENGTH` check).
    fn by_identifier(statement: &ByIdentifier, matching: EmailMatching) -> (&str, usize) {
        let (sql, binds) = statement.under(matching);
        (sql, binds)
    }

    /// The cascading delete in one transaction on `client`: the user, then (only if it
    /// existed) its accounts and sessions.
    async fn cascade(&self, client: &mut Pooled, id: &Id) -> Result<(), tiberius::error::Error> {
        client
            .simple_query("SET XACT_ABORT ON; BEGIN TRANSACTION")
            .await?
            .into_results()
            .await?;
        let deleted = client
            .execute(&*self.sql.delete_user, &[id.param()])
            .await?;
        if deleted.total() > 0 {
            for sql in [
                &self.sql.delete_accounts_of_user,
                &self.sql.delete_sessions_of_user,
            ] {
                client.execute(&**sql, &[id.param()]).await?;
            }
        }
        client
            .simple_query("COMMIT TRANSACTION; SET XACT_ABORT OFF")
            .await?
            .into_results()
            .await?;
        Ok(())
    }
}

#[async_trait]
impl ConnectStore for MsSqlStore {
    type Pool = Pool;
    const CAPABILITIES: Capabilities = crate::CAPABILITIES;
    const BACKEND: &'static str = "mssql";
    const DIALECT: Dialect = Dialect::MsSql;

    async fn open_pool(url: &str, options: &SqlOptions) -> Result<Pool, BoxError> {
        connections::open(url::target(url)?, options.pool_size()).await
    }

    fn over_pool(pool: Pool, names: SchemaNames) -> Self {
        MsSqlStore::new(pool, names)
    }

    fn pool(&self) -> &Pool {
        self.connections.pool()
    }
}

#[async_trait]
impl SqlStore for MsSqlStore {
    fn backend(&self) -> &'static str {
        <Self as ConnectStore>::BACKEND
    }

    fn dialect(&self) -> Dialect {
        Dialect::MsSql
    }

    fn names(&self) -> &SchemaNames {
        &self.names
    }

    async fn introspect(&self) -> Result<Schema, IntrospectError> {
        let query_error = |e: StoreError| IntrospectError::Query {
            dialect: Dialect::MsSql,
            source: Box::new(e),
        };
        let bad = |e: tiberius::error::Error| query_error(StoreError::Driver(Box::new(e)));
        let schema = self
            .connections
            .read("SELECT SCHEMA_NAME()", &[])
            .await
            .map_err(query_error)?
            .first()
            .map(|row| row.try_get::<&str, _>(0).map(|s| s.map(str::to_owned)))
            .transpose()
            .map_err(bad)?
            .flatten()
            .ok_or_else(|| IntrospectError::BadRow {
                dialect: Dialect::MsSql,
                table: "(schema)".to_owned(),
                detail: "the login has no default schema".to_owned(),
            })?;
        let text = |row: &Row, i: usize| -> Result<String, tiberius::error::Error> {
            Record::text_of(row, i)
        };
        let mut columns = Vec::new();
        for row in self
            .connections
            .read(COLUMNS_QUERY, &[&schema.as_str()])
            .await
            .map_err(query_error)?
        {
            columns.push(MsSqlColumnRow {
                table_name: text(&row, 0).map_err(bad)?,
                column_name: text(&row, 1).map_err(bad)?,
                column_id: row.try_get::<i32, _>(2).map_err(bad)?.unwrap_or_default(),
                type_name: text(&row, 3).map_err(bad)?,
                max_length: row.try_get::<i16, _>(4).map_err(bad)?.unwrap_or_default(),
                is_nullable: row.try_get::<bool, _>(5).map_err(bad)?.unwrap_or_default(),
                is_identity: row.try_get::<bool, _>(6).map_err(bad)?.unwrap_or_default(),
                default_definition: row.try_get::<&str, _>(7).map_err(bad)?.map(str::to_owned),
                collation_name: row.try_get::<&str, _>(8).map_err(bad)?.map(str::to_owned),
            });
        }
        let mut indexes = Vec::new();
        for row in self
            .connections
            .read(INDEXES_QUERY, &[&schema.as_str()])
            .await
            .map_err(query_error)?
        {
            indexes.push(MsSqlIndexRow {
                table_name: text(&row, 0).map_err(bad)?,
                index_name: text(&row, 1).map_err(bad)?,
                is_unique: row.try_get::<bool, _>(2).map_err(bad)?.unwrap_or_default(),
                is_primary_key: row.try_get::<bool, _>(3).map_err(bad)?.unwrap_or_default(),
                filter_definition: row.try_get::<&str, _>(4).map_err(bad)?.map(str::to_owned),
                key_ordinal: row.try_get::<u8, _>(5).map_err(bad)?.unwrap_or_default(),
                column_name: text(&row, 6).map_err(bad)?,
            });
        }
        schema_from_rows(&columns, &indexes)
    }

    async fn execute_ddl(&self, statements: &[String]) -> StoreResult<()> {
        // SQL Server's DDL is transactional: all tables or none. A failure drops the
        // connection, which rolls the transaction back.
        let mut client = self.connections.verified().await?;
        let mut batch = String::from("SET XACT_ABORT ON; BEGIN TRANSACTION;\n");
        for statement in statements {
            batch.push_str(statement);
            batch.push_str(";\n");
        }
        batch.push_str("COMMIT TRANSACTION; SET XACT_ABORT OFF;");
        let run = async {
            client.simple_query(batch).await?.into_results().await?;
            Ok::<_, tiberius::error::Error>(())
        };
        match run.await {
            Ok(()) => Ok(()),
            Err(e) => Err(failed(client, e)),
        }
    }

    async fn insert_user(&self, v: &UserValues, now: DateTime<Utc>) -> StoreResult<User> {
        let (verified, now) = (v.email_verified.map(at), at(now));
        let params: &Params = &[
            &v.name.as_deref(),
            &v.email.as_deref(),
            &verified,
            &v.image.as_deref(),
            &now,
            &now,
        ];
        self.insert(&self.sql.insert_user, params, records::user)
            .await
    }

    async fn select_user(&self, id: i64) -> StoreResult<Option<User>> {
        self.read(&self.sql.select_user, &[Id::of(id).param()], records::user)
            .await
    }

    async fn select_user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        self.read(&self.sql.select_user_by_email, &[&email], records::user)
            .await
    }

    async fn select_user_by_compound_id(&self, compound_id: &str) -> StoreResult<Option<User>> {
        let sql = &self.sql.select_user_by_compound_id;
        self.read(sql, &[&compound_id], records::user).await
    }

    async fn update_user(
        &self,
        id: i64,
        v: &UserValues,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>> {
        let (verified, now, id) = (v.email_verified.map(at), at(now), Id::of(id));
        let params: &Params = &[
            &v.name.as_deref(),
            &v.email.as_deref(),
            &verified,
            &v.image.as_deref(),
            &now,
            id.param(),
        ];
        self.write(&self.sql.update_user, params, records::user)
            .await
    }

    async fn delete_user(&self, id: i64, cascade: bool) -> StoreResult<()> {
        let id = Id::of(id);
        match (&self.sql.delete_user_cascade, cascade) {
            (_, false) => {
                self.connections
                    .execute(&self.sql.delete_user, &[id.param()])
                    .await?;
                Ok(())
            }
            (Cascade::Transaction, true) => {
                let mut client = self.connections.verified().await?;
                match self.cascade(&mut client, &id).await {
                    Ok(()) => Ok(()),
                    Err(e) => {
                        // Whatever the error, the transaction may be open: the connection
                        // goes, and the server rolls back what it had done.
                        let error = failed_always(client, e);
                        Err(error)
                    }
                }
            }
            (Cascade::OneStatement(_), true) => Err(StoreError::Driver(
                "SQL Server's statements cascade in a transaction".into(),
            )),
        }
    }

    async fn insert_account(&self, v: &AccountValues, now: DateTime<Utc>) -> StoreResult<Account> {
        let (expires, now, user) = (v.access_token_expires.map(at), at(now), user_id(v.user_id)?);
        let params: &Params = &[
            &v.compound_id.as_str(),
            &user,
            &v.provider_type.as_str(),
            &v.provider_id.as_str(),
            &v.provider_account_id.as_str(),
            &v.refresh_token.as_deref(),
            &v.access_token.as_deref(),
            &expires,
            &now,
            &now,
        ];
        self.insert(&self.sql.insert_account, params, records::account)
            .await
    }

    async fn delete_account(&self, compound_id: &str, user_id: i64) -> StoreResult<()> {
        let id = Id::of(user_id);
        self.connections
            .execute(&self.sql.delete_account, &[&compound_id, id.param()])
            .await?;
        Ok(())
    }

    async fn insert_session(&self, v: &SessionValues, now: DateTime<Utc>) -> StoreResult<Session> {
        let (expires, now, user) = (at(v.expires), at(now), user_id(v.user_id)?);
        let params: &Params = &[
            &user,
            &expires,
            &v.session_token.as_str(),
            &v.access_token.as_str(),
            &now,
            &now,
        ];
        self.insert(&self.sql.insert_session, params, records::session)
            .await
    }

    async fn select_session(&self, session_token: &str) -> StoreResult<Option<Session>> {
        self.read(
            &self.sql.select_session,
            &[&session_token],
            records::session,
        )
        .await
    }

    async fn update_session(
        &self,
        id: i64,
        session_token: &str,
        expires: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Session>> {
        let (expires, now, id) = (expires.map(at), at(now), Id::of(id));
        let params: &Params = &[&expires, &now, id.param(), &session_token];
        self.write(&self.sql.update_session, params, records::session)
            .await
    }

    async fn delete_expired_session(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        let (id, now) = (Id::of(id), at(now));
        self.connections
            .execute(&self.sql.delete_expired_session, &[id.param(), &now])
            .await?;
        Ok(())
    }

    async fn delete_session(&self, session_token: &str) -> StoreResult<()> {
        self.connections
            .execute(&self.sql.delete_session, &[&session_token])
            .await?;
        Ok(())
    }

    async fn insert_verification(
        &self,
        v: &VerificationValues,
        now: DateTime<Utc>,
    ) -> StoreResult<VerificationRequest> {
        let (expires, now) = (at(v.expires), at(now));
        let params: &Params = &[
            &v.identifier.as_str(),
            &v.token.as_str(),
            &expires,
            &now,
            &now,
        ];
        self.insert(&self.sql.insert_verification, params, records::verification)
            .await
    }

    async fn select_verification(&self, token: &str) -> StoreResult<Option<VerificationRequest>> {
        self.read(
            &self.sql.select_verification,
            &[&token],
            records::verification,
        )
        .await
    }

    async fn consume_verification(
        &self,
        token: &str,
        identifier: &str,
        matching: EmailMatching,
    ) -> StoreResult<Option<VerificationRequest>> {
        // One statement deletes and returns the row: of concurrent deletes one gets it.
        let (sql, binds) = Self::by_identifier(&self.sql.consume_verification, matching);
        let params: &Params = if binds == 2 {
            &[&token, &identifier, &identifier]
        } else {
            &[&token, &identifier]
        };
        self.write(sql, params, records::verification).await
    }

    async fn delete_verification(
        &self,
        token: &str,
        identifier: &str,
        matching: EmailMatching,
    ) -> StoreResult<()> {
        let (sql, binds) = Self::by_identifier(&self.sql.delete_verification, matching);
        let params: &Params = if binds == 2 {
            &[&token, &identifier, &identifier]
        } else {
            &[&token, &identifier]
        };
        self.connections.execute(sql, params).await?;
        Ok(())
    }

    async fn delete_verification_by_id(&self, id: i64) -> StoreResult<()> {
        let id = Id::of(id);
        self.connections
            .execute(&self.sql.delete_verification_by_id, &[id.param()])
            .await?;
        Ok(())
    }
}

/// `error` as the store's, the connection taken out of the pool whatever the error (a
/// transaction may be open on it).
fn failed_always(client: Pooled, error: tiberius::error::Error) -> StoreError {
    drop(Object::take(client));
    values::store_error(error)
}

impl Record {
    /// The text at `index` of a catalog row, never `NULL`.
    fn text_of(row: &Row, index: usize) -> Result<String, tiberius::error::Error> {
        row.try_get::<&str, _>(index)?
            .map(str::to_owned)
            .ok_or_else(|| {
                tiberius::error::Error::Conversion(format!("column {index} is NULL").into())
            })
    }
}
