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

/// A child without a database that serves `hello` (announcing `session_time_zone` when
/// `announces`), and answers `open` with `reported` as its adapter session's zone when the
/// parent asked for one.
fn zone_child(announces: bool, reported: &str) -> Vec<String> {
    let hello = format!(
        r#"{{"protocol":1,"name":"zones","capabilities":{{"expired_session":"delete_on_read","delete_user":"cascade","unlink_account":"supported","email_matching":"exact","timestamp_precision":"microsecond","verification_consumption":"on_get","limits":{{"varchar":{{"max_chars":255,"max_bytes":null}},"image":{{"max_chars":255,"max_bytes":null}},"text":{{"max_chars":null,"max_bytes":null}}}}}},"session_time_zone":{announces}}}"#
    );
    sh(&format!(
        r#"while read -r l; do
  id=$(printf '%s' "$l" | sed -n 's/^{{"id":\([0-9]*\).*/\1/p')
  case "$l" in
    *'"method":"hello"'*) printf '{{"id":%s,"ok":%s}}\n' "$id" '{hello}' ;;
    *'"timeZone"'*) printf '{{"id":%s,"ok":{{"sessionTimeZone":"%s"}}}}\n' "$id" '{reported}' ;;
    *) printf '{{"id":%s,"ok":null}}\n' "$id" ;;
  esac
done"#
    ))
}

#[test]
fn a_time_zone_rerun_needs_a_child_that_announces_and_confirms_the_zone() {
    use nextauth_adapter::AdapterConfig;
    use nextauth_adapter_harness::BackendFactory;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let zone = "Pacific/Chatham";

    // A child that does not announce session time zones gets no reruns.
    let silent = BridgeFactory::new(zone_child(false, "+12:45"), Vec::new()).expect("hello");
    assert!(silent.in_time_zone(zone).is_none());

    // One that announces and whose adapter session reports the zone (MySQL says the offset).
    let honest = BridgeFactory::new(zone_child(true, "+12:45"), Vec::new()).expect("hello");
    let in_zone = honest.in_time_zone(zone).expect("announced");
    runtime
        .block_on(in_zone.open(AdapterConfig::default()))
        .expect("the session reports +12:45, Pacific/Chatham's offset");

    // One that announces but whose adapter session stays in UTC: every open fails, saying so.
    let liar = BridgeFactory::new(zone_child(true, "UTC"), Vec::new()).expect("hello");
    let in_zone = liar.in_time_zone(zone).expect("announced");
    let e = match runtime.block_on(in_zone.open(AdapterConfig::default())) {
        Ok(_) => panic!("a session left in UTC must not pass for Pacific/Chatham"),
        Err(e) => e.to_string(),
    };
    assert!(
        e.contains("Pacific/Chatham") && e.contains("+12:45") && e.contains("\"UTC\""),
        "{e}"
    );
    // Without a zone, open sends none and asks for no confirmation.
    runtime
        .block_on(liar.open(AdapterConfig::default()))
        .expect("no zone asked, none checked");
}

#[test]
fn a_child_writing_a_huge_line_fails_fast_without_reading_it_into_memory() {
    // 80 MiB without a newline, then a newline: past the bridge's 64 MiB line limit.
    let (r, took) = connect(
        "read l; head -c 83886080 /dev/zero | tr '\\0' x; echo; sleep 20",
        Duration::from_secs(20),
    );
    let e = r.expect_err("a huge line must fail the handshake");
    let text = e.to_string();
    assert!(matches!(e, BridgeError::Dead { .. }), "{text}");
    assert!(text.contains("longer than 64 MiB"), "{text}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
}
