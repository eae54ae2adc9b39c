//! [`run_live`]: the `main` of a backend's conformance test.

use crate::factory::{BuildAdapter, LiveFactory};
use crate::namespace::Tables;
use crate::namespace::{drop_leftovers, verify_dropped};
use crate::server::{Decision, Server, Target, decide, is_required, locate_inner};
use crate::urls::redact;
use nextauth_adapter::Capabilities;
use nextauth_adapter_harness::{BackendFactory, RunOptions, run_main_with};
use nextauth_adapter_sql::SchemaNames;
use std::process::ExitCode;

/// Prints `text` on stdout and stderr: test runners capture one or the other, CI logs show
/// one or the other, and a suite that did not run must be seen in all of them.
fn shout(text: &str) {
    println!("{text}");
    eprintln!("{text}");
}

/// A live conformance run, configured beyond [`run_live`]'s defaults.
///
/// ```no_run
/// # use nextauth_adapter_testkit::{LiveRun, Server, BuildAdapter};
/// # fn build() -> BuildAdapter { unimplemented!() }
/// let exit = LiveRun::new(Server::Postgres, build())
///     .with_name("my-postgres-adapter")
///     .run();
/// ```
pub struct LiveRun {
    server: Server,
    /// What the adapters must declare; `None`: what they declare, read from one built
    /// before the rules run.
    capabilities: Option<Capabilities>,
    build: BuildAdapter,
    name: Option<String>,
    names: SchemaNames,
    options: Option<RunOptions>,
    tables: Tables,
}

impl LiveRun {
    /// A run of the whole harness against adapters built by `build` on `server`, judged by
    /// what the adapters declare: the capabilities are read once from an adapter built on
    /// the run's tables ([`LiveFactory::adopting_capabilities`]) before any rule runs, and
    /// the rule `adapter.capabilities.match-declaration` then holds every adapter to it.
    pub fn new(server: Server, build: BuildAdapter) -> Self {
        LiveRun {
            server,
            capabilities: None,
            build,
            name: None,
            names: SchemaNames::default(),
            options: None,
            tables: Tables::OurDdl,
        }
    }

    /// Judges the adapters by `capabilities` instead of what they declare, for a suite that
    /// certifies a published declaration (a backend's `CAPABILITIES`): an adapter that
    /// declares anything else fails `adapter.capabilities.match-declaration`.
    pub fn declaring(mut self, capabilities: Capabilities) -> Self {
        self.capabilities = Some(capabilities);
        self
    }

    /// Runs on tables made by `tables` (next-auth's `synchronize`, …) instead of our DDL.
    pub fn on_tables(mut self, tables: Tables) -> Self {
        self.tables = tables;
        self
    }

    /// Reports under `name` instead of the server's name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Creates the tables under `names` instead of the documented ones.
    pub fn with_names(mut self, names: SchemaNames) -> Self {
        self.names = names;
        self
    }

    /// Runs with `options` instead of [`RunOptions::from_env`] (e.g. with a regressions
    /// directory: `RunOptions::from_env().with_regressions_dir(dir)`).
    pub fn with_run_options(mut self, options: RunOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// Locates the server, runs the harness, checks that every namespace created is gone.
    /// See [`run_live`].
    pub fn run(self) -> ExitCode {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(r) => r,
            Err(e) => {
                shout(&format!(
                    "cannot start a tokio runtime for the live suite: {e}"
                ));
                return ExitCode::FAILURE;
            }
        };
        let server = self.server;
        // The container (feature `testcontainers`), if one was started, lives in this scope:
        // until the harness has finished and the namespaces are checked.
        let (target, container) = runtime.block_on(locate_inner(server));
        if container.is_some()
            && let Target::Url(url) = &target
        {
            let (image, tag) = crate::containers::image(server);
            println!(
                "{server}: no server URL given; started a container from {image}:{tag}, at {}",
                redact(url)
            );
        }
        let exit = match decide(server, &target, is_required(server)) {
            Decision::NotRun { banner, fail } => {
                shout(&banner);
                if fail {
                    ExitCode::FAILURE
                } else {
                    ExitCode::SUCCESS
                }
            }
            Decision::Run(url) => self.run_at(&runtime, url),
        };
        if let Some(container) = container {
            let _entered = runtime.enter();
            drop(container);
        }
        exit
    }

    fn run_at(self, runtime: &tokio::runtime::Runtime, url: String) -> ExitCode {
        let server = self.server;
        // Without a declaration, the placeholder is replaced by what an adapter declares
        // before anything reads it.
        let declared = self.capabilities.unwrap_or(Capabilities::HARDENED);
        let mut factory = LiveFactory::new(server, url.clone(), declared, self.build)
            .with_names(self.names)
            .with_tables(self.tables);
        if let Some(name) = self.name {
            factory = factory.with_name(name);
        }
        match runtime.block_on(factory.probe()) {
            Ok(version) => println!(
                "nextauth-adapter-testkit: live {server} suite at {} ({version})",
                redact(&url)
            ),
            Err(e) => {
                let rule = "*".repeat(72);
                shout(&format!(
                    "{rule}\nNOT RUN: the live {server} conformance suite cannot use its server\n  {e}\n  a configured server that does not work is a FAILURE\n{rule}"
                ));
                return ExitCode::FAILURE;
            }
        }
        if self.capabilities.is_none() {
            factory = match runtime.block_on(factory.adopting_capabilities()) {
                Ok(f) => {
                    println!(
                        "nextauth-adapter-testkit: the adapters declare {:?}",
                        f.capabilities()
                    );
                    f
                }
                Err(e) => {
                    shout(&format!(
                        "NOT RUN: the live {server} suite could not build an adapter on its tables: {e}"
                    ));
                    return ExitCode::FAILURE;
                }
            };
        }
        let options = self.options.unwrap_or_else(RunOptions::from_env);
        let exit = run_main_with(factory, options);
        match runtime.block_on(verify_dropped(server, &url)) {
            Ok(n) => {
                println!(
                    "nextauth-adapter-testkit: all {n} {server} namespaces this run created are gone"
                );
                exit
            }
            Err(e) => {
                let rule = "!".repeat(72);
                shout(&format!(
                    "{rule}\nLEAK: {e}\n  the run fails; the testkit now drops what it can\n{rule}"
                ));
                let dropped = runtime.block_on(drop_leftovers(server));
                if !dropped.is_empty() {
                    shout(&format!("dropped afterwards: {}", dropped.join(", ")));
                }
                ExitCode::FAILURE
            }
        }
    }
}

/// The `main` of a backend's conformance test (harness = false): locates the server, runs
/// the whole harness (rules, properties, races) through `run_main_with`, and checks afterwards
/// that every namespace it created is gone. Without a server it prints a loud NOT RUN banner
/// and fails if the backend is required, succeeds otherwise.
///
/// A configured server that cannot be used (refused connection, no right to create a
/// namespace) fails the run whether or not it is required. Regressions of the property test
/// are replayed from and saved to `NEXTAUTH_REGRESSIONS_DIR` when set; use
/// [`LiveRun::with_run_options`] to name a directory in code.
pub fn run_live(server: Server, build: BuildAdapter) -> ExitCode {
    LiveRun::new(server, build).run()
}
