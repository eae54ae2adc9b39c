//! `docs/ecosystem.md` keeps its promises: every finding it reports has a reproduction
//! command, and running each one (the real `nextauth-certify` binary, the adapter served by
//! `bridge/node/authjs` against the servers of `NEXTAUTH_TEST_POSTGRES_URL` and
//! `NEXTAUTH_TEST_MYSQL_URL`) shows the rule it names failing.
//!
//! Needs `bridge/node/authjs/node_modules` (`ci/bridge.sh`) and the servers
//! (`eval "$(ci/databases.sh)"`); without them it says SKIPPED, and fails when
//! `NEXTAUTH_REQUIRE_BACKENDS` requires them.

mod common;

use nextauth_adapter_bridge::authjs::npm_adapters_or_skip;
use nextauth_adapter_testkit::{Server, url_or_skip};

const PAGE: &str = include_str!("../../docs/ecosystem.md");

/// The page's shell blocks, continuation lines joined.
fn shell_commands(section: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_block = false;
    let mut current = String::new();
    for line in section.lines() {
        if line.trim_start().starts_with("```") {
            in_block = line.trim() == "```sh";
            continue;
        }
        if !in_block || line.trim_start().starts_with('#') {
            continue;
        }
        match line.trim_end().strip_suffix('\\') {
            Some(head) => current.push_str(head),
            None => {
                current.push_str(line);
                commands.push(std::mem::take(&mut current).trim().to_owned());
            }
        }
    }
    commands
}

/// The findings' sections: `### …` headings after `## Findings`, each with its text.
fn findings() -> Vec<(String, String)> {
    let start = PAGE
        .find("\n## Findings")
        .expect("the page has a Findings section");
    let rest = &PAGE[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    rest[..end]
        .split("\n### ")
        .skip(1)
        .map(|s| {
            let (title, body) = s.split_once('\n').unwrap_or((s, ""));
            (title.trim().to_owned(), body.to_owned())
        })
        .collect()
}

/// The rule a reproduction command filters to (`--filter <id> --exact`).
fn filtered_rule(args: &[String]) -> Option<&str> {
    let i = args.iter().position(|a| a == "--filter")?;
    args.contains(&"--exact".to_owned())
        .then(|| args.get(i + 1).map(String::as_str))
        .flatten()
}

#[test]
fn every_finding_has_a_reproduction_command_for_one_rule() {
    let findings = findings();
    assert!(!findings.is_empty(), "the page reports no finding");
    for (title, body) in &findings {
        let commands = shell_commands(body);
        let rules: Vec<String> = commands
            .iter()
            .filter_map(|c| {
                let args = shell_words::split(c).ok()?;
                filtered_rule(&args).map(str::to_owned)
            })
            .collect();
        assert!(
            !rules.is_empty(),
            "finding {title:?} has no reproduction command (`--filter <rule> --exact`)"
        );
    }
}

#[test]
fn every_reproduction_command_shows_its_finding() {
    let what = "the ecosystem page's reproductions";
    let Some(postgres) = url_or_skip(Server::Postgres, what) else {
        return;
    };
    let Some(mysql) = url_or_skip(Server::MySql, what) else {
        return;
    };
    if !npm_adapters_or_skip(what) {
        return;
    }
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut checked = 0;
    for (title, body) in findings() {
        for command in shell_commands(&body) {
            let command = command
                .replace("$NEXTAUTH_TEST_POSTGRES_URL", &postgres)
                .replace("$NEXTAUTH_TEST_MYSQL_URL", &mysql);
            let args = shell_words::split(&command).expect("a command a shell can split");
            let Some(rule) = filtered_rule(&args).map(str::to_owned) else {
                continue;
            };
            let dash = args.iter().position(|a| a == "--").unwrap_or_else(|| {
                panic!("{title}: not `cargo run -p nextauth-certify -- …`: {command}")
            });
            assert_eq!(
                args[..dash],
                ["cargo", "run", "-p", "nextauth-certify"],
                "{title}: {command}"
            );
            let mut args: Vec<&str> = args[dash + 1..].iter().map(String::as_str).collect();
            args.extend(["--format", "json", "--quiet"]);
            let mut certify = common::command(&args);
            let out = certify
                .command
                .current_dir(&repo)
                .output()
                .expect("nextauth-certify runs");
            let reports: serde_json::Value =
                serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
                    panic!(
                        "{title}: {e}: not JSON from `{command}`\n{}",
                        String::from_utf8_lossy(&out.stderr)
                    )
                });
            let result = reports[0]["results"]
                .as_array()
                .and_then(|r| r.iter().find(|r| r["id"] == rule.as_str()))
                .unwrap_or_else(|| panic!("{title}: `{command}` ran no rule {rule}"));
            assert_eq!(
                result["status"], "failed",
                "{title}: `{command}` does not show the finding: {result}"
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "no reproduction command ran");
    println!("{checked} reproduction commands show their findings");
}
