//! The GitHub Actions workflows in `ci/github/` (the one adapter maintainers copy,
//! `certify-adapter.yml`, and the kit's own SQL Server certification, `sql-server.yml`) are
//! valid against the published GitHub workflow schema (vendored in `fixtures/schemas/vendor`).

use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(format!(
        "{ROOT}/fixtures/schemas/vendor/github-workflow.schema.json"
    ))
    .expect("the vendored schema is in the repository");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn workflow() -> Value {
    read("certify-adapter.yml")
}

fn read(file: &str) -> Value {
    let text = std::fs::read_to_string(format!("{ROOT}/ci/github/{file}"))
        .unwrap_or_else(|e| panic!("ci/github/{file}: {e}"));
    serde_norway::from_str(&text).expect("the workflow is YAML")
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_published_workflow_is_valid() {
    let v = validator();
    let doc = workflow();
    let errs = errors(&v, &doc);
    assert!(
        errs.is_empty(),
        "ci/github/certify-adapter.yml is invalid:\n{}",
        errs.join("\n")
    );
    // It does what it says: services for the three servers, the certify command, the JUnit upload.
    let services = &doc["jobs"]["certify"]["services"];
    for s in ["postgres", "mysql", "mssql"] {
        assert!(services.get(s).is_some(), "no {s} service");
    }
    let steps = serde_json::to_string(&doc["jobs"]["certify"]["steps"]).unwrap();
    assert!(steps.contains("nextauth-certify --url"));
    assert!(steps.contains("junit.xml"));
}

#[test]
fn the_sql_server_workflow_is_valid_and_requires_the_suite() {
    let v = validator();
    let doc = read("sql-server.yml");
    let errs = errors(&v, &doc);
    assert!(
        errs.is_empty(),
        "ci/github/sql-server.yml is invalid:\n{}",
        errs.join("\n")
    );
    let job = &doc["jobs"]["mssql"];
    let service = &job["services"]["mssql"];
    assert_eq!(
        service["image"].as_str(),
        Some("mcr.microsoft.com/mssql/server:2022-latest")
    );
    assert!(
        service["options"]
            .as_str()
            .is_some_and(|o| o.contains("--health-cmd")),
        "the job waits for a server that accepts a login"
    );
    let required = job["env"]["NEXTAUTH_REQUIRE_BACKENDS"]
        .as_str()
        .unwrap_or("");
    assert!(required.split(',').any(|b| b == "mssql"), "{required}");
    let url = job["env"]["NEXTAUTH_TEST_MSSQL_URL"].as_str().unwrap_or("");
    let password = service["env"]["MSSQL_SA_PASSWORD"].as_str().unwrap_or("");
    assert!(
        !password.is_empty() && url.contains(&format!(":{password}@127.0.0.1:1433/")),
        "the URL logs in with the service's password"
    );
    let steps = serde_json::to_string(&job["steps"]).unwrap();
    assert!(steps.contains("-p nextauth-adapter-mssql"));
    assert!(steps.contains("nextauth-certify -- --url"));
}

#[test]
fn the_check_rejects_a_broken_workflow() {
    let v = validator();
    let mut doc = workflow();
    doc["jobs"]["certify"]["runs-on"] = Value::Null;
    doc["jobs"]["certify"]["servces"] = Value::String("typo".into());
    assert!(
        !errors(&v, &doc).is_empty(),
        "a job without runs-on and with an unknown key passed"
    );
}
