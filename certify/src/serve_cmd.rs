//! `nextauth-certify serve`: one of our adapters served over the bridge protocol on
//! stdin/stdout (`nextauth_adapter_bridge::serve`), so that a parent in another language —
//! next-auth@3's real core in `bridge/node/core` — drives it. Stdout carries protocol lines
//! only; logs go to stderr.

use crate::cli::{ProfileArg, ServeArgs};
use crate::targets::{live, preset};
use nextauth_adapter_harness::suite::Target;
use nextauth_adapter_harness::{BackendFactory, ReferenceFactory, authjs};
use std::process::ExitCode;
use std::sync::Arc;

/// Serves until the parent sends `shutdown` or closes stdin.
pub fn run(args: &ServeArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let target = match (args.profile, &args.url) {
        (ProfileArg::Authjs, None) if args.reference => {
            Target::Authjs(Arc::new(authjs::ReferenceFactory::default()))
        }
        (ProfileArg::Authjs, _) => {
            return Err(
                "serve --profile authjs serves the Auth.js reference (--reference) only".into(),
            );
        }
        (ProfileArg::V3, Some(url)) => Target::V3(live(url, None)?),
        (ProfileArg::V3, None) if args.reference => {
            let factory: Arc<dyn BackendFactory> = Arc::new(ReferenceFactory::with_capabilities(
                preset(crate::cli::Preset::Hardened),
            ));
            Target::V3(factory)
        }
        (ProfileArg::V3, None) => {
            return Err("serve needs --url <database URL> or --reference".into());
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // A backend that cannot be set up is said at once, not in every reply to the parent.
    if let Err(reason) = runtime.block_on(target.preflight()) {
        return Err(format!("cannot serve {}: {reason}", target.name()).into());
    }
    runtime.block_on(nextauth_adapter_bridge::serve_target(
        target,
        tokio::io::stdin(),
        tokio::io::stdout(),
    ))?;
    Ok(ExitCode::SUCCESS)
}
