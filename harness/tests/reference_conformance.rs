//! The whole catalogue against the reference adapter, through the same runner an adapter
//! author uses: `cargo test -p nextauth-adapter-harness --test reference_conformance -- --list`.

use nextauth_adapter_harness::runner::{RunOptions, run_main_with};

fn main() -> std::process::ExitCode {
    let regressions = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/regressions");
    run_main_with(
        nextauth_adapter_harness::ReferenceFactory::default(),
        RunOptions::from_env().with_regressions_dir(regressions),
    )
}
