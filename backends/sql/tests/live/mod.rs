//! What the live-database tests share: where the server is, what to do when it is not
//! configured, throw-away names, and the guard that drops what a test created.

use std::fmt::Write as _;
use std::io::Write as _;

/// The URL in `var`, or `None` after a loud `SKIPPED` line. Fails instead of skipping
/// when `NEXTAUTH_REQUIRE_BACKENDS` names `backend` (CI sets it, so that a missing URL
/// can never turn into a silent pass).
pub fn url_or_skip(var: &str, backend: &str, test: &str) -> Option<String> {
    if let Ok(url) = std::env::var(var)
        && !url.trim().is_empty()
    {
        return Some(url);
    }
    let required = std::env::var("NEXTAUTH_REQUIRE_BACKENDS").unwrap_or_default();
    assert!(
        !required.split([',', ' ']).any(|b| b.trim() == backend),
        "{test}: NEXTAUTH_REQUIRE_BACKENDS requires {backend}, but {var} is not set"
    );
    // Straight to the process's stderr: the test harness captures `eprintln!`, and a skip
    // must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "\n************************************************************\n\
         SKIPPED: live {backend} test `{test}` not run, set {var}\n\
         ************************************************************"
    );
    None
}

/// `nx_` and 16 random hex digits: a schema or database name no one else uses.
pub fn random_name() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    bytes.iter().fold("nx_".to_owned(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Runs `drop_sql` on its own connection when dropped, even when the test panicked: the
/// test's runtime may be gone by then, so the guard opens a fresh one on a thread.
pub struct DropGuard {
    drop_sql: String,
    run: fn(String) -> Result<(), String>,
}

impl DropGuard {
    /// A guard that will run `drop_sql` through `run`, which connects by itself.
    pub fn new(drop_sql: String, run: fn(String) -> Result<(), String>) -> DropGuard {
        DropGuard { drop_sql, run }
    }
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        let sql = self.drop_sql.clone();
        let run = self.run;
        let outcome = std::thread::spawn(move || run(sql)).join();
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("cleanup `{}` failed: {e}", self.drop_sql),
            Err(_) => eprintln!("cleanup `{}` panicked", self.drop_sql),
        }
    }
}

/// A current-thread runtime for a guard's cleanup.
pub fn cleanup_runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

/// The statements of the fixture at `path` (below the repository's `fixtures/`), split on
/// `;`, as a script runner would send them.
pub fn fixture_statements(path: &str) -> Vec<String> {
    let full = format!("{}/../../fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let sql = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    sql.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
