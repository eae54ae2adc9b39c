//! Certifies NextAuth.js v3 adapters written in any language.
//!
//! The adapter runs in a child process that speaks a line protocol on its stdin and stdout
//! (`docs/bridge-protocol.md`): one JSON message per line, a `hello` handshake that returns
//! the adapter's name and declared [`Capabilities`](nextauth_adapter::Capabilities), one
//! request per adapter call carrying the harness clock's instant, concurrent requests matched
//! to replies by id, and control messages to open and close fixtures, read what is stored and
//! shut down. `bridge/node/server.js` serves next-auth@3's default adapter this way.
//!
//! - [`BridgeFactory`]: the harness's `BackendFactory`; one child per factory serves every
//!   fixture, each in its own fresh namespace;
//! - [`BridgeAdapter`]: the contract's `Adapter` over one fixture;
//! - [`BridgeInspector`]: the raw reads of a fixture (the child reads its tables with the
//!   database driver, never through the adapter);
//! - [`BridgeProcess`]: the child itself, with per-request timeouts, fast failure of every
//!   request once the child exits or writes garbage, and its stderr forwarded to tracing.
//!
//! ```no_run
//! use nextauth_adapter_bridge::BridgeFactory;
//! use nextauth_adapter_harness::run_main;
//!
//! fn main() -> std::process::ExitCode {
//!     let command = ["node", "bridge/node/server.js", "--adapter", "next-auth",
//!                    "--url", "postgres://postgres:postgres@127.0.0.1:5432/postgres"];
//!     let factory = BridgeFactory::new(command.map(String::from).to_vec(), Vec::new())
//!         .expect("the adapter process starts and shakes hands");
//!     run_main(factory)
//! }
//! ```

mod adapter;
pub mod authjs;
mod error;
mod factory;
mod process;
pub mod protocol;
mod serve;
mod tables;

pub use adapter::{BridgeAdapter, BridgeInspector};
pub use error::BridgeError;
pub use factory::{BridgeFactory, DEFAULT_APP_SECRET};
pub use process::{BridgeProcess, DEFAULT_REQUEST_TIMEOUT};
pub use serve::{serve, serve_target};
pub use tables::{
    PRISMA_LEGACY, SYNCHRONIZE, next_auth_synchronize, node_command_with_tables,
    prisma_legacy_statements, prisma_legacy_tables,
};

/// `bridge/node`, the Node server's directory in this repository.
pub fn node_server_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bridge/node")
}

/// The command that serves next-auth@3's default adapter (`adapter`: `next-auth`, or
/// `next-auth-raw-token` for the deliberately broken one) against the database server at
/// `url`: `node <repo>/bridge/node/server.js --adapter <adapter> --url <url>`.
pub fn node_command(adapter: &str, url: &str) -> Vec<String> {
    vec![
        "node".to_owned(),
        node_server_dir().join("server.js").display().to_string(),
        "--adapter".to_owned(),
        adapter.to_owned(),
        "--url".to_owned(),
        url.to_owned(),
    ]
}

/// Whether `NEXTAUTH_REQUIRE_BACKENDS` lists `bridge`: a test that needs next-auth@3 from
/// `bridge/node` must then fail rather than skip when it is not installed.
pub fn bridge_required() -> bool {
    std::env::var(nextauth_adapter_testkit::REQUIRE_ENV).is_ok_and(|v| {
        v.split(',')
            .any(|s| s.trim().eq_ignore_ascii_case("bridge"))
    })
}

/// Which install of `bridge/node` a test needs (`ci/bridge.sh` makes both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeSide {
    /// `bridge/node/node_modules`: next-auth@3 (`server.js`, `core/run.js`).
    NextAuth,
    /// `bridge/node/authjs/node_modules`: the npm Auth.js adapters and `@auth/core`.
    Authjs,
}

impl NodeSide {
    /// Whether this side is installed.
    pub fn installed(self) -> bool {
        match self {
            NodeSide::NextAuth => node_modules_installed(),
            NodeSide::Authjs => authjs::npm_adapters_installed(),
        }
    }

    /// Its `node_modules`, relative to the repository.
    pub fn node_modules(self) -> &'static str {
        match self {
            NodeSide::NextAuth => "bridge/node/node_modules",
            NodeSide::Authjs => "bridge/node/authjs/node_modules",
        }
    }
}

/// What a bridged test on `server` needs: `side` installed and the server's URL. The URL, or
/// why not: a missing install is a failure when `NEXTAUTH_REQUIRE_BACKENDS` lists `bridge`, a
/// missing URL when it lists `bridge` or the server (for a
/// [`live_trial`](nextauth_adapter_testkit::trials::live_trial)).
pub fn bridged_url(
    server: nextauth_adapter_testkit::Server,
    side: NodeSide,
) -> Result<String, nextauth_adapter_testkit::trials::NotRun> {
    if !side.installed() {
        return Err(nextauth_adapter_testkit::trials::NotRun {
            reason: format!("{} is missing; run `ci/bridge.sh`", side.node_modules()),
            required: bridge_required(),
        });
    }
    nextauth_adapter_testkit::trials::server_url(server).map_err(|n| {
        nextauth_adapter_testkit::trials::NotRun {
            required: n.required || bridge_required(),
            ..n
        }
    })
}

/// For a plain `#[test]` that needs next-auth@3 from `bridge/node`: `true` when it is
/// installed; otherwise a loud `SKIPPED` line on stderr and `false`.
///
/// # Panics
/// When it is missing and [`bridge_required`]: a required test must fail, never skip
/// silently. Meant for test code, where a panic is the failure.
pub fn node_modules_or_skip(test: &str) -> bool {
    if node_modules_installed() {
        return true;
    }
    assert!(
        !bridge_required(),
        "{test}: {} requires bridge, but bridge/node/node_modules is missing: run ci/bridge.sh",
        nextauth_adapter_testkit::REQUIRE_ENV
    );
    // Straight to the process's stderr: the test harness captures `eprintln!`.
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "\nSKIPPED: {test}: bridge/node/node_modules is missing (run ci/bridge.sh)\n"
    );
    false
}

/// Whether `bridge/node/node_modules` is installed (`ci/bridge.sh` runs `npm ci` there).
pub fn node_modules_installed() -> bool {
    node_server_dir()
        .join("node_modules/next-auth/package.json")
        .is_file()
}
