//! A live check as a libtest-mimic [`Trial`]: listed and filterable by name on any machine
//! (`--list` needs no server, no Node, no URL), and, when it runs, run against what it needs or
//! reported loudly as NOT RUN: a failing trial when `NEXTAUTH_REQUIRE_BACKENDS` requires it, an
//! ignored one with the reason otherwise, never a silent pass.
//!
//! ```no_run
//! use libtest_mimic::{Arguments, Failed};
//! use nextauth_adapter_testkit::{Server, trials};
//!
//! fn check(url: &str) -> Result<(), Failed> {
//!     # let _ = url;
//!     Ok(())
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     let mut args = Arguments::from_args();
//!     trials::default_width(&mut args, 2);
//!     let trial = trials::live_trial(
//!         "my-check/postgres",
//!         || trials::server_url(Server::Postgres),
//!         |url| check(&url),
//!     );
//!     libtest_mimic::run(&args, vec![trial]).exit_code()
//! }
//! ```

use crate::server::{REQUIRE_ENV, Server, ServerEnv, is_required};
use libtest_mimic::{Arguments, Completion, Failed, Trial};

/// Why a live trial cannot run, and whether that fails it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotRun {
    /// What is missing and how to get it (`NEXTAUTH_TEST_POSTGRES_URL is not set`).
    pub reason: String,
    /// Whether `NEXTAUTH_REQUIRE_BACKENDS` requires what is missing: the trial then fails.
    pub required: bool,
}

impl NotRun {
    /// The loud banner for the trial `name`, saying whether its absence fails the run.
    pub fn banner(&self, name: &str) -> String {
        let rule = "*".repeat(72);
        let consequence = if self.required {
            format!("{REQUIRE_ENV} requires it: this is a FAILURE")
        } else {
            "not required, so this is not a failure (the trial is ignored)".to_owned()
        };
        format!(
            "{rule}\nNOT RUN: {name}: {}\n  {consequence}\n{rule}",
            self.reason
        )
    }
}

/// The URL of `server` from its environment variable ([`ServerEnv::env_var`]), or why not
/// (required when `NEXTAUTH_REQUIRE_BACKENDS` lists the server).
pub fn server_url(server: Server) -> Result<String, NotRun> {
    match std::env::var(server.env_var()) {
        Ok(u) if !u.trim().is_empty() => Ok(u.trim().to_owned()),
        _ => Err(NotRun {
            reason: format!("{} is not set", server.env_var()),
            required: is_required(server),
        }),
    }
}

/// A trial named `name` that, when run, asks `ready` for what it needs (a URL, say) and runs
/// `body` with it. When `ready` says [`NotRun`], the trial prints the banner on stdout and
/// stderr (test runners capture one or the other) and fails if it is required, or is ignored
/// with the reason. `ready` is called only when the trial runs, so listing needs nothing.
pub fn live_trial<T, R, B>(name: impl Into<String>, ready: R, body: B) -> Trial
where
    R: FnOnce() -> Result<T, NotRun> + Send + 'static,
    B: FnOnce(T) -> Result<(), Failed> + Send + 'static,
{
    let name = name.into();
    let label = name.clone();
    Trial::ignorable_test(name, move || match ready() {
        Ok(t) => body(t).map(|()| Completion::Completed),
        Err(not_run) => {
            let banner = not_run.banner(&label);
            println!("{banner}");
            eprintln!("{banner}");
            if not_run.required {
                Err(format!("NOT RUN: {}, and {REQUIRE_ENV} requires it", not_run.reason).into())
            } else {
                Ok(Completion::ignored_with(format!(
                    "NOT RUN: {}",
                    not_run.reason
                )))
            }
        }
    })
}

/// Runs `width` trials at once unless the caller said how many (`--test-threads`): for
/// trials bound by their servers, not by this process, where the machine's core count is
/// not the right width.
pub fn default_width(args: &mut Arguments, width: usize) {
    args.test_threads = args.test_threads.or(Some(width));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_one(trial: Trial) -> libtest_mimic::Conclusion {
        let args = Arguments {
            quiet: true,
            test_threads: Some(1),
            ..Arguments::default()
        };
        libtest_mimic::run(&args, vec![trial])
    }

    #[test]
    fn a_missing_requirement_fails_only_when_required() {
        let not_run = |required| {
            live_trial(
                "cell/postgres",
                move || -> Result<(), NotRun> {
                    Err(NotRun {
                        reason: "no URL".to_owned(),
                        required,
                    })
                },
                |()| panic!("the body of a trial that cannot run ran"),
            )
        };
        let required = run_one(not_run(true));
        assert_eq!((required.num_failed, required.num_ignored), (1, 0));
        let optional = run_one(not_run(false));
        assert_eq!((optional.num_failed, optional.num_ignored), (0, 1));
        assert!(!optional.has_failed());
    }

    #[test]
    fn a_ready_trial_runs_its_body_with_what_it_needs() {
        let ran = run_one(live_trial(
            "cell/mysql",
            || Ok::<_, NotRun>(7),
            |n| if n == 7 { Ok(()) } else { Err("wrong".into()) },
        ));
        assert_eq!((ran.num_passed, ran.num_failed), (1, 0));
    }

    #[test]
    fn the_callers_width_wins() {
        let mut args = Arguments::default();
        default_width(&mut args, 2);
        assert_eq!(args.test_threads, Some(2));
        args.test_threads = Some(1);
        default_width(&mut args, 2);
        assert_eq!(args.test_threads, Some(1));
    }
}
