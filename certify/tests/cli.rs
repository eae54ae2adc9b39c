//! The `nextauth-certify` binary as a user runs it: verdicts, exit status and artifacts.

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the binary with `args`, its property-test regressions in a fresh temporary
/// directory (never in the source tree, never shared between runs).
fn certify(args: &[&str]) -> Output {
    static RUNS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let regressions = std::env::temp_dir().join(format!(
        "nextauth-cli-regressions-{}-{n}",
        std::process::id()
    ));
    let out = Command::new(env!("CARGO_BIN_EXE_nextauth-certify"))
        .args(args)
        .env_remove("NEXTAUTH_PROPTEST_SEED")
        .env("NEXTAUTH_REGRESSIONS_DIR", &regressions)
        .output()
        .expect("the binary runs");
    let _ = std::fs::remove_dir_all(&regressions);
    out
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn report_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nextauth-certify-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn reference_conforms_and_writes_every_artifact() {
    let dir = report_dir("reference");
    let o = certify(&["--reference", "--report-dir", dir.to_str().unwrap()]);
    let out = text(&o);
    assert!(o.status.success(), "exit {:?}\n{out}", o.status);
    assert!(out.contains("reference: conforms"), "{out}");
    assert!(out.contains("\nusers ("), "a table per area: {out}");
    for f in [
        "reference.json",
        "reference.junit.xml",
        "reference.txt",
        "summary.md",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let summary = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(
        summary.contains("https://img.shields.io/badge/"),
        "badge line: {summary}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("reference.json")).unwrap())
            .unwrap();
    assert_eq!(json["verdict"], "conforms");
    assert_eq!(json["complete"], true);
    assert!(
        json["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "property.differential.sequences" && r["status"] == "passed")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_broken_adapter_fails_naming_the_rule_in_output_and_junit() {
    let dir = report_dir("broken");
    let o = certify(&[
        "--broken",
        "raw-verification-token",
        "--report-dir",
        dir.to_str().unwrap(),
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("verification.create.stores-hash"), "{out}");
    assert!(out.contains("does not conform"), "{out}");
    let junit =
        std::fs::read_to_string(dir.join("broken-raw-verification-token.junit.xml")).unwrap();
    let mut reader = quick_xml::Reader::from_str(&junit);
    let mut current = String::new();
    let mut failed = Vec::new();
    loop {
        match reader.read_event().expect("well-formed JUnit") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if e.name().as_ref() == b"testcase" =>
            {
                current = e
                    .attributes()
                    .filter_map(Result::ok)
                    .find(|a| a.key.as_ref() == b"name")
                    .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                    .unwrap_or_default();
            }
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if e.name().as_ref() == b"failure" =>
            {
                failed.push(current.clone())
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert!(
        failed
            .iter()
            .any(|f| f == "verification.create.stores-hash"),
        "{failed:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_property_failure_prints_its_replayable_trace() {
    let dir = report_dir("trace");
    let o = certify(&[
        "--broken",
        "every-third-update-extends",
        "--seed",
        "42",
        "--report-dir",
        dir.to_str().unwrap(),
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("NEXTAUTH_PROPTEST_SEED=42"), "{out}");
    assert!(out.contains("<-- diverged"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_filtered_run_is_partial_and_cannot_certify() {
    let dir = report_dir("filtered");
    let o = certify(&[
        "--reference",
        "--filter",
        "session.get",
        "--report-dir",
        dir.to_str().unwrap(),
    ]);
    let out = text(&o);
    // Only the selected rules ran: no verdict on the adapter either way.
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("partial run"), "{out}");
    assert!(
        out.contains("verdict: could not certify reference: only the selected rules ran"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn filters_select_like_libtest_exact_and_skip() {
    let dir = report_dir("selection");
    let run = |extra: &[&str]| {
        // `-v`: the passing rules are listed (the default report lists failing ones only).
        let mut args = vec!["--reference", "-v", "--cases", "0", "--report-dir"];
        args.push(dir.to_str().unwrap());
        args.extend_from_slice(extra);
        text(&certify(&args))
    };
    let exact = run(&["--filter", "session.get.expired-is-none", "--exact"]);
    assert!(exact.contains(" 1 rules "), "{exact}");
    assert!(exact.contains("session.get.expired-is-none"), "{exact}");
    let prefix_exact = run(&["--filter", "session.get", "--exact"]);
    assert!(prefix_exact.contains(" 0 rules "), "{prefix_exact}");
    let skipped = run(&["--filter", "session.get", "--skip", "expired"]);
    assert!(
        !skipped.contains("session.get.expired-is-none"),
        "{skipped}"
    );
    assert!(skipped.contains("session.get.unknown-is-none"), "{skipped}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rules_lists_the_catalogue() {
    let o = certify(&["rules"]);
    let out = text(&o);
    assert!(o.status.success());
    assert!(out.contains("session.get.expired-is-none"));
    assert!(
        out.lines()
            .filter(|l| l.contains("MUST") || l.contains("SHOULD"))
            .count()
            >= 80,
        "{out}"
    );
    let md = text(&certify(&["rules", "--format", "markdown"]));
    assert!(md.starts_with("# The rule catalogue"), "{md}");
    assert!(
        md.contains("| id | level | area | source | checks |"),
        "{md}"
    );
}

#[test]
fn unknown_defect_is_a_usage_error() {
    let o = certify(&["--broken", "no-such-defect"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("nextauth-certify defects"));
}

#[test]
fn docs_rules_md_is_the_current_catalogue() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/rules.md");
    let committed = std::fs::read_to_string(path).expect("docs/rules.md exists");
    let current = String::from_utf8(certify(&["rules", "--format", "markdown"]).stdout).unwrap();
    assert!(
        committed == current,
        "docs/rules.md is stale: run `cargo run -q -p nextauth-certify -- rules --format markdown > docs/rules.md`"
    );
}

#[test]
fn a_failing_should_rule_is_shown_but_fails_the_run_only_when_strict() {
    let dir = report_dir("strict");
    let args = [
        "--broken",
        "update-user-upserts",
        "--report-dir",
        dir.to_str().unwrap(),
    ];
    let lenient = certify(&args);
    let out = text(&lenient);
    assert_eq!(lenient.status.code(), Some(0), "{out}");
    assert!(out.contains("conforms"), "{out}");
    assert!(
        out.contains("warning: 1 SHOULD rule failed")
            && out.contains("user.update.missing-is-not-found"),
        "the failing SHOULD rule is printed: {out}"
    );
    let mut strict_args = args.to_vec();
    strict_args.push("--strict");
    let strict = certify(&strict_args);
    assert_eq!(strict.status.code(), Some(1), "{}", text(&strict));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_default_seed_is_fixed_and_explore_draws_a_fresh_one() {
    let seed_of = |args: &[&str]| {
        let dir = report_dir("seed");
        let mut all = args.to_vec();
        all.extend(["--report-dir", dir.to_str().unwrap()]);
        let o = certify(&all);
        assert!(o.status.success(), "{}", text(&o));
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("reference.json")).expect("the JSON report"),
        )
        .expect("valid JSON");
        let _ = std::fs::remove_dir_all(&dir);
        (
            json["property_test"]["seed"].as_u64().expect("a seed"),
            json["property_test"]["explored"]
                .as_bool()
                .expect("explored"),
        )
    };
    let first = seed_of(&["--reference", "--cases", "8"]);
    let second = seed_of(&["--reference", "--cases", "8"]);
    assert_eq!(first, second, "two default runs used different seeds");
    assert!(!first.1);
    let explored = seed_of(&["--reference", "--cases", "8", "--explore"]);
    assert!(explored.1, "--explore is recorded");
    assert_ne!(explored.0, first.0, "--explore used the fixed seed");
}

#[test]
fn authjs_reference_conforms_with_progress_and_every_report_format() {
    let dir = report_dir("authjs-reference");
    let o = certify(&[
        "--profile",
        "authjs",
        "--reference",
        "--report-dir",
        dir.to_str().unwrap(),
    ]);
    let out = text(&o);
    assert!(o.status.success(), "exit {:?}\n{out}", o.status);
    assert!(out.contains("authjs-reference: conforms"), "{out}");
    assert!(
        out.contains("\nauthenticators ("),
        "a table per area: {out}"
    );
    for f in [
        "authjs-reference.json",
        "authjs-reference.junit.xml",
        "authjs-reference.txt",
        "summary.md",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("authjs-reference.json")).unwrap())
            .unwrap();
    assert_eq!(json["profile"], "authjs");
    assert_eq!(json["verdict"], "conforms");
    assert_eq!(json["complete"], true);
    assert_eq!(json["capabilities"]["user_id"], "core");
    let results = json["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .all(|r| r["id"].as_str().unwrap().starts_with("authjs."))
    );
    assert!(results.iter().any(|r| r["id"] == "authjs.property.differential.sequences" && r["status"] == "passed"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_authjs_defect_picks_the_profile_and_fails_its_rules() {
    let dir = report_dir("authjs-broken");
    let o = certify(&[
        "--broken",
        "authjs-token-not-consumed",
        "--report-dir",
        dir.to_str().unwrap(),
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("authjs.verification.use.returns-once"),
        "{out}"
    );
    assert!(out.contains("does not conform"), "{out}");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("broken-authjs-token-not-consumed.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["profile"], "authjs");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_authjs_profile_refuses_what_it_cannot_certify_yet() {
    let o = certify(&["--profile", "authjs", "--url", "postgres://localhost/x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("cannot certify a database URL yet"),
        "{}",
        text(&o)
    );
    let o = certify(&["--profile", "authjs", "--broken", "raw-verification-token"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("unknown defect"), "{}", text(&o));
}

#[test]
fn docs_rules_authjs_md_is_the_current_catalogue() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/rules-authjs.md");
    let committed = std::fs::read_to_string(path).expect("docs/rules-authjs.md exists");
    let current = String::from_utf8(
        certify(&["rules", "--format", "markdown", "--profile", "authjs"]).stdout,
    )
    .unwrap();
    assert!(
        committed == current,
        "docs/rules-authjs.md is stale: run `cargo run -q -p nextauth-certify -- rules --format markdown --profile authjs > docs/rules-authjs.md`"
    );
}

#[test]
fn an_authjs_adapter_over_the_bridge_conforms_and_the_profiles_do_not_mix() {
    let bin = env!("CARGO_BIN_EXE_nextauth-certify");
    let child = format!("{bin} serve --profile authjs --reference");
    let dir = report_dir("authjs-bridge");
    let o = certify(&[
        "--profile",
        "authjs",
        "--adapter-command",
        &child,
        "--cases",
        "64",
        "--report-dir",
        dir.to_str().unwrap(),
    ]);
    let out = text(&o);
    assert!(o.status.success(), "exit {:?}\n{out}", o.status);
    assert!(out.contains("over the bridge"), "{out}");
    assert!(out.contains("authjs-reference: conforms"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("authjs-reference.json")).unwrap())
            .unwrap();
    assert_eq!(json["profile"], "authjs");
    assert_eq!(json["must"]["failed"], 0);
    let _ = std::fs::remove_dir_all(&dir);
    // A v3 run refuses an Auth.js child at the handshake, and an Auth.js run a v3 child.
    let o = certify(&["--adapter-command", &child]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("serves the authjs contract, not the v3 one"),
        "{}",
        text(&o)
    );
    let v3_child = format!("{bin} serve --reference");
    let o = certify(&["--profile", "authjs", "--adapter-command", &v3_child]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("serves the v3 contract, not the authjs one"),
        "{}",
        text(&o)
    );
}
