//! Certifies the example Auth.js adapter: every rule of the Auth.js catalogue, one named test
//! each, and the differential property test.
use nextauth_example_authjs_adapter::testing::MemoryFactory;

fn main() -> std::process::ExitCode {
    nextauth_adapter_harness::run_main_authjs(MemoryFactory)
}
