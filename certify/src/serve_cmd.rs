//! `nextauth-certify serve`: one of our adapters served over the bridge protocol on
//! stdin/stdout (`nextauth_adapter_bridge::serve`), so that a parent in another language —
//! next-auth@3's real core in `bridge/node/core` — drives it. Stdout carries protocol lines
//! only; logs go to stderr.

use crate::cli::ServeArgs;
use crate::targets::{live, preset};
use nextauth_adapter_harness::{BackendFactory, ReferenceFactory};
use std::process::ExitCode;
use std::sync::Arc;

/// Serves until the parent sends `shutdown` or closes stdin.
pub fn run(args: &ServeArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let factory: Arc<dyn BackendFactory> = match &args.url {
        Some(url) => live(url, None)?,
        None if args.reference => Arc::new(ReferenceFactory::with_capabilities(preset(
            crate::cli::Preset::Hardened,
        ))),
        None => return Err("serve needs --url <database URL> or --reference".into()),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(nextauth_adapter_bridge::serve(
        factory,
        tokio::io::stdin(),
        tokio::io::stdout(),
    ))?;
    Ok(ExitCode::SUCCESS)
}
