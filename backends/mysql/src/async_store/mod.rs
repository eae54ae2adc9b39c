//! [`MysqlAsyncStore`]: the v3 tables in one MySQL/MariaDB database over mysql_async and
//! its pool.
//!
//! The statements are the shared [`Queries`] rendered for MySQL, the same texts
//! [`SqlxMySqlStore`](crate::SqlxMySqlStore) runs, each prepared once per connection, with
//! the same round trips per operation (an insert's id from its OK packet, an update followed
//! by a read of the row, a cascade in one transaction, a verification request consumed by
//! `DELETE … RETURNING` on MariaDB and by a read and a delete by id on MySQL 8). What differs
//! is the driver underneath, and that the pool's ping is paid by writes only (see
//! [`connections`]): sqlx's pool pings every connection it hands out.

mod connections;
mod url;
mod values;

pub use url::UrlError;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use connections::{Connections, Written};
use mysql_async::prelude::Queryable;
use mysql_async::{Params, Pool, TxOpts, Value};
use nextauth_adapter::error::BoxError;
use nextauth_adapter::{Account, Capabilities, EmailMatching, Session, User, VerificationRequest};
use nextauth_adapter_sql::adapter::rows;
use nextauth_adapter_sql::adapter::{
    AccountValues, ByIdentifier, ConnectStore, Queries, SessionValues, Sql, SqlOptions, SqlStore,
    StoreError, StoreResult, UserValues, VerificationValues, consume_in_two_steps,
};
use nextauth_adapter_sql::introspect::mysql::{
    COLUMNS, ColumnRow, INDEX_COLUMNS, IndexRow, TABLES, assemble_rows,
};
use nextauth_adapter_sql::{Dialect, IntrospectError, Schema, SchemaNames};
use std::sync::{Arc, OnceLock};
use values::{
    DecodeError, Record, decode_error, instant, int, opt_instant, opt_text, store_error, text,
};

/// The v3 tables in one MySQL/MariaDB database (the connection's default database), over a
/// pool of mysql_async connections.
#[derive(Debug, Clone)]
pub struct MysqlAsyncStore {
    connections: Connections,
    names: SchemaNames,
    sql: Queries,
    /// Whether the server runs `DELETE … RETURNING` (MariaDB), learnt on first use.
    deletes_return: Arc<OnceLock<bool>>,
}

/// One of the shared record mappers ([`rows::user`] and its siblings).
type Decode<T> = fn(&Record) -> Result<T, DecodeError>;

/// A `user_id` column value: the adapter only passes ids that fit the 32-bit column, and a
/// server out of strict mode would clamp one that does not.
fn user_id(id: i64) -> StoreResult<Value> {
    i32::try_from(id)
        .map(|id| int(i64::from(id)))
        .map_err(|e| StoreError::Driver(Box::new(e)))
}

/// The id an insert generated, as the contract's string.
fn inserted_id(written: Written) -> StoreResult<String> {
    written
        .inserted_id
        .map(|id| id.to_string())
        .ok_or_else(|| StoreError::Driver("the mysql driver reported no inserted id".into()))
}

impl MysqlAsyncStore {
    /// A store over `pool` for the tables `names` names.
    pub fn new(pool: Pool, names: SchemaNames) -> Self {
        let sql = Queries::new(Dialect::MySql, &names);
        MysqlAsyncStore {
            connections: Connections::new(pool),
            names,
            sql,
            deletes_return: Arc::default(),
        }
    }

    /// A read of at most one record, decoded by `decode`.
    async fn read<T>(
        &self,
        sql: &Sql,
        params: &[Value],
        decode: Decode<T>,
    ) -> StoreResult<Option<T>> {
        let row = self.connections.read(sql, params).await?;
        row.map(|r| decode(&Record(r)))
            .transpose()
            .map_err(decode_error)
    }

    /// A write whose rows are not needed; what it did.
    async fn write(&self, sql: &str, params: Vec<Value>) -> StoreResult<Written> {
        self.connections.write(sql, params).await
    }

    /// Whether the server runs `DELETE … RETURNING`, asked once and remembered: MariaDB has
    /// it, MySQL 8 does not.
    async fn deletes_return(&self) -> StoreResult<bool> {
        if let Some(known) = self.deletes_return.get() {
            return Ok(*known);
        }
        let answer = self
            .version()
            .await?
            .to_ascii_lowercase()
            .contains("mariadb");
        Ok(*self.deletes_return.get_or_init(|| answer))
    }

    /// The server's `VERSION()`.
    async fn version(&self) -> StoreResult<String> {
        let version = Sql::from("SELECT CAST(VERSION() AS CHAR)");
        let row = self.connections.read(&version, &[]).await?;
        Ok(row
            .map(|r| Record(r).get::<String>(0))
            .transpose()
            .map_err(decode_error)?
            .unwrap_or_default())
    }

    /// The `token, identifier` parameters of `statement` under `matching` (the identifier
    /// twice where the exact text checks the byte length besides `PAD SPACE`'s `=`).
    fn by_identifier<'s>(
        statement: &'s ByIdentifier,
        token: &str,
        identifier: &str,
        matching: EmailMatching,
    ) -> (&'s Sql, Vec<Value>) {
        let (sql, binds) = statement.under(matching);
        let mut params = vec![text(token)];
        params.extend((0..binds).map(|_| text(identifier)));
        (sql, params)
    }

    /// The catalog's rows of `sql` for database `database`, each decoded by `decode`.
    async fn catalog<T>(
        &self,
        sql: &str,
        database: &str,
        decode: fn(&Record) -> Result<T, DecodeError>,
    ) -> Result<Vec<T>, IntrospectError> {
        let rows = self
            .connections
            .read_all(&Sql::from(sql), &[text(database)])
            .await
            .map_err(catalog_error)?;
        rows.into_iter()
            .map(|row| decode(&Record(row)).map_err(|e| catalog_error(decode_error(e))))
            .collect()
    }
}

/// A store error met while reading the catalog.
fn catalog_error(error: StoreError) -> IntrospectError {
    IntrospectError::Query {
        dialect: Dialect::MySql,
        source: Box::new(error),
    }
}

/// A row of the columns query.
fn column_row(row: &Record) -> Result<ColumnRow, DecodeError> {
    Ok(ColumnRow {
        table: row.get::<String>(0)?,
        column: row.get::<String>(1)?,
        position: row.get(2)?,
        data_type: row.get::<String>(3)?,
        full_type: row.get::<String>(4)?,
        length: row.get(5)?,
        nullable: row.get::<String>(6)?,
        default: row.get(7)?,
        extra: row.get(8)?,
        collation: row.get(9)?,
        digits: row.get(10)?,
    })
}

/// A row of the index columns query.
fn index_row(row: &Record) -> Result<IndexRow, DecodeError> {
    Ok(IndexRow {
        table: row.get::<String>(0)?,
        index: row.get::<String>(1)?,
        non_unique: row.get(2)?,
        position: row.get(3)?,
        column: row.get(4)?,
    })
}

#[async_trait]
impl ConnectStore for MysqlAsyncStore {
    type Pool = Pool;
    const CAPABILITIES: Capabilities = crate::CAPABILITIES;
    const BACKEND: &'static str = "mysql";
    const DIALECT: Dialect = Dialect::MySql;

    async fn open_pool(url: &str, options: &SqlOptions) -> Result<Pool, BoxError> {
        connections::open(url, options.pool_size()).await
    }

    fn over_pool(pool: Pool, names: SchemaNames) -> Self {
        MysqlAsyncStore::new(pool, names)
    }

    fn pool(&self) -> &Pool {
        self.connections.pool()
    }
}

#[async_trait]
impl SqlStore for MysqlAsyncStore {
    fn backend(&self) -> &'static str {
        <Self as ConnectStore>::BACKEND
    }

    fn dialect(&self) -> Dialect {
        Dialect::MySql
    }

    fn names(&self) -> &SchemaNames {
        &self.names
    }

    async fn introspect(&self) -> Result<Schema, IntrospectError> {
        let row = self
            .connections
            .read(&Sql::from("SELECT CAST(DATABASE() AS CHAR)"), &[])
            .await
            .map_err(catalog_error)?;
        let database: Option<String> = row
            .map(|r| Record(r).get(0))
            .transpose()
            .map_err(|e| catalog_error(decode_error(e)))?
            .flatten();
        let database = database.ok_or_else(|| IntrospectError::BadRow {
            dialect: Dialect::MySql,
            table: "(database)".to_owned(),
            detail: "the connection has no default database; name one in the URL".to_owned(),
        })?;
        let tables = self
            .catalog(TABLES, &database, |r| r.get::<String>(0))
            .await?;
        let columns = self.catalog(COLUMNS, &database, column_row).await?;
        let indexes = self.catalog(INDEX_COLUMNS, &database, index_row).await?;
        Ok(assemble_rows(tables, columns, indexes))
    }

    async fn execute_ddl(&self, statements: &[String]) -> StoreResult<()> {
        // MySQL commits each DDL statement implicitly: they run in order on one connection.
        // Tables get the server's binary NO PAD collation, which VERSION() names.
        let statements = nextauth_adapter_sql::mysql_ddl_for(&self.version().await?, statements);
        let mut conn = self.connections.verified().await?;
        for statement in &statements {
            conn.query_drop(statement).await.map_err(store_error)?;
        }
        Ok(())
    }

    async fn insert_user(&self, v: &UserValues, now: DateTime<Utc>) -> StoreResult<User> {
        let params = vec![
            opt_text(v.name.as_deref()),
            opt_text(v.email.as_deref()),
            opt_instant(v.email_verified),
            opt_text(v.image.as_deref()),
            instant(now),
            instant(now),
        ];
        let written = self.write(&self.sql.insert_user, params).await?;
        Ok(v.stored(inserted_id(written)?, now))
    }

    async fn select_user(&self, id: i64) -> StoreResult<Option<User>> {
        self.read(&self.sql.select_user, &[int(id)], rows::user)
            .await
    }

    async fn select_user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        self.read(&self.sql.select_user_by_email, &[text(email)], rows::user)
            .await
    }

    async fn select_user_by_compound_id(&self, compound_id: &str) -> StoreResult<Option<User>> {
        let sql = &self.sql.select_user_by_compound_id;
        self.read(sql, &[text(compound_id)], rows::user).await
    }

    async fn update_user(
        &self,
        id: i64,
        v: &UserValues,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>> {
        let params = vec![
            opt_text(v.name.as_deref()),
            opt_text(v.email.as_deref()),
            opt_instant(v.email_verified),
            opt_text(v.image.as_deref()),
            instant(now),
            int(id),
        ];
        // The count is of matched rows (`CLIENT_FOUND_ROWS`): an update that changes nothing
        // still says the user exists.
        match self.write(&self.sql.update_user, params).await?.matched {
            0 => Ok(None),
            _ => self.select_user(id).await,
        }
    }

    async fn delete_user(&self, id: i64, cascade: bool) -> StoreResult<()> {
        if !cascade {
            self.write(&self.sql.delete_user, vec![int(id)]).await?;
            return Ok(());
        }
        // MySQL's queries cascade in one transaction: the user, then (only if it existed)
        // its accounts and sessions. A failure rolls it back when the transaction drops.
        let mut conn = self.connections.verified().await?;
        let mut tx = conn
            .start_transaction(TxOpts::default())
            .await
            .map_err(store_error)?;
        tx.exec_drop(&*self.sql.delete_user, Params::Positional(vec![int(id)]))
            .await
            .map_err(store_error)?;
        if tx.affected_rows() > 0 {
            for sql in [
                &self.sql.delete_accounts_of_user,
                &self.sql.delete_sessions_of_user,
            ] {
                tx.exec_drop(&**sql, Params::Positional(vec![int(id)]))
                    .await
                    .map_err(store_error)?;
            }
        }
        tx.commit().await.map_err(store_error)
    }

    async fn insert_account(&self, v: &AccountValues, now: DateTime<Utc>) -> StoreResult<Account> {
        let params = vec![
            text(&v.compound_id),
            user_id(v.user_id)?,
            text(&v.provider_type),
            text(&v.provider_id),
            text(&v.provider_account_id),
            opt_text(v.refresh_token.as_deref()),
            opt_text(v.access_token.as_deref()),
            opt_instant(v.access_token_expires),
            instant(now),
            instant(now),
        ];
        let written = self.write(&self.sql.insert_account, params).await?;
        Ok(v.stored(inserted_id(written)?, now))
    }

    async fn delete_account(&self, compound_id: &str, user_id: i64) -> StoreResult<()> {
        let params = vec![text(compound_id), int(user_id)];
        self.write(&self.sql.delete_account, params).await?;
        Ok(())
    }

    async fn insert_session(&self, v: &SessionValues, now: DateTime<Utc>) -> StoreResult<Session> {
        let params = vec![
            user_id(v.user_id)?,
            instant(v.expires),
            text(&v.session_token),
            text(&v.access_token),
            instant(now),
            instant(now),
        ];
        let written = self.write(&self.sql.insert_session, params).await?;
        Ok(v.stored(inserted_id(written)?, now))
    }

    async fn select_session(&self, session_token: &str) -> StoreResult<Option<Session>> {
        let sql = &self.sql.select_session;
        self.read(sql, &[text(session_token)], rows::session).await
    }

    async fn update_session(
        &self,
        id: i64,
        session_token: &str,
        expires: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Session>> {
        let params = vec![
            opt_instant(expires),
            instant(now),
            int(id),
            text(session_token),
        ];
        match self.write(&self.sql.update_session, params).await?.matched {
            0 => Ok(None),
            _ => {
                let sql = &self.sql.select_session_by_id;
                self.read(sql, &[int(id)], rows::session).await
            }
        }
    }

    async fn delete_expired_session(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        let params = vec![int(id), instant(now)];
        self.write(&self.sql.delete_expired_session, params).await?;
        Ok(())
    }

    async fn delete_session(&self, session_token: &str) -> StoreResult<()> {
        let params = vec![text(session_token)];
        self.write(&self.sql.delete_session, params).await?;
        Ok(())
    }

    async fn insert_verification(
        &self,
        v: &VerificationValues,
        now: DateTime<Utc>,
    ) -> StoreResult<VerificationRequest> {
        let params = vec![
            text(&v.identifier),
            text(&v.token),
            instant(v.expires),
            instant(now),
            instant(now),
        ];
        let written = self.write(&self.sql.insert_verification, params).await?;
        Ok(v.stored(inserted_id(written)?, now))
    }

    async fn select_verification(&self, token: &str) -> StoreResult<Option<VerificationRequest>> {
        let sql = &self.sql.select_verification;
        self.read(sql, &[text(token)], rows::verification).await
    }

    async fn consume_verification(
        &self,
        token: &str,
        identifier: &str,
        matching: EmailMatching,
    ) -> StoreResult<Option<VerificationRequest>> {
        if self.deletes_return().await? {
            // One statement deletes and returns the row; of concurrent deletes one gets it.
            let (sql, params) =
                Self::by_identifier(&self.sql.consume_verification, token, identifier, matching);
            let row = self.connections.write_returning(sql, params).await?;
            return row
                .map(|r| rows::verification(&Record(r)))
                .transpose()
                .map_err(decode_error);
        }
        // No `DELETE … RETURNING` (MySQL 8): read, then delete by id.
        let found = self.select_verification(token).await?;
        consume_in_two_steps(found, identifier, matching, |id| async move {
            let sql = &self.sql.delete_verification_by_id;
            Ok(self.write(sql, vec![int(id)]).await?.matched)
        })
        .await
    }

    async fn delete_verification(
        &self,
        token: &str,
        identifier: &str,
        matching: EmailMatching,
    ) -> StoreResult<()> {
        let (sql, params) =
            Self::by_identifier(&self.sql.delete_verification, token, identifier, matching);
        self.write(sql, params).await?;
        Ok(())
    }

    async fn delete_verification_by_id(&self, id: i64) -> StoreResult<()> {
        self.write(&self.sql.delete_verification_by_id, vec![int(id)])
            .await?;
        Ok(())
    }
}
