//! The bridge against misbehaving children (no database, no Node needed): garbage on stdout,
//! silence, an early exit. Each must give a clear error quickly, never a hang.

use nextauth_adapter_bridge::{BridgeError, BridgeFactory};
use std::time::{Duration, Instant};

fn sh(script: &str) -> Vec<String> {
    vec!["sh".to_owned(), "-c".to_owned(), script.to_owned()]
}

fn connect(script: &str, timeout: Duration) -> (Result<BridgeFactory, BridgeError>, Duration) {
    let started = Instant::now();
    let r = BridgeFactory::with_timeout(sh(script), Vec::new(), timeout);
    (r, started.elapsed())
}

#[test]
fn garbage_on_stdout_fails_fast_quoting_the_line() {
    let (r, took) = connect(
        "read l; echo 'this is not json'; sleep 20",
        Duration::from_secs(20),
    );
    let e = r.expect_err("garbage must fail the handshake");
    let text = e.to_string();
    assert!(matches!(e, BridgeError::Dead { .. }), "{text}");
    assert!(text.contains("\"this is not json\""), "{text}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[test]
fn a_silent_child_times_out_naming_the_method_and_the_timeout() {
    let (r, took) = connect("sleep 20", Duration::from_millis(300));
    let e = r.expect_err("silence must time out");
    let text = e.to_string();
    assert!(matches!(e, BridgeError::Timeout { .. }), "{text}");
    assert!(text.contains("`hello`") && text.contains("300ms"), "{text}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[test]
fn an_exiting_child_fails_fast_naming_its_exit_status() {
    let (r, took) = connect("echo 'bye' >&2; exit 3", Duration::from_secs(20));
    let e = r.expect_err("an exit must fail the handshake");
    let text = e.to_string();
    assert!(text.contains("exit status: 3"), "{text}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[test]
fn a_reply_without_id_or_another_protocol_is_refused() {
    let (r, _) = connect(
        r#"read l; echo '{"id":null,"error":{"kind":"protocol","message":"huh"}}'; sleep 20"#,
        Duration::from_secs(20),
    );
    let text = r.expect_err("no id").to_string();
    assert!(
        text.contains("without an id") && text.contains("huh"),
        "{text}"
    );
    let hello = r#"{"id":1,"ok":{"protocol":2,"name":"x","capabilities":{"expired_session":"delete_on_read","delete_user":"cascade","unlink_account":"supported","email_matching":"exact","timestamp_precision":"microsecond","verification_consumption":"on_get","limits":{"varchar":{"max_chars":255,"max_bytes":null},"image":{"max_chars":255,"max_bytes":null},"text":{"max_chars":null,"max_bytes":null}}}}}"#;
    let (r, _) = connect(
        &format!("read l; echo '{hello}'; sleep 20"),
        Duration::from_secs(20),
    );
    assert!(
        matches!(r, Err(BridgeError::Version { theirs: 2, ours: 1 })),
        "{r:?}"
    );
}

#[test]
fn an_empty_or_missing_command_is_a_typed_error() {
    assert!(matches!(
        BridgeFactory::new(Vec::new(), Vec::new()),
        Err(BridgeError::EmptyCommand)
    ));
    let r = BridgeFactory::new(vec!["/nonexistent/adapter-server".to_owned()], Vec::new());
    assert!(matches!(r, Err(BridgeError::Spawn { .. })), "{r:?}");
}
