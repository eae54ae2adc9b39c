//! `fault.server.restart`: the mysql adapter on a server in a container of its own, stopped
//! during a call and started again (CI's container lane, `NEXTAUTH_REQUIRE_RESTART=1`; prints
//! NOT RUN without a container engine).

use nextauth_adapter_mysql::MySqlStore;
use nextauth_adapter_testkit::scenarios;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_adapter_survives_a_server_restart() {
    scenarios::the_server_restart_rule_runs::<MySqlStore>().await;
}
