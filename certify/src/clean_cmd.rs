//! `nextauth-certify clean`: drops the namespaces runs of this kit left on a server and that
//! are provably stale ([`nextauth_adapter_testkit::stale`]), and lists every `nx_` namespace
//! there with what was decided. Exit 0 when it could look (whatever it found), 2 when not.

use crate::cli::CleanArgs;
use crate::output::Stdout;
use nextauth_adapter_sql::Server;
use nextauth_adapter_testkit::stale::{Judgement, clean};
use nextauth_adapter_testkit::urls::redact;
use std::io::Write;
use std::process::ExitCode;

/// Runs `clean` and prints what it decided of each namespace.
pub fn run(args: &CleanArgs, out: &mut Stdout) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let server = Server::of_url(&args.url)
        .filter(|s| *s != Server::Sqlite)
        .ok_or_else(|| {
            format!(
                "clean needs a server URL (postgres://, mysql://, mariadb:// or mssql://), not {}",
                redact(&args.url)
            )
        })?;
    let url = server.driver_url(&args.url);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let looked = runtime
        .block_on(clean(server, &url, args.older_than, args.dry_run))
        .map_err(|e| format!("cannot clean {}: {e}", redact(&args.url)))?;
    let width = looked.iter().map(|l| l.name.len()).max().unwrap_or(0);
    let (mut dropped, mut stale, mut kept, mut unrecorded) = (0, 0, 0, 0);
    for l in &looked {
        let (what, why) = match &l.judgement {
            Judgement::Stale(why) if l.dropped => {
                dropped += 1;
                stale += 1;
                ("dropped", why.as_str())
            }
            Judgement::Stale(why) => {
                stale += 1;
                ("stale", why.as_str())
            }
            Judgement::Kept(why) => {
                kept += 1;
                ("kept", why.as_str())
            }
            Judgement::Unrecorded => {
                unrecorded += 1;
                ("unknown", "its name records no maker: left alone")
            }
        };
        writeln!(out, "{:width$}  {what:<8} {why}", l.name)?;
    }
    writeln!(
        out,
        "clean: {} nx_ namespace(s) on {}: {dropped} dropped, {} stale left{}, {kept} kept, {unrecorded} unknown",
        looked.len(),
        redact(&args.url),
        stale - dropped,
        if args.dry_run { " (dry run)" } else { "" },
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
