//! The whole catalogue against the reference adapter, through the same runner an adapter
//! author uses: `cargo test -p nextauth-adapter-harness --test reference_conformance -- --list`.

fn main() -> std::process::ExitCode {
    nextauth_adapter_harness::run_main(nextauth_adapter_harness::ReferenceFactory::default())
}
