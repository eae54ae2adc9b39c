//! What a run certifies: each target is a backend factory with a label.

use crate::cli::{CertifyArgs, Preset, ProfileArg};
use nextauth_adapter::Capabilities;
use nextauth_adapter_default::{Declared, StoreJob, with_store};
use nextauth_adapter_harness::authjs;
use nextauth_adapter_harness::broken::{BrokenFactory, Defect};
use nextauth_adapter_harness::suite::Target;
use nextauth_adapter_harness::{BackendFactory, ReferenceFactory};
use nextauth_adapter_sql::ConnectStore;
use nextauth_adapter_testkit::{BuildAdapter, LiveFactory, Server, Synchronize, sql_adapter};
use std::sync::Arc;

/// Why the targets could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// `--adapter-command` could not be parsed or started.
    #[error("cannot start the adapter command {command:?}: {reason}")]
    Command {
        /// The command as given.
        command: String,
        /// What went wrong.
        reason: String,
    },
    /// `--broken` named no known defect.
    #[error("unknown defect {0:?}; `nextauth-certify defects` lists them")]
    UnknownDefect(String),
    /// What was asked for has no backend in the Auth.js profile yet.
    #[error(
        "the Auth.js profile cannot certify {0} yet: it certifies the reference (--reference), its broken adapters (--broken authjs-…) and adapters served over the bridge (--adapter-command)"
    )]
    NotInAuthjs(&'static str),
    /// A `--capabilities` preset of the v3 contract with `--profile authjs`.
    #[error(
        "--capabilities names a v3 declaration; the Auth.js reference declares every method (Capabilities::FULL)"
    )]
    PresetOfV3,
    /// The backend at `--url` could not be reached or set up.
    #[error("cannot certify {url}: {reason}")]
    Backend {
        /// The URL, without its password.
        url: String,
        /// What went wrong.
        reason: String,
    },
}

/// The capabilities a preset names.
pub fn preset(p: Preset) -> Capabilities {
    match p {
        Preset::Hardened => Capabilities::HARDENED,
        Preset::V3Typeorm => Capabilities::V3_TYPEORM,
    }
}

/// The profile a run certifies against: the one asked for, else the one of what is certified
/// (an `authjs-` defect is Auth.js's, everything else v3's).
pub fn profile(args: &CertifyArgs) -> ProfileArg {
    args.profile.unwrap_or(match &args.broken {
        Some(name) if authjs::broken::Defect::find(name).is_some() => ProfileArg::Authjs,
        _ => ProfileArg::V3,
    })
}

/// The backends a run certifies, in the order they are reported, in the profile of
/// [`profile`].
pub fn targets(args: &CertifyArgs) -> Result<Vec<Target>, TargetError> {
    match profile(args) {
        ProfileArg::V3 => Ok(v3_targets(args)?.into_iter().map(Target::V3).collect()),
        ProfileArg::Authjs => authjs_targets(args),
    }
}

/// The Auth.js backends: the broken adapter, or the reference. Live servers and bridged npm
/// adapters are refused with the reason until the profile has backends for them.
fn authjs_targets(args: &CertifyArgs) -> Result<Vec<Target>, TargetError> {
    if !args.urls.is_empty() {
        return Err(TargetError::NotInAuthjs("a database URL"));
    }
    if let Some(command) = &args.adapter_command {
        return Ok(vec![Target::Authjs(authjs_bridged(command)?)]);
    }
    if args.capabilities != Preset::Hardened {
        return Err(TargetError::PresetOfV3);
    }
    if let Some(name) = &args.broken {
        let defect = authjs::broken::Defect::find(name)
            .ok_or_else(|| TargetError::UnknownDefect(name.clone()))?;
        return Ok(vec![Target::Authjs(Arc::new(
            authjs::broken::BrokenFactory::new(defect),
        ))]);
    }
    Ok(vec![Target::Authjs(Arc::new(
        authjs::ReferenceFactory::default(),
    ))])
}

/// The v3 backends: the broken adapter, the bridged one, or the reference (with
/// `--reference`) then each `--url` in the order given; with none of these, the reference and
/// the embedded SQLite backend.
fn v3_targets(args: &CertifyArgs) -> Result<Vec<Arc<dyn BackendFactory>>, TargetError> {
    let caps = preset(args.capabilities);
    if let Some(name) = &args.broken {
        let defect =
            Defect::from_name(name).ok_or_else(|| TargetError::UnknownDefect(name.clone()))?;
        return Ok(vec![Arc::new(BrokenFactory {
            defect,
            capabilities: caps,
        })]);
    }
    if let Some(command) = &args.adapter_command {
        return Ok(vec![bridged(command)?]);
    }
    if !args.reference && args.urls.is_empty() {
        return Ok(vec![
            Arc::new(ReferenceFactory::with_capabilities(caps)),
            embedded_sqlite()?,
        ]);
    }
    let mut targets: Vec<Arc<dyn BackendFactory>> = Vec::with_capacity(args.urls.len() + 1);
    if args.reference {
        targets.push(Arc::new(ReferenceFactory::with_capabilities(caps)));
    }
    for url in &args.urls {
        targets.push(live(url, args.namespace.as_deref())?);
    }
    Ok(targets)
}

/// The job that builds our SQL backend's adapter inside a namespace, connected to the
/// namespace's URL with its table names.
struct InNamespace;

impl StoreJob for InNamespace {
    type Output = BuildAdapter;

    fn run<S: ConnectStore>(self) -> BuildAdapter {
        sql_adapter::<S>(Synchronize::No)
    }
}

/// Our backend on the server at `url`, every rule in a fresh namespace of it (a schema, a
/// database or a file), dropped afterwards; nothing else on the server is touched. Refused
/// (every rule not run, with the reason) when the database the URL lands in holds tables the
/// suite did not create, unless `namespace` names an existing, empty namespace to run in
/// instead (one rule at a time; only the suite's own tables are dropped after).
pub fn live(url: &str, namespace: Option<&str>) -> Result<Arc<dyn BackendFactory>, TargetError> {
    let server = Server::of_url(url).ok_or_else(|| TargetError::Backend {
        url: nextauth_adapter_testkit::urls::redact(url),
        reason: "unsupported scheme: use postgres://, mysql://, mariadb://, sqlite:, mssql:// or sqlserver://".to_owned(),
    })?;
    let server_url = match server {
        Server::MySql => server.driver_url(url),
        Server::Sqlite => sqlite_dir(url)?,
        Server::Postgres | Server::MsSql => url.to_owned(),
    };
    let factory = LiveFactory::new(
        server,
        server_url,
        with_store(server, Declared),
        with_store(server, InNamespace),
    )
    .refusing_an_occupied_url();
    Ok(Arc::new(match namespace {
        Some(name) => factory.in_namespace(name),
        None => factory,
    }))
}

/// The directory SQLite namespaces go in: the directory of the file `url` names, or a
/// temporary one for `sqlite:` / `sqlite::memory:`.
fn sqlite_dir(url: &str) -> Result<String, TargetError> {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = path.split('?').next().unwrap_or("");
    let dir = if path.is_empty() || path == ":memory:" {
        std::env::temp_dir().join("nextauth-certify")
    } else {
        std::path::Path::new(path)
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_else(std::env::temp_dir)
    };
    std::fs::create_dir_all(&dir).map_err(|e| TargetError::Backend {
        url: url.to_owned(),
        reason: format!("cannot create {}: {e}", dir.display()),
    })?;
    Ok(nextauth_adapter_testkit::urls::sqlite_dir_url(&dir))
}

/// The embedded SQLite backend: no server needed, namespaces are files in a temp directory.
fn embedded_sqlite() -> Result<Arc<dyn BackendFactory>, TargetError> {
    let dir = sqlite_dir("sqlite::memory:")?;
    Ok(Arc::new(LiveFactory::new(
        Server::Sqlite,
        dir,
        with_store(Server::Sqlite, Declared),
        with_store(Server::Sqlite, InNamespace),
    )))
}

/// The words of `command`, split like a shell would.
fn command_words(command: &str) -> Result<Vec<String>, TargetError> {
    let err = |reason: String| TargetError::Command {
        command: command.to_owned(),
        reason,
    };
    let words = shell_words::split(command).map_err(|e| err(e.to_string()))?;
    if words.is_empty() {
        return Err(err("the command is empty".to_owned()));
    }
    Ok(words)
}

/// An adapter served over the bridge protocol by `command`: its process is started and shakes
/// hands once; the adapter declares its own capabilities.
fn bridged(command: &str) -> Result<Arc<dyn BackendFactory>, TargetError> {
    let factory = nextauth_adapter_bridge::BridgeFactory::new(command_words(command)?, Vec::new())
        .map_err(|e| TargetError::Command {
            command: command.to_owned(),
            reason: e.to_string(),
        })?;
    Ok(Arc::new(factory))
}

/// An Auth.js adapter served over the bridge protocol by `command` (its `hello` says
/// `"profile": "authjs"`).
fn authjs_bridged(command: &str) -> Result<Arc<dyn authjs::BackendFactory>, TargetError> {
    let words = command_words(command)?;
    let factory = nextauth_adapter_bridge::authjs::AuthjsBridgeFactory::new(words, Vec::new())
        .map_err(|e| TargetError::Command {
            command: command.to_owned(),
            reason: e.to_string(),
        })?;
    Ok(Arc::new(factory))
}
