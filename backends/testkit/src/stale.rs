//! Who made a namespace and when, written into its name, so that namespaces a run could not
//! drop (CI's timeout, Ctrl-C twice, a killed process) are found and dropped later by whoever
//! can prove them stale: the next run on the same machine, or `nextauth-certify clean`.
//!
//! A namespace's name is `nx_<made>_<host>_<pid>_<random>` (lowercase hex): the Unix second
//! it was made, a tag of the machine and process namespace that made it (the first four bytes
//! of SHA-256 over `/etc/machine-id` and `/proc/self/ns/pid`), that process's id, and four
//! random bytes. A namespace is **stale** when
//!
//! - its maker ran on this machine, in this process namespace, and has ended (no
//!   `/proc/<pid>`): provable, so every run drops these on its first namespace of a server
//!   ([`drop_stale_once`]); or
//! - it was made longer ago than an age the operator gives (`nextauth-certify clean
//!   --older-than`), for namespaces of other machines: only on request, since a run elsewhere
//!   (a long soak) may still use its namespace.
//!
//! A name of another shape (an older `nx_<16 hex>`, anything not ours) is never dropped: it
//! records no maker. SQLite namespaces are files in a temporary directory, outside this.

use crate::admin;
use crate::error::TestkitError;
use crate::server::Server;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Who made a namespace, and when, as its name records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Maker {
    /// When, in Unix seconds.
    pub made_at: u64,
    /// The machine and process namespace ([`host_tag`]); 0 when neither could be read, which
    /// proves nothing about the process.
    pub host: u32,
    /// The process id.
    pub pid: u32,
}

impl Maker {
    /// This process, now.
    pub fn this_process() -> Maker {
        Maker {
            made_at: unix_now(),
            host: host_tag(),
            pid: std::process::id(),
        }
    }

    /// The namespace name this maker gives with `random`:
    /// `nx_<made>_<host>_<pid>_<random>`, lowercase hex.
    pub fn name(&self, random: u32) -> String {
        format!(
            "{}{:08x}_{:08x}_{:x}_{random:08x}",
            crate::namespace::NAMESPACE_PREFIX,
            self.made_at,
            self.host,
            self.pid
        )
    }

    /// The maker a name records, or `None` for a name of another shape.
    pub fn of_name(name: &str) -> Option<Maker> {
        let rest = name.strip_prefix(crate::namespace::NAMESPACE_PREFIX)?;
        let parts: Vec<&str> = rest.split('_').collect();
        let [made, host, pid, random] = parts.as_slice() else {
            return None;
        };
        hex(random, 8).filter(|r| r.len() == 8)?;
        Some(Maker {
            made_at: u64::from_str_radix(hex(made, 16)?, 16).ok()?,
            host: u32::from_str_radix(hex(host, 8).filter(|h| h.len() == 8)?, 16).ok()?,
            pid: u32::from_str_radix(hex(pid, 8)?, 16).ok()?,
        })
    }
}

/// `s` when it is 1 to `max` lowercase hex digits.
fn hex(s: &str, max: usize) -> Option<&str> {
    (!s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then_some(s)
}

/// What [`judge`] concluded of a namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// Proven stale: why.
    Stale(String),
    /// Possibly in use: why it is kept.
    Kept(String),
    /// Its name records no maker: never ours to drop.
    Unrecorded,
}

/// What this machine knows when judging: its host tag, whether a process id still runs here,
/// the time, and the age beyond which a namespace of another machine counts as stale.
#[derive(Debug, Clone, Copy)]
pub struct Here {
    /// [`host_tag`] of this machine.
    pub host: u32,
    /// Whether a process id runs on this machine and process namespace (`None`: cannot
    /// tell).
    pub alive: fn(u32) -> Option<bool>,
    /// Now, in Unix seconds.
    pub now: u64,
    /// Namespaces made longer ago than this are stale wherever they were made (`None`: only
    /// the ones whose maker provably ended).
    pub older_than: Option<Duration>,
}

/// Whether namespace `name` is stale, from what its name records and what `here` knows.
pub fn judge(name: &str, here: &Here) -> Judgement {
    let Some(maker) = Maker::of_name(name) else {
        return Judgement::Unrecorded;
    };
    let age = here.now.saturating_sub(maker.made_at);
    if maker.host != 0 && maker.host == here.host {
        match (here.alive)(maker.pid) {
            Some(false) => {
                return Judgement::Stale(format!(
                    "made {} ago by process {} on this machine, which has ended",
                    human(age),
                    maker.pid
                ));
            }
            Some(true) => {
                return Judgement::Kept(format!(
                    "process {} on this machine still runs",
                    maker.pid
                ));
            }
            None => {}
        }
    }
    match here.older_than {
        Some(limit) if age > limit.as_secs() => Judgement::Stale(format!(
            "made {} ago (more than {}) by process {} on another machine",
            human(age),
            human(limit.as_secs()),
            maker.pid
        )),
        _ => Judgement::Kept(format!(
            "made {} ago by process {} on another machine (or one this process cannot see): it may still be in use",
            human(age),
            maker.pid
        )),
    }
}

/// One namespace [`clean`] looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Looked {
    /// Its name.
    pub name: String,
    /// What was concluded.
    pub judgement: Judgement,
    /// Whether it was dropped (stale, and not a dry run).
    pub dropped: bool,
}

/// Lists every `nx_` namespace on the server at `server_url`, judges each ([`judge`], with
/// `older_than` for other machines' namespaces) and, unless `dry_run`, drops the stale ones.
/// A namespace this process made is always kept. SQLite has no server to list: nothing.
pub async fn clean(
    server: Server,
    server_url: &str,
    older_than: Option<Duration>,
    dry_run: bool,
) -> Result<Vec<Looked>, TestkitError> {
    let here = Here {
        host: host_tag(),
        alive: process_alive,
        now: unix_now(),
        older_than,
    };
    clean_as(server, server_url, &here, dry_run).await
}

/// [`clean`] judging with `here` (a test's own view of the machine).
pub async fn clean_as(
    server: Server,
    server_url: &str,
    here: &Here,
    dry_run: bool,
) -> Result<Vec<Looked>, TestkitError> {
    if server == Server::Sqlite {
        return Ok(Vec::new());
    }
    let admin = admin::of(server);
    let names = admin.present(server_url, &[]).await?;
    let mine = crate::namespace::live_namespaces(server);
    let mut looked = Vec::new();
    for name in names {
        let judgement = if mine.contains(&name) {
            Judgement::Kept("made by this process".to_owned())
        } else {
            judge(&name, here)
        };
        let dropped = match &judgement {
            Judgement::Stale(why) if !dry_run => {
                admin.drop_owned(server_url, &name, None).await?;
                tracing::info!(%server, namespace = %name, why = %why, "dropped a stale namespace");
                true
            }
            _ => false,
        };
        looked.push(Looked {
            name,
            judgement,
            dropped,
        });
    }
    Ok(looked)
}

/// Drops, once per server URL in this process, the namespaces whose maker provably ended
/// (a killed run's); a failure is logged, never fatal: the run goes on.
pub(crate) async fn drop_stale_once(server: Server, server_url: &str) {
    static DONE: OnceLock<Mutex<BTreeSet<String>>> = OnceLock::new();
    let first = DONE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(server_url.to_owned());
    if !first {
        return;
    }
    match clean(server, server_url, None, false).await {
        Ok(looked) => {
            let dropped: Vec<&str> = looked
                .iter()
                .filter(|l| l.dropped)
                .map(|l| l.name.as_str())
                .collect();
            if !dropped.is_empty() {
                eprintln!(
                    "nextauth-adapter-testkit: dropped {} namespace(s) on {server} left by runs that ended: {}",
                    dropped.len(),
                    dropped.join(", ")
                );
            }
        }
        Err(e) => tracing::warn!(%server, error = %e, "cannot look for stale namespaces"),
    }
}

/// This machine's and process namespace's tag: the first four bytes of SHA-256 over
/// `/etc/machine-id` and the `/proc/self/ns/pid` link (processes in another container see
/// another pid namespace, so their ids are never judged here). 0 when neither can be read.
pub fn host_tag() -> u32 {
    static TAG: OnceLock<u32> = OnceLock::new();
    *TAG.get_or_init(|| {
        let machine = std::fs::read_to_string("/etc/machine-id").ok();
        let pid_ns = std::fs::read_link("/proc/self/ns/pid").ok();
        let (Some(machine), Some(pid_ns)) = (machine, pid_ns) else {
            return 0;
        };
        let digest = Sha256::new()
            .chain_update(machine.trim().as_bytes())
            .chain_update(b"\0")
            .chain_update(pid_ns.to_string_lossy().as_bytes())
            .finalize();
        u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]).max(1)
    })
}

/// Whether process `pid` runs in this process namespace (Linux: `/proc/<pid>`); `None`
/// where that cannot be told.
pub fn process_alive(pid: u32) -> Option<bool> {
    let proc = std::path::Path::new("/proc");
    proc.join("self")
        .exists()
        .then(|| proc.join(pid.to_string()).exists())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `90 s`, `12 min`, `5 h`, `3 d`.
fn human(seconds: u64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 2 * 3600 => format!("{} min", s / 60),
        s if s < 2 * 86400 => format!("{} h", s / 3600),
        s => format!("{} d", s / 86400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HERE: u32 = 0x1234_5678;

    fn here(alive: fn(u32) -> Option<bool>, older_than: Option<u64>) -> Here {
        Here {
            host: HERE,
            alive,
            now: 1_800_000_000,
            older_than: older_than.map(Duration::from_secs),
        }
    }

    #[test]
    fn a_name_records_its_maker_and_reads_back() {
        let maker = Maker {
            made_at: 1_765_000_000,
            host: HERE,
            pid: 4242,
        };
        let name = maker.name(0xdead_beef);
        assert_eq!(name, "nx_6933c340_12345678_1092_deadbeef");
        assert!(name.len() <= 63);
        assert_eq!(Maker::of_name(&name), Some(maker));
        let this = Maker::this_process();
        assert_eq!(Maker::of_name(&this.name(7)), Some(this));
    }

    #[test]
    fn names_of_another_shape_record_no_maker() {
        for name in [
            "nx_0123456789abcdef",
            "nx_693463c0_12345678_1092",
            "nx_693463c0_12345678_1092_deadbee",
            "nx_693463c0_1234567_1092_deadbeef",
            "nx_693463C0_12345678_1092_deadbeef",
            "nx_693463c0_12345678__deadbeef",
            "nx_693463c0_12345678_1092_deadbeef_0",
            "ax_693463c0_12345678_1092_deadbeef",
            "nx_core_0123456789abcdef",
        ] {
            assert_eq!(Maker::of_name(name), None, "{name}");
            let alive = |_| Some(false);
            assert_eq!(
                judge(name, &here(alive, Some(0))),
                Judgement::Unrecorded,
                "{name}"
            );
        }
    }

    #[test]
    fn an_ended_maker_on_this_machine_is_stale_a_running_one_is_kept() {
        let name = Maker {
            made_at: 1_800_000_000 - 600,
            host: HERE,
            pid: 77,
        }
        .name(1);
        let ended = |pid| Some(pid != 77);
        assert!(
            matches!(judge(&name, &here(ended, None)), Judgement::Stale(why) if why.contains("process 77") && why.contains("ended"))
        );
        let running = |_| Some(true);
        // Running: kept, however old and whatever age the operator gives.
        assert!(matches!(
            judge(&name, &here(running, Some(1))),
            Judgement::Kept(_)
        ));
    }

    #[test]
    fn another_machines_namespace_is_stale_only_past_the_age_given() {
        let name = Maker {
            made_at: 1_800_000_000 - 7200,
            host: 0x0bad_cafe,
            pid: 77,
        }
        .name(1);
        // Its process id says nothing here, dead or alive.
        let dead = |_| Some(false);
        assert!(matches!(
            judge(&name, &here(dead, None)),
            Judgement::Kept(_)
        ));
        assert!(matches!(
            judge(&name, &here(dead, Some(7200))),
            Judgement::Kept(_)
        ));
        assert!(matches!(
            judge(&name, &here(dead, Some(7199))),
            Judgement::Stale(why) if why.contains("another machine")
        ));
    }

    #[test]
    fn a_maker_without_a_host_tag_proves_nothing_by_its_pid() {
        let name = Maker {
            made_at: 1_800_000_000,
            host: 0,
            pid: 77,
        }
        .name(1);
        let dead = |_| Some(false);
        let unknown_here = Here {
            host: 0,
            ..here(dead, None)
        };
        assert!(matches!(judge(&name, &unknown_here), Judgement::Kept(_)));
    }

    #[test]
    fn where_processes_cannot_be_seen_only_the_age_decides() {
        let name = Maker {
            made_at: 1_800_000_000 - 100,
            host: HERE,
            pid: 77,
        }
        .name(1);
        let blind = |_| None;
        assert!(matches!(
            judge(&name, &here(blind, None)),
            Judgement::Kept(_)
        ));
        assert!(matches!(
            judge(&name, &here(blind, Some(50))),
            Judgement::Stale(_)
        ));
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn this_process_is_alive_and_an_unused_pid_is_not() {
        assert_eq!(process_alive(std::process::id()), Some(true));
        // Linux's pid_max is at most 2^22.
        assert_eq!(process_alive(u32::MAX), Some(false));
    }
}
