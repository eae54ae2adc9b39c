//! `nextauth-certify serve`: our adapters served over the bridge protocol, the other
//! direction of the protocol the bridge certifies JavaScript adapters with. Certified back
//! through the bridge (`--adapter-command "nextauth-certify serve --url sqlite:"`), our SQLite
//! adapter must conform exactly as it does directly: every message of both directions
//! carries what the contract means, or some rule sees the difference. No database server
//! needed.

use std::process::Command;

fn certify(args: &[&str], dir: &std::path::Path) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_nextauth-certify"))
        .args(args)
        .arg("--report-dir")
        .arg(dir)
        .env("NEXTAUTH_REGRESSIONS_DIR", dir.join("regressions"))
        .output()
        .expect("runs");
    (
        o.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

#[test]
fn our_sqlite_adapter_served_over_the_bridge_conforms() {
    let dir = std::env::temp_dir().join(format!("nextauth-serve-{}", std::process::id()));
    let command = format!(
        "{} serve --url sqlite:",
        env!("CARGO_BIN_EXE_nextauth-certify")
    );
    let (code, out) = certify(&["--adapter-command", &command, "--quiet"], &dir);
    assert_eq!(code, Some(0), "{out}");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("sqlite.json")).expect("the report"),
    )
    .expect("JSON");
    assert_eq!(report["verdict"], "conforms", "{out}");
    assert_eq!(report["complete"], true, "{out}");
    // The whole suite ran: every MUST rule passed or was ruled out by a declaration.
    assert_eq!(report["must"]["failed"], 0);
    assert!(
        report["must"]["passed"].as_u64().unwrap_or(0) > 140,
        "{report}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn serve_refuses_without_a_backend() {
    let o = Command::new(env!("CARGO_BIN_EXE_nextauth-certify"))
        .arg("serve")
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--url"));
    assert!(o.stdout.is_empty(), "stdout carries protocol lines only");
}
