//! The adapter's SQL Server URL as tiberius' [`Config`]: read by
//! [`MsSqlUrl`](nextauth_adapter_sql::MsSqlUrl) (the parameters are documented there), then
//! handed to the driver.

use nextauth_adapter_sql::MsSqlUrl;
use std::time::Duration;
use tiberius::{AuthMethod, Config, EncryptionLevel};

pub use nextauth_adapter_sql::MsSqlUrlError as UrlError;
pub use nextauth_adapter_sql::mssql_url::DEFAULT_CONNECT_TIMEOUT;

/// What a URL says: the driver's configuration and how long a connection may take.
#[derive(Debug, Clone)]
pub struct Target {
    /// tiberius' configuration: address, login, database, no encryption.
    pub config: Config,
    /// The bound on making one connection (TCP and login).
    pub connect_timeout: Duration,
}

/// The server, login and database `url` names.
pub fn target(url: &str) -> Result<Target, UrlError> {
    Ok(config(&MsSqlUrl::parse(url)?))
}

/// tiberius' configuration for `url`.
pub fn config(url: &MsSqlUrl) -> Target {
    let mut config = Config::new();
    config.host(&url.host);
    config.port(url.port);
    config.authentication(AuthMethod::sql_server(&url.user, &url.password));
    config.encryption(EncryptionLevel::NotSupported);
    if let Some(database) = &url.database {
        config.database(database);
    }
    if let Some(name) = &url.application_name {
        config.application_name(name);
    }
    Target {
        config,
        connect_timeout: url.connect_timeout,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_driver_gets_the_address_and_the_bound() {
        let parsed = target("mssql://sa:p%40ss@db.example:1434/nextauth?connect_timeout=3");
        let Ok(t) = parsed else { panic!("{parsed:?}") };
        assert_eq!(t.config.get_addr(), "db.example:1434");
        assert_eq!(t.connect_timeout, Duration::from_secs(3));
        assert!(matches!(
            target("mssql://sa:secret@h/db?encrypt=true"),
            Err(UrlError::BadValue { .. })
        ));
    }
}
