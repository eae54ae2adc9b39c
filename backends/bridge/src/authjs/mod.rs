//! The bridge in the Auth.js profile: a child whose `hello` says `"profile": "authjs"` serves
//! an `@auth/core` adapter, and the parent certifies it with the Auth.js catalogue. The
//! messages are the v3 profile's (`docs/bridge-protocol.md`); the methods, their arguments and
//! what `stored` returns are Auth.js's ([`wire`]).

mod adapter;
mod factory;
pub mod lane;
pub mod wire;

pub use adapter::{AuthjsBridgeAdapter, AuthjsBridgeInspector};
pub use factory::AuthjsBridgeFactory;

/// `bridge/node/authjs`, the Node server of npm's Auth.js adapters, a package of its own
/// (its dependencies, e.g. TypeORM 0.3, clash with next-auth@3's in `bridge/node`).
pub fn npm_server_dir() -> std::path::PathBuf {
    crate::node_server_dir().join("authjs")
}

/// Whether `bridge/node/authjs/node_modules` is installed (`ci/bridge.sh` runs `npm ci`
/// there too).
pub fn npm_adapters_installed() -> bool {
    npm_server_dir()
        .join("node_modules/@auth/pg-adapter/package.json")
        .is_file()
}

/// The command that serves the npm adapter `adapter` (`pg`, …) on the tables of `setup`
/// (`None`: the ones its documentation gives) against the database server at `url`:
/// `node <repo>/bridge/node/authjs/server.js --adapter <adapter> [--setup <setup>] --url <url>`.
pub fn npm_command(adapter: &str, setup: Option<&str>, url: &str) -> Vec<String> {
    let mut command = vec![
        "node".to_owned(),
        npm_server_dir().join("server.js").display().to_string(),
        "--adapter".to_owned(),
        adapter.to_owned(),
    ];
    if let Some(setup) = setup {
        command.extend(["--setup".to_owned(), setup.to_owned()]);
    }
    command.extend(["--url".to_owned(), url.to_owned()]);
    command
}

/// The command that serves an author's own adapter through its kit module (`module`: a
/// file of the shape of `bridge/node/authjs/adapters/pg.js`, e.g.
/// `examples/authjs-js-adapter/kit.js`) against the database server at `url`:
/// `node <repo>/bridge/node/authjs/server.js --module <module> --url <url>`.
pub fn module_command(module: &std::path::Path, url: &str) -> Vec<String> {
    vec![
        "node".to_owned(),
        npm_server_dir().join("server.js").display().to_string(),
        "--module".to_owned(),
        module.display().to_string(),
        "--url".to_owned(),
        url.to_owned(),
    ]
}

/// For a plain `#[test]` that needs `bridge/node/authjs`: `true` when it is installed;
/// otherwise a loud `SKIPPED` line on stderr and `false`.
///
/// # Panics
/// When it is missing and [`bridge_required`](crate::bridge_required): a required test must
/// fail, never skip silently. Meant for test code, where a panic is the failure.
pub fn npm_adapters_or_skip(test: &str) -> bool {
    if npm_adapters_installed() {
        return true;
    }
    assert!(
        !crate::bridge_required(),
        "{test}: {} requires bridge, but bridge/node/authjs/node_modules is missing: run ci/bridge.sh",
        nextauth_adapter_testkit::REQUIRE_ENV
    );
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "\nSKIPPED: {test}: bridge/node/authjs/node_modules is missing (run ci/bridge.sh)\n"
    );
    false
}
