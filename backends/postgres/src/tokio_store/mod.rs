//! [`TokioPostgresStore`]: the v3 tables in one PostgreSQL schema over tokio-postgres,
//! pooled by deadpool-postgres.
//!
//! The statements are the shared [`Queries`] rendered for PostgreSQL, the same texts
//! [`SqlxPostgresStore`](crate::SqlxPostgresStore) runs, each prepared once per connection.
//! One statement per operation, as with sqlx (`RETURNING` on every write, the cascading
//! `delete_user` one statement with data-modifying `WITH`, a verification request consumed
//! by `DELETE … RETURNING`); what differs is the driver underneath: tokio-postgres writes
//! a statement in one send and reads its answer in one receive, and the pool's ping is paid
//! by writes only, so a read is one round trip and a write two (see [`connections`]).

mod connections;
mod values;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use connections::{Access, Connections};
use deadpool_postgres::Pool;
use nextauth_adapter::error::BoxError;
use nextauth_adapter::{Account, Capabilities, EmailMatching, Session, User, VerificationRequest};
use nextauth_adapter_sql::adapter::rows;
use nextauth_adapter_sql::adapter::{
    AccountValues, Cascade, ConnectStore, Queries, SessionValues, SqlOptions, SqlStore, StoreError,
    StoreResult, UserValues, VerificationValues,
};
use nextauth_adapter_sql::introspect::postgres::{
    COLUMNS, ColumnRow, INDEX_COLUMNS, IndexRow, TABLES, assemble_rows,
};
use nextauth_adapter_sql::{Dialect, IntrospectError, Schema, SchemaNames};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;
use values::{Id, Record};

/// The v3 tables in one PostgreSQL schema (the connection's `search_path`), over a pool of
/// tokio-postgres connections.
#[derive(Debug, Clone)]
pub struct TokioPostgresStore {
    connections: Connections,
    names: SchemaNames,
    sql: Queries,
}

/// A parameter list.
type Params<'a> = [&'a (dyn ToSql + Sync)];

/// One of the shared record mappers ([`rows::user`] and its siblings).
type Decode<T> = fn(&Record) -> Result<T, tokio_postgres::Error>;

impl TokioPostgresStore {
    /// A store over `pool` for the tables `names` names.
    pub fn new(pool: Pool, names: SchemaNames) -> Self {
        let sql = Queries::new(Dialect::Postgres, &names);
        TokioPostgresStore {
            connections: Connections::new(pool),
            names,
            sql,
        }
    }

    /// Runs `sql` and returns its first row, if any.
    async fn first(
        &self,
        access: Access,
        sql: &str,
        params: &Params<'_>,
    ) -> StoreResult<Option<Row>> {
        Ok(self
            .connections
            .query(access, sql, params)
            .await?
            .into_iter()
            .next())
    }

    /// A read of at most one record, decoded by `decode`.
    async fn read<T>(
        &self,
        sql: &str,
        params: &Params<'_>,
        decode: Decode<T>,
    ) -> StoreResult<Option<T>> {
        let row = self.first(Access::Read, sql, params).await?;
        row.map(|r| decode(&Record(r))).transpose().map_err(driver)
    }

    /// A write that returns the record it wrote, if it matched a row.
    async fn write<T>(
        &self,
        sql: &str,
        params: &Params<'_>,
        decode: Decode<T>,
    ) -> StoreResult<Option<T>> {
        let row = self.first(Access::Write, sql, params).await?;
        row.map(|r| decode(&Record(r))).transpose().map_err(driver)
    }

    /// An insert, which always returns the record it wrote.
    async fn insert<T>(&self, sql: &str, params: &Params<'_>, decode: Decode<T>) -> StoreResult<T> {
        self.write(sql, params, decode)
            .await?
            .ok_or_else(|| StoreError::Driver("the insert returned no row".into()))
    }

    /// A write whose rows, if any, are not needed.
    async fn execute(&self, sql: &str, params: &Params<'_>) -> StoreResult<()> {
        self.connections.query(Access::Write, sql, params).await?;
        Ok(())
    }

    /// The catalog's rows of `sql` for schema `pg_schema`, each decoded by `decode`.
    async fn catalog<T>(
        &self,
        sql: &str,
        pg_schema: &str,
        decode: fn(&Row) -> Result<T, tokio_postgres::Error>,
    ) -> Result<Vec<T>, IntrospectError> {
        let rows = self
            .connections
            .query(Access::Read, sql, &[&pg_schema])
            .await
            .map_err(catalog_error)?;
        rows.iter()
            .map(|row| decode(row).map_err(|e| catalog_error(driver(e))))
            .collect()
    }
}

/// A row that could not be decoded.
fn driver(error: tokio_postgres::Error) -> StoreError {
    StoreError::Driver(Box::new(error))
}

/// A store error met while reading the catalog.
fn catalog_error(error: StoreError) -> IntrospectError {
    IntrospectError::Query {
        dialect: Dialect::Postgres,
        source: Box::new(error),
    }
}

/// A row of the columns query.
fn column_row(row: &Row) -> Result<ColumnRow, tokio_postgres::Error> {
    Ok(ColumnRow {
        table: row.try_get(0)?,
        column: row.try_get(1)?,
        position: row.try_get(2)?,
        data_type: row.try_get(3)?,
        length: row.try_get(4)?,
        nullable: row.try_get(5)?,
        default: row.try_get(6)?,
        identity: row.try_get(7)?,
        collation: row.try_get(8)?,
        deterministic: row.try_get(9)?,
        digits: row.try_get(10)?,
    })
}

/// A row of the index columns query.
fn index_row(row: &Row) -> Result<IndexRow, tokio_postgres::Error> {
    Ok(IndexRow {
        table: row.try_get(0)?,
        index: row.try_get(1)?,
        unique: row.try_get(2)?,
        primary: row.try_get(3)?,
        position: row.try_get(4)?,
        definition: row.try_get(5)?,
        predicate: row.try_get(6)?,
    })
}

#[async_trait]
impl ConnectStore for TokioPostgresStore {
    type Pool = Pool;
    const CAPABILITIES: Capabilities = crate::CAPABILITIES;
    const BACKEND: &'static str = "postgres";
    const DIALECT: Dialect = Dialect::Postgres;

    async fn open_pool(url: &str, options: &SqlOptions) -> Result<Pool, BoxError> {
        connections::open(url, options.pool_size()).await
    }

    fn over_pool(pool: Pool, names: SchemaNames) -> Self {
        TokioPostgresStore::new(pool, names)
    }

    fn pool(&self) -> &Pool {
        self.connections.pool()
    }
}

#[async_trait]
impl SqlStore for TokioPostgresStore {
    fn backend(&self) -> &'static str {
        <Self as ConnectStore>::BACKEND
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn names(&self) -> &SchemaNames {
        &self.names
    }

    async fn introspect(&self) -> Result<Schema, IntrospectError> {
        let schema = self
            .first(Access::Read, "SELECT current_schema()", &[])
            .await
            .map_err(catalog_error)?
            .map(|row| row.try_get::<_, Option<String>>(0))
            .transpose()
            .map_err(|e| catalog_error(driver(e)))?
            .flatten()
            .ok_or_else(|| IntrospectError::BadRow {
                dialect: Dialect::Postgres,
                table: "(search_path)".to_owned(),
                detail: "no schema of the search_path exists".to_owned(),
            })?;
        let tables = self.catalog(TABLES, &schema, |row| row.try_get(0)).await?;
        let columns = self.catalog(COLUMNS, &schema, column_row).await?;
        let indexes = self.catalog(INDEX_COLUMNS, &schema, index_row).await?;
        Ok(assemble_rows(tables, columns, indexes))
    }

    async fn execute_ddl(&self, statements: &[String]) -> StoreResult<()> {
        // PostgreSQL's DDL is transactional: all tables or none.
        let mut client = self.connections.verified().await?;
        let tx = client.transaction().await.map_err(driver)?;
        for statement in statements {
            tx.batch_execute(statement)
                .await
                .map_err(values::store_error)?;
        }
        tx.commit().await.map_err(values::store_error)
    }

    async fn insert_user(&self, v: &UserValues, now: DateTime<Utc>) -> StoreResult<User> {
        let params: &Params = &[&v.name, &v.email, &v.email_verified, &v.image, &now, &now];
        self.insert(&self.sql.insert_user, params, rows::user).await
    }

    async fn select_user(&self, id: i64) -> StoreResult<Option<User>> {
        self.read(&self.sql.select_user, &[&Id(id)], rows::user)
            .await
    }

    async fn select_user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        self.read(&self.sql.select_user_by_email, &[&email], rows::user)
            .await
    }

    async fn select_user_by_compound_id(&self, compound_id: &str) -> StoreResult<Option<User>> {
        let sql = &self.sql.select_user_by_compound_id;
        self.read(sql, &[&compound_id], rows::user).await
    }

    async fn update_user(
        &self,
        id: i64,
        v: &UserValues,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>> {
        let params: &Params = &[
            &v.name,
            &v.email,
            &v.email_verified,
            &v.image,
            &now,
            &Id(id),
        ];
        self.write(&self.sql.update_user, params, rows::user).await
    }

    async fn delete_user(&self, id: i64, cascade: bool) -> StoreResult<()> {
        match (&self.sql.delete_user_cascade, cascade) {
            (_, false) => self.execute(&self.sql.delete_user, &[&Id(id)]).await,
            (Cascade::OneStatement(sql), true) => self.execute(sql, &[&Id(id)]).await,
            // PostgreSQL's queries always cascade in one statement.
            (Cascade::Transaction, true) => Err(StoreError::Driver(
                "PostgreSQL's statements have no cascading transaction".into(),
            )),
        }
    }

    async fn insert_account(&self, v: &AccountValues, now: DateTime<Utc>) -> StoreResult<Account> {
        let params: &Params = &[
            &v.compound_id,
            &Id(v.user_id),
            &v.provider_type,
            &v.provider_id,
            &v.provider_account_id,
            &v.refresh_token,
            &v.access_token,
            &v.access_token_expires,
            &now,
            &now,
        ];
        self.insert(&self.sql.insert_account, params, rows::account)
            .await
    }

    async fn delete_account(&self, compound_id: &str, user_id: i64) -> StoreResult<()> {
        self.execute(&self.sql.delete_account, &[&compound_id, &Id(user_id)])
            .await
    }

    async fn insert_session(&self, v: &SessionValues, now: DateTime<Utc>) -> StoreResult<Session> {
        let params: &Params = &[
            &Id(v.user_id),
            &v.expires,
            &v.session_token,
            &v.access_token,
            &now,
            &now,
        ];
        self.insert(&self.sql.insert_session, params, rows::session)
            .await
    }

    async fn select_session(&self, session_token: &str) -> StoreResult<Option<Session>> {
        self.read(&self.sql.select_session, &[&session_token], rows::session)
            .await
    }

    async fn update_session(
        &self,
        id: i64,
        session_token: &str,
        expires: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Session>> {
        let params: &Params = &[&expires, &now, &Id(id), &session_token];
        self.write(&self.sql.update_session, params, rows::session)
            .await
    }

    async fn delete_expired_session(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        self.execute(&self.sql.delete_expired_session, &[&Id(id), &now])
            .await
    }

    async fn delete_session(&self, session_token: &str) -> StoreResult<()> {
        self.execute(&self.sql.delete_session, &[&session_token])
            .await
    }

    async fn insert_verification(
        &self,
        v: &VerificationValues,
        now: DateTime<Utc>,
    ) -> StoreResult<VerificationRequest> {
        let params: &Params = &[&v.identifier, &v.token, &v.expires, &now, &now];
        self.insert(&self.sql.insert_verification, params, rows::verification)
            .await
    }

    async fn select_verification(&self, token: &str) -> StoreResult<Option<VerificationRequest>> {
        let sql = &self.sql.select_verification;
        self.read(sql, &[&token], rows::verification).await
    }

    async fn consume_verification(
        &self,
        token: &str,
        identifier: &str,
        matching: EmailMatching,
    ) -> StoreResult<Option<VerificationRequest>> {
        // One statement deletes and returns the row: of concurrent deletes one gets it.
        // PostgreSQL binds the identifier once whichever way it is compared.
        let (sql, _) = self.sql.consume_verification.under(matching);
        self.write(sql, &[&token, &identifier], rows::verification)
            .await
    }

    async fn delete_verification(
        &self,
        token: &str,
        identifier: &str,
        matching: EmailMatching,
    ) -> StoreResult<()> {
        let (sql, _) = self.sql.delete_verification.under(matching);
        self.execute(sql, &[&token, &identifier]).await
    }

    async fn delete_verification_by_id(&self, id: i64) -> StoreResult<()> {
        self.execute(&self.sql.delete_verification_by_id, &[&Id(id)])
            .await
    }
}
