//! SQL Server: a namespace is a database, named in the URL's path; its tables live in the
//! login's default schema (`dbo` for `sa`) and are named unqualified, from a connection to
//! that database. sqlx has no SQL Server driver: statements run over tiberius, one
//! connection per call (a client is tied to the runtime that opened it, and the harness runs
//! on more than one).

use super::{Admin, Facts, Location};
use crate::error::{DriverError, TestkitError};
use crate::inspector::{Queries, RawReads, RawRow, ReadError, ReadFailure};
use crate::server::Server;
use crate::urls::redact;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use nextauth_adapter_harness::Stored;
use nextauth_adapter_sql::{MsSqlUrl, SchemaNames, mssql_url};
use sqlx::error::DatabaseError;
use std::path::{Path, PathBuf};
use tiberius::{AuthMethod, Client, Config, EncryptionLevel};
use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

/// SQL Server's administration.
pub(crate) struct MsSqlAdmin;

/// A connection.
type Connection = Client<Compat<TcpStream>>;

/// `CREATE DATABASE` of a name in use.
const DATABASE_EXISTS: u32 = 1801;

/// One connection to `url`, within the URL's connect timeout (TCP and login).
pub(crate) async fn connect(url: &str) -> Result<Connection, DriverError> {
    let url = MsSqlUrl::parse(url)?;
    let mut config = Config::new();
    config.host(&url.host);
    config.port(url.port);
    config.authentication(AuthMethod::sql_server(&url.user, &url.password));
    config.encryption(EncryptionLevel::NotSupported);
    if let Some(database) = &url.database {
        config.database(database);
    }
    config.application_name(
        url.application_name
            .as_deref()
            .unwrap_or("nextauth-testkit"),
    );
    let bound = url.connect_timeout;
    let timed_out = || -> DriverError {
        format!(
            "no connection to SQL Server at {} within {} s (the URL's connect_timeout)",
            url.address(),
            bound.as_secs()
        )
        .into()
    };
    let tcp = tokio::time::timeout(bound, TcpStream::connect(config.get_addr()))
        .await
        .map_err(|_| timed_out())??;
    tcp.set_nodelay(true)?;
    Ok(
        tokio::time::timeout(bound, Client::connect(config, tcp.compat_write()))
            .await
            .map_err(|_| timed_out())??,
    )
}

/// The first column of every row of `sql` (one parameter `@P1` when `arg` is given), as
/// strings.
async fn first_column(
    client: &mut Connection,
    sql: &str,
    arg: Option<&str>,
) -> Result<Vec<String>, tiberius::error::Error> {
    let rows = match arg {
        Some(arg) => client.query(sql, &[&arg]).await?,
        None => client.simple_query(sql).await?,
    }
    .into_first_result()
    .await?;
    rows.iter()
        .map(|row| Ok(row.try_get::<&str, _>(0)?.unwrap_or_default().to_owned()))
        .collect()
}

impl MsSqlAdmin {
    fn connect_error(url: &str) -> impl FnOnce(DriverError) -> TestkitError + '_ {
        move |source| TestkitError::Connect {
            server: Server::MsSql,
            url: redact(url),
            source,
        }
    }

    fn statement_error(
        namespace: &str,
        statement: &str,
        source: tiberius::error::Error,
    ) -> TestkitError {
        let exists =
            matches!(&source, tiberius::error::Error::Server(e) if e.code() == DATABASE_EXISTS);
        if exists {
            TestkitError::NamespaceExists {
                server: Server::MsSql,
                namespace: namespace.to_owned(),
            }
        } else {
            TestkitError::Statement {
                server: Server::MsSql,
                namespace: namespace.to_owned(),
                statement: statement.to_owned(),
                source: Box::new(source),
            }
        }
    }
}

#[async_trait]
impl Admin for MsSqlAdmin {
    async fn execute(
        &self,
        url: &str,
        namespace: &str,
        statements: &[String],
    ) -> Result<(), TestkitError> {
        let mut client = connect(url).await.map_err(Self::connect_error(url))?;
        for statement in statements {
            tracing::debug!(server = %Server::MsSql, namespace, statement, "testkit statement");
            let done = match client.simple_query(statement.as_str()).await {
                Ok(stream) => stream.into_results().await.map(drop),
                Err(e) => Err(e),
            };
            done.map_err(|e| Self::statement_error(namespace, statement, e))?;
        }
        let _ = client.close().await;
        Ok(())
    }

    async fn strings(
        &self,
        url: &str,
        namespace: &str,
        sql: &str,
        arg: Option<&str>,
    ) -> Result<Vec<String>, TestkitError> {
        let mut client = connect(url).await.map_err(Self::connect_error(url))?;
        let rows = first_column(&mut client, sql, arg).await;
        let _ = client.close().await;
        rows.map_err(|e| Self::statement_error(namespace, sql, e))
    }

    async fn reads(&self, url: &str) -> Result<Box<dyn RawReads>, DriverError> {
        // Connect once now, so that a server that cannot be reached fails here.
        let client = connect(url).await?;
        let _ = client.close().await;
        Ok(Box::new(TdsReads {
            url: url.to_owned(),
        }))
    }
}

#[async_trait]
impl Facts for MsSqlAdmin {
    fn server(&self) -> Server {
        Server::MsSql
    }

    fn locate(
        &self,
        server_url: &str,
        name: &str,
        time_zone: Option<&str>,
    ) -> Result<Location, TestkitError> {
        if let Some(tz) = time_zone {
            return Err(TestkitError::UnsupportedTimeZone {
                server: Server::MsSql,
                time_zone: tz.to_owned(),
                reason: "SQL Server has no session time zone".into(),
            });
        }
        let url =
            mssql_url::with_database(server_url, name).map_err(|e| TestkitError::InvalidUrl {
                server: Server::MsSql,
                url: redact(server_url),
                reason: e.to_string(),
            })?;
        Ok(Location {
            inspect_url: url.clone(),
            url,
            file: None,
        })
    }

    /// The database takes the server's collation: every text column declares its own.
    async fn create(
        &self,
        server_url: &str,
        name: &str,
        _at: &Location,
        _collation: Option<&str>,
    ) -> Result<(), TestkitError> {
        self.execute(server_url, name, &[format!("CREATE DATABASE [{name}]")])
            .await
    }

    async fn exists(
        &self,
        server_url: &str,
        name: &str,
        _at: &Location,
    ) -> Result<bool, TestkitError> {
        let found = self
            .strings(
                server_url,
                name,
                "SELECT CAST(name AS NVARCHAR(128)) FROM sys.databases WHERE name = @P1",
                Some(name),
            )
            .await?;
        Ok(!found.is_empty())
    }

    /// Ends the connections still open to it (an adapter's pool), then drops it.
    async fn drop_owned(
        &self,
        server_url: &str,
        name: &str,
        _file: Option<&Path>,
    ) -> Result<(), TestkitError> {
        self.execute(
            server_url,
            name,
            &[
                format!("ALTER DATABASE [{name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE"),
                format!("DROP DATABASE [{name}]"),
            ],
        )
        .await
    }

    async fn present(
        &self,
        server_url: &str,
        _candidates: &[(String, Option<PathBuf>)],
    ) -> Result<Vec<String>, TestkitError> {
        self.strings(
            server_url,
            "",
            "SELECT CAST(name AS NVARCHAR(128)) FROM sys.databases WHERE name LIKE 'nx[_]%'",
            None,
        )
        .await
    }

    /// The user tables and views of database `name` (the server's own, such as `master`'s
    /// `spt_*` tables, are not counted).
    async fn tables(
        &self,
        server_url: &str,
        name: &str,
        _at: &Location,
    ) -> Result<Vec<String>, TestkitError> {
        let database = name.replace(']', "]]");
        self.strings(
            server_url,
            name,
            &format!(
                "SELECT CAST(name AS NVARCHAR(128)) FROM [{database}].sys.objects \
                 WHERE type IN ('U', 'V') AND is_ms_shipped = 0 ORDER BY 1"
            ),
            None,
        )
        .await
    }

    fn time_zone_statement(&self, _time_zone: &str) -> Option<String> {
        None
    }

    fn qualifies_tables(&self) -> bool {
        false
    }

    fn drop_tables_url<'a>(&self, _server_url: &'a str, at: &'a Location) -> &'a str {
        &at.url
    }

    /// Not asked: this module's statements never run through sqlx (see
    /// [`MsSqlAdmin::statement_error`]).
    fn already_exists(&self, _error: &dyn DatabaseError) -> bool {
        false
    }

    /// `TRUNCATE TABLE` restarts the identity at its seed (no table has a foreign key).
    fn reset_sql(&self, tables: &[String], _names: &SchemaNames) -> String {
        tables
            .iter()
            .map(|t| format!("TRUNCATE TABLE {t};"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn version_sql(&self) -> &'static str {
        "SELECT CAST(@@VERSION AS NVARCHAR(4000))"
    }
}

/// The inspector's reads over tiberius: a fresh connection to the namespace's database per
/// call.
#[derive(Debug)]
struct TdsReads {
    url: String,
}

impl TdsReads {
    /// The first result's rows of `sql` (no parameters), on a fresh connection.
    async fn rows(&self, sql: &str) -> Result<Vec<tiberius::Row>, DriverError> {
        let mut client = connect(&self.url).await?;
        let rows = client.simple_query(sql).await?.into_first_result().await?;
        let _ = client.close().await;
        Ok(rows)
    }

    /// The one value `sql` returns in its first column.
    async fn one<T>(
        &self,
        sql: &str,
        read: fn(&tiberius::Row) -> Result<Option<T>, tiberius::error::Error>,
    ) -> Result<T, DriverError> {
        let rows = self.rows(sql).await?;
        let row = rows
            .first()
            .ok_or_else(|| -> DriverError { format!("`{sql}` returned no row").into() })?;
        read(row)?.ok_or_else(|| format!("`{sql}` returned NULL").into())
    }

    /// Every row of `sql`, decoded by `decode`.
    async fn decoded<T>(
        &self,
        sql: &str,
        decode: fn(&TdsRow) -> Result<T, ReadError>,
    ) -> Result<Vec<T>, ReadFailure> {
        let rows = self.rows(sql).await.map_err(|source| ReadFailure::Query {
            sql: sql.to_owned(),
            source,
        })?;
        rows.into_iter()
            .map(|row| decode(&TdsRow(row)))
            .collect::<Result<_, _>>()
            .map_err(|error| ReadFailure::Decode {
                sql: sql.to_owned(),
                error,
            })
    }
}

#[async_trait]
impl RawReads for TdsReads {
    /// Nothing is held open between calls.
    async fn close(&self) {}

    async fn text(&self, sql: &str) -> Result<String, DriverError> {
        self.one(sql, |row| Ok(row.try_get::<&str, _>(0)?.map(str::to_owned)))
            .await
    }

    async fn int(&self, sql: &str) -> Result<i64, DriverError> {
        self.one(sql, |row| row.try_get::<i64, _>(0)).await
    }

    async fn raw(&self, sql: &str) -> Result<(), DriverError> {
        let mut client = connect(&self.url).await?;
        client.simple_query(sql).await?.into_results().await?;
        let _ = client.close().await;
        Ok(())
    }

    async fn stored(&self, sql: &Queries) -> Result<Stored, ReadFailure> {
        let (users, accounts, sessions, verification_requests) = futures::try_join!(
            self.decoded(&sql.users, crate::inspector::user),
            self.decoded(&sql.accounts, crate::inspector::account),
            self.decoded(&sql.sessions, crate::inspector::session),
            self.decoded(
                &sql.verification_requests,
                crate::inspector::verification_request
            ),
        )?;
        Ok(Stored {
            users,
            accounts,
            sessions,
            verification_requests,
        })
    }
}

/// A tiberius row, read as the inspector reads every server's rows.
struct TdsRow(tiberius::Row);

impl TdsRow {
    fn get<'a, T: tiberius::FromSql<'a>>(
        &'a self,
        column: &'static str,
    ) -> Result<Option<T>, ReadError> {
        self.0
            .try_get::<T, _>(column)
            .map_err(|e| ReadError::new(column, e.to_string()))
    }
}

impl RawRow for TdsRow {
    /// `INT` or `BIGINT` identities.
    fn id(&self, column: &'static str) -> Result<String, ReadError> {
        if let Ok(Some(v)) = self.0.try_get::<i32, _>(column) {
            return Ok(v.to_string());
        }
        match self.get::<i64>(column)? {
            Some(v) => Ok(v.to_string()),
            None => Err(ReadError::new(column, "NULL in an id".to_owned())),
        }
    }

    fn text(&self, column: &'static str) -> Result<String, ReadError> {
        self.opt_text(column)?
            .ok_or_else(|| ReadError::new(column, "NULL in a NOT NULL text".to_owned()))
    }

    fn opt_text(&self, column: &'static str) -> Result<Option<String>, ReadError> {
        Ok(self.get::<&str>(column)?.map(str::to_owned))
    }

    fn ts(&self, column: &'static str) -> Result<DateTime<Utc>, ReadError> {
        self.opt_ts(column)?
            .ok_or_else(|| ReadError::new(column, "NULL in a NOT NULL timestamp".to_owned()))
    }

    /// `DATETIME2` and `DATETIME` hold no zone: the value is UTC; a `DATETIMEOFFSET` is
    /// converted.
    fn opt_ts(&self, column: &'static str) -> Result<Option<DateTime<Utc>>, ReadError> {
        match self.0.try_get::<NaiveDateTime, _>(column) {
            Ok(v) => Ok(v.map(|n| n.and_utc())),
            Err(_) => self.get::<DateTime<Utc>>(column),
        }
    }
}
