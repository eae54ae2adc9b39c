//! Our PostgreSQL adapter certified on the tables next-auth@3's `synchronize` makes
//! on PostgreSQL (see `v3_tables/mod.rs`).

mod v3_tables;

fn main() -> std::process::ExitCode {
    v3_tables::certify_on_v3_tables(nextauth_adapter_testkit::Server::Postgres)
}
