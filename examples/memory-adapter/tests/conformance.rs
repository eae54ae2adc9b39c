//! Certifies the example adapter: every rule of the v3 catalogue, one named test each.
use nextauth_example_memory_adapter::testing::MemoryFactory;

fn main() -> std::process::ExitCode {
    nextauth_adapter_harness::run_main(MemoryFactory)
}
