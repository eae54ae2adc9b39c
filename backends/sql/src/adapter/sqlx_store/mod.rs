//! [`SqlxStore`]: the one [`SqlStore`] over sqlx, generic over a [`Driver`].
//!
//! Round trips per operation, by how the dialect's writes return rows
//! ([`Writes`](super::Writes)):
//!
//! | operation | `RETURNING` (PostgreSQL, SQLite) | last insert id (MySQL/MariaDB) |
//! | --- | --- | --- |
//! | inserts | 1 | 1 (the id comes with the OK packet; the record is the values bound) |
//! | selects, deletes | 1 | 1 |
//! | `update_user`, `update_session` | 1 | 2 (the update, then a read of the row; 1 when nothing matched) |
//! | `delete_user` with cascade | PostgreSQL 1 (one data-modifying `WITH`); SQLite: one transaction of three deletes | one transaction of three deletes |
//! | `consume_verification` | 1 (`DELETE … RETURNING`) | MariaDB 1; MySQL 8: 2 (select by the unique token, delete by id) |

mod driver;
mod exec;

pub use driver::Driver;
pub use exec::{Exec, Prepared, Running, Statement};

use super::connect::{ConnectStore, SqlOptions};
use super::error::StoreError;
use super::queries::{ByIdentifier, Cascade, Queries, Writes};
use super::store::{
    AccountValues, SessionValues, SqlStore, StoreResult, UserValues, VerificationValues,
    consume_in_two_steps,
};
use crate::dialect::Dialect;
use crate::error::IntrospectError;
use crate::model::Schema;
use crate::names::SchemaNames;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use nextauth_adapter::error::BoxError;
use nextauth_adapter::{Account, Capabilities, EmailMatching, Session, User, VerificationRequest};
use sqlx::{AssertSqlSafe, Database, Pool, Transaction};
use std::marker::PhantomData;
use std::sync::{Arc, OnceLock};

/// The v3 tables in one schema or database, over a sqlx pool of `D`'s database.
#[derive(Debug, Clone)]
pub struct SqlxStore<D: Driver> {
    pool: Pool<D::Db>,
    names: SchemaNames,
    sql: Queries,
    /// Whether the server runs `DELETE … RETURNING`, learnt on first use.
    deletes_return: Arc<OnceLock<bool>>,
    driver: PhantomData<D>,
}

/// A `user_id` column value: the adapter only passes ids that fit the 32-bit column.
fn user_id(id: i64) -> StoreResult<i64> {
    i32::try_from(id)
        .map(i64::from)
        .map_err(|e| StoreError::Driver(Box::new(e)))
}

impl<D: Driver> SqlxStore<D> {
    /// A store over `pool` for the tables `names` names.
    pub fn new(pool: Pool<D::Db>, names: SchemaNames) -> Self {
        let sql = Queries::new(D::DIALECT, &names);
        SqlxStore {
            pool,
            names,
            sql,
            deletes_return: Arc::default(),
            driver: PhantomData,
        }
    }
}

impl<D: Driver> SqlxStore<D> {
    /// The pool underneath.
    pub fn pool(&self) -> &Pool<D::Db> {
        &self.pool
    }

    /// Runs `statement` and returns its first row, if any.
    async fn fetch(
        &self,
        statement: Statement<D>,
    ) -> StoreResult<Option<<D::Db as Database>::Row>> {
        let mut conn = self.pool.acquire().await?;
        Ok(D::Db::fetch_optional(&mut conn, statement.prepared()).await?)
    }

    /// Runs a statement that must return a row (a write with `RETURNING`).
    async fn fetch_one(&self, statement: Statement<D>) -> StoreResult<<D::Db as Database>::Row> {
        self.fetch(statement)
            .await?
            .ok_or_else(|| StoreError::from(sqlx::Error::RowNotFound))
    }

    /// Runs `statement` and returns what the driver says it did.
    async fn run(&self, statement: Statement<D>) -> StoreResult<<D::Db as Database>::QueryResult> {
        let mut conn = self.pool.acquire().await?;
        Ok(D::Db::execute(&mut conn, statement.prepared()).await?)
    }

    /// Runs `statement` and returns how many rows it matched.
    async fn matched(&self, statement: Statement<D>) -> StoreResult<u64> {
        Ok(D::rows_affected(&self.run(statement).await?))
    }

    /// The id an insert without `RETURNING` generated, as the contract's string.
    fn inserted_id(result: &<D::Db as Database>::QueryResult) -> StoreResult<String> {
        D::last_insert_id(result)
            .map(|id| id.to_string())
            .ok_or_else(|| {
                StoreError::Driver(
                    format!("the {} driver reported no inserted id", D::BACKEND).into(),
                )
            })
    }

    /// A transaction that will write.
    async fn begin_write(&self) -> StoreResult<Transaction<'static, D::Db>> {
        Ok(match D::BEGIN_WRITE {
            Some(begin) => self.pool.begin_with(begin).await?,
            None => self.pool.begin().await?,
        })
    }

    /// Whether the server runs `DELETE … RETURNING`, asked once and remembered.
    async fn deletes_return(&self) -> StoreResult<bool> {
        if let Some(known) = self.deletes_return.get() {
            return Ok(*known);
        }
        let answer = D::deletes_return(&self.pool).await?;
        Ok(*self.deletes_return.get_or_init(|| answer))
    }

    /// The session with this id (the read-back after an update without `RETURNING`).
    async fn select_session_by_id(&self, id: i64) -> StoreResult<Option<Session>> {
        let row = self
            .fetch(Statement::new(&self.sql.select_session_by_id).int(id))
            .await?;
        Ok(row.as_ref().map(D::Db::session).transpose()?)
    }
}

#[async_trait]
impl<D: Driver> ConnectStore for SqlxStore<D> {
    type Pool = Pool<D::Db>;
    const CAPABILITIES: Capabilities = D::CAPABILITIES;
    const BACKEND: &'static str = D::BACKEND;
    const DIALECT: Dialect = D::DIALECT;

    async fn open_pool(url: &str, options: &SqlOptions) -> Result<Pool<D::Db>, BoxError> {
        Ok(D::open_pool(url, options).await?)
    }

    fn over_pool(pool: Pool<D::Db>, names: SchemaNames) -> Self {
        SqlxStore::new(pool, names)
    }

    fn pool(&self) -> &Pool<D::Db> {
        &self.pool
    }
}

#[async_trait]
impl<D: Driver> SqlStore for SqlxStore<D> {
    fn backend(&self) -> &'static str {
        D::BACKEND
    }

    fn dialect(&self) -> Dialect {
        D::DIALECT
    }

    fn names(&self) -> &SchemaNames {
        &self.names
    }

    async fn introspect(&self) -> Result<Schema, IntrospectError> {
        D::introspect(&self.pool).await
    }

    async fn execute_ddl(&self, statements: &[String]) -> StoreResult<()> {
        let statements = &D::server_ddl(&self.pool, statements).await?;
        let ddl = |statement: &String| sqlx::query(AssertSqlSafe(statement.clone()));
        if D::TRANSACTIONAL_DDL {
            let mut tx = self.begin_write().await?;
            for statement in statements {
                D::Db::execute(&mut tx, ddl(statement)).await?;
            }
            tx.commit().await?;
        } else {
            let mut conn = self.pool.acquire().await?;
            for statement in statements {
                D::Db::execute(&mut conn, ddl(statement)).await?;
            }
        }
        Ok(())
    }

    async fn insert_user(&self, v: &UserValues, now: DateTime<Utc>) -> StoreResult<User> {
        let statement = Statement::new(&self.sql.insert_user)
            .opt_text(v.name.as_deref())
            .opt_text(v.email.as_deref())
            .opt_instant(v.email_verified)
            .opt_text(v.image.as_deref())
            .instant(now)
            .instant(now);
        match self.sql.writes {
            Writes::Returning => Ok(D::Db::user(&self.fetch_one(statement).await?)?),
            Writes::LastInsertId => {
                Ok(v.stored(Self::inserted_id(&self.run(statement).await?)?, now))
            }
        }
    }

    async fn select_user(&self, id: i64) -> StoreResult<Option<User>> {
        let row = self
            .fetch(Statement::new(&self.sql.select_user).int(id))
            .await?;
        Ok(row.as_ref().map(D::Db::user).transpose()?)
    }

    async fn select_user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let row = self
            .fetch(Statement::new(&self.sql.select_user_by_email).text(email))
            .await?;
        Ok(row.as_ref().map(D::Db::user).transpose()?)
    }

    async fn select_user_by_compound_id(&self, compound_id: &str) -> StoreResult<Option<User>> {
        let row = self
            .fetch(Statement::new(&self.sql.select_user_by_compound_id).text(compound_id))
            .await?;
        Ok(row.as_ref().map(D::Db::user).transpose()?)
    }

    async fn update_user(
        &self,
        id: i64,
        v: &UserValues,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>> {
        let statement = Statement::new(&self.sql.update_user)
            .opt_text(v.name.as_deref())
            .opt_text(v.email.as_deref())
            .opt_instant(v.email_verified)
            .opt_text(v.image.as_deref())
            .instant(now)
            .int(id);
        match self.sql.writes {
            Writes::Returning => {
                let row = self.fetch(statement).await?;
                Ok(row.as_ref().map(D::Db::user).transpose()?)
            }
            // sqlx connects to MySQL with CLIENT_FOUND_ROWS: the count is of matched rows,
            // so an update that changes nothing still says the user exists.
            Writes::LastInsertId => match self.matched(statement).await? {
                0 => Ok(None),
                _ => self.select_user(id).await,
            },
        }
    }

    async fn delete_user(&self, id: i64, cascade: bool) -> StoreResult<()> {
        let delete = Statement::new(&self.sql.delete_user).int(id);
        match (&self.sql.delete_user_cascade, cascade) {
            (_, false) => {
                self.run(delete).await?;
            }
            (Cascade::OneStatement(sql), true) => {
                self.run(Statement::new(sql).int(id)).await?;
            }
            (Cascade::Transaction, true) => {
                let mut tx = self.begin_write().await?;
                let deleted = D::rows_affected(&D::Db::execute(&mut tx, delete.prepared()).await?);
                if deleted > 0 {
                    for sql in [
                        &self.sql.delete_accounts_of_user,
                        &self.sql.delete_sessions_of_user,
                    ] {
                        D::Db::execute(&mut tx, Statement::<D>::new(sql).int(id).prepared())
                            .await?;
                    }
                }
                tx.commit().await?;
            }
        }
        Ok(())
    }

    async fn insert_account(&self, v: &AccountValues, now: DateTime<Utc>) -> StoreResult<Account> {
        let statement = Statement::new(&self.sql.insert_account)
            .text(&v.compound_id)
            .int(user_id(v.user_id)?)
            .text(&v.provider_type)
            .text(&v.provider_id)
            .text(&v.provider_account_id)
            .opt_text(v.refresh_token.as_deref())
            .opt_text(v.access_token.as_deref())
            .opt_instant(v.access_token_expires)
            .instant(now)
            .instant(now);
        match self.sql.writes {
            Writes::Returning => Ok(D::Db::account(&self.fetch_one(statement).await?)?),
            Writes::LastInsertId => {
                Ok(v.stored(Self::inserted_id(&self.run(statement).await?)?, now))
            }
        }
    }

    async fn delete_account(&self, compound_id: &str, user_id: i64) -> StoreResult<()> {
        self.run(
            Statement::new(&self.sql.delete_account)
                .text(compound_id)
                .int(user_id),
        )
        .await?;
        Ok(())
    }

    async fn insert_session(&self, v: &SessionValues, now: DateTime<Utc>) -> StoreResult<Session> {
        let statement = Statement::new(&self.sql.insert_session)
            .int(user_id(v.user_id)?)
            .instant(v.expires)
            .text(&v.session_token)
            .text(&v.access_token)
            .instant(now)
            .instant(now);
        match self.sql.writes {
            Writes::Returning => Ok(D::Db::session(&self.fetch_one(statement).await?)?),
            Writes::LastInsertId => {
                Ok(v.stored(Self::inserted_id(&self.run(statement).await?)?, now))
            }
        }
    }

    async fn select_session(&self, session_token: &str) -> StoreResult<Option<Session>> {
        let row = self
            .fetch(Statement::new(&self.sql.select_session).text(session_token))
            .await?;
        Ok(row.as_ref().map(D::Db::session).transpose()?)
    }

    async fn update_session(
        &self,
        id: i64,
        session_token: &str,
        expires: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Session>> {
        let statement = Statement::new(&self.sql.update_session)
            .opt_instant(expires)
            .instant(now)
            .int(id)
            .text(session_token);
        match self.sql.writes {
            Writes::Returning => {
                let row = self.fetch(statement).await?;
                Ok(row.as_ref().map(D::Db::session).transpose()?)
            }
            Writes::LastInsertId => match self.matched(statement).await? {
                0 => Ok(None),
                _ => self.select_session_by_id(id).await,
            },
        }
    }

    async fn delete_expired_session(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        self.run(
            Statement::new(&self.sql.delete_expired_session)
                .int(id)
                .instant(now),
        )
        .await?;
        Ok(())
    }

    async fn delete_session(&self, session_token: &str) -> StoreResult<()> {
        self.run(Statement::new(&self.sql.delete_session).text(session_token))
            .await?;
        Ok(())
    }

    async fn insert_verification(
        &self,
        v: &VerificationValues,
        now: DateTime<Utc>,
    ) -> StoreResult<VerificationRequest> {
        let statement = Statement::new(&self.sql.insert_verification)
            .text(&v.identifier)
            .text(&v.token)
            .instant(v.expires)
            .instant(now)
            .instant(now);
        match self.sql.writes {
            Writes::Returning => Ok(D::Db::verification(&self.fetch_one(statement).await?)?),
            Writes::LastInsertId => {
                Ok(v.stored(Self::inserted_id(&self.run(statement).await?)?, now))
            }
        }
    }

    async fn select_verification(&self, token: &str) -> StoreResult<Option<VerificationRequest>> {
        let row = self
            .fetch(Statement::new(&self.sql.select_verification).text(token))
            .await?;
        Ok(row.as_ref().map(D::Db::verification).transpose()?)
    }

    async fn consume_verification(
        &self,
        token: &str,
        identifier: &str,
        matching: EmailMatching,
    ) -> StoreResult<Option<VerificationRequest>> {
        if self.deletes_return().await? {
            // One statement deletes and returns the row; of concurrent deletes one gets it.
            let statement = self.by_token_and_identifier(
                &self.sql.consume_verification,
                token,
                identifier,
                matching,
            );
            let row = self.fetch(statement).await?;
            return Ok(row.as_ref().map(D::Db::verification).transpose()?);
        }
        // No `DELETE … RETURNING` (MySQL 8): read, then delete by id.
        let found = self.select_verification(token).await?;
        consume_in_two_steps(found, identifier, matching, |id| async move {
            self.matched(Statement::new(&self.sql.delete_verification_by_id).int(id))
                .await
        })
        .await
    }

    async fn delete_verification(
        &self,
        token: &str,
        identifier: &str,
        matching: EmailMatching,
    ) -> StoreResult<()> {
        let statement = self.by_token_and_identifier(
            &self.sql.delete_verification,
            token,
            identifier,
            matching,
        );
        self.run(statement).await?;
        Ok(())
    }

    async fn delete_verification_by_id(&self, id: i64) -> StoreResult<()> {
        self.run(Statement::new(&self.sql.delete_verification_by_id).int(id))
            .await?;
        Ok(())
    }
}

impl<D: Driver> SqlxStore<D> {
    /// `statement` for identifiers compared under `matching`, its `token, identifier`
    /// parameters bound (the identifier twice where the exact text checks the byte length
    /// besides MySQL's `PAD SPACE` comparison).
    fn by_token_and_identifier(
        &self,
        statement: &ByIdentifier,
        token: &str,
        identifier: &str,
        matching: EmailMatching,
    ) -> Statement<D> {
        let (sql, binds) = statement.under(matching);
        (0..binds).fold(Statement::new(sql).text(token), |s, _| s.text(identifier))
    }
}
