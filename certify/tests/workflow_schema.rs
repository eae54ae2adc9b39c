//! The GitHub Actions workflow adapter maintainers copy (`ci/github/certify-adapter.yml`) is
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
    let text = std::fs::read_to_string(format!("{ROOT}/ci/github/certify-adapter.yml"))
        .expect("the workflow exists");
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
