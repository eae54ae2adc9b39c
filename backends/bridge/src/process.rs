//! The child process: one writer task, one reader task dispatching replies by id, stderr
//! forwarded to tracing, and a shared state that turns every pending and later request into
//! a fast [`BridgeError::Dead`] once the child is gone or has written garbage.

use crate::error::BridgeError;
use crate::protocol::{Call, Control, Hello, OpenArgs, Opened, PROTOCOL_VERSION, Reply, Request};
use serde_json::Value;
use std::collections::HashMap;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot};

/// How long a request may wait for its reply unless configured otherwise.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest part of a bad line quoted in an error.
const QUOTE_MAX: usize = 200;

/// The runtime that owns the children's I/O tasks: independent of whichever runtime the
/// harness runs a rule or a property sequence on, and never dropped.
fn io_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("nextauth-bridge-io")
            .enable_all()
            .build()
            // Without a runtime the bridge cannot work at all; this only fails when the
            // operating system refuses a thread.
            .unwrap_or_else(|e| panic!("cannot start the bridge's I/O runtime: {e}"))
    })
}

type Waiter = oneshot::Sender<Result<Reply, BridgeError>>;

#[derive(Default)]
struct State {
    pending: HashMap<u64, Waiter>,
    dead: Option<String>,
}

struct Shared {
    command: String,
    state: Mutex<State>,
    /// The child, for waiting and killing (an async lock: waiting for the exit holds it).
    child: tokio::sync::Mutex<Option<Child>>,
    /// The exit status once known, as shown in errors.
    status: Mutex<Option<String>>,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn dead_error(&self, reason: &str) -> BridgeError {
        BridgeError::Dead {
            command: self.command.clone(),
            reason: reason.to_owned(),
        }
    }

    /// Marks the process unusable (the first reason wins) and fails every pending request.
    fn kill_with(&self, reason: String) {
        let waiters: Vec<Waiter> = {
            let mut state = self.lock();
            if state.dead.is_none() {
                tracing::error!(command = %self.command, %reason, "adapter process unusable");
                state.dead = Some(reason);
            }
            state.pending.drain().map(|(_, w)| w).collect()
        };
        let reason = self.lock().dead.clone().unwrap_or_default();
        for w in waiters {
            let _ = w.send(Err(self.dead_error(&reason)));
        }
        self.start_kill();
    }

    /// Kills the child unless someone is waiting for its exit (who kills it after a grace).
    fn start_kill(&self) {
        if let Ok(mut child) = self.child.try_lock()
            && let Some(child) = child.as_mut()
        {
            let _ = child.start_kill();
        }
    }
}

fn quote(line: &str) -> String {
    if line.chars().count() > QUOTE_MAX {
        let cut: String = line.chars().take(QUOTE_MAX).collect();
        format!("{cut:?}…")
    } else {
        format!("{line:?}")
    }
}

/// A running adapter process speaking the line protocol.
pub struct BridgeProcess {
    shared: Arc<Shared>,
    writer: mpsc::UnboundedSender<String>,
    next_id: AtomicU64,
    pid: Option<u32>,
    timeout: Duration,
}

impl std::fmt::Debug for BridgeProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BridgeProcess")
            .field("command", &self.shared.command)
            .field("pid", &self.pid)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl BridgeProcess {
    /// Starts `command` (program and arguments) with `env` added to the environment,
    /// its stdin and stdout piped for the protocol and its stderr forwarded to tracing
    /// (target `nextauth_adapter_bridge::child`). Each request waits at most `timeout`.
    pub fn spawn(
        command: &[String],
        env: &[(String, String)],
        timeout: Duration,
    ) -> Result<BridgeProcess, BridgeError> {
        let (program, args) = command.split_first().ok_or(BridgeError::EmptyCommand)?;
        // Shown in errors and reports: URLs among the arguments lose their passwords.
        let display = command
            .iter()
            .map(|a| {
                if a.contains("://") {
                    nextauth_adapter_testkit::urls::redact(a)
                } else {
                    a.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        let _entered = io_runtime().enter();
        let mut cmd = Command::new(program);
        cmd.args(args)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = cmd.spawn().map_err(|e| BridgeError::Spawn {
            command: display.clone(),
            reason: e.to_string(),
        })?;
        let pid = child.id();
        let (Some(mut stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(BridgeError::Spawn {
                command: display,
                reason: "the child's standard streams could not be piped".to_owned(),
            });
        };
        let shared = Arc::new(Shared {
            command: display,
            state: Mutex::new(State::default()),
            child: tokio::sync::Mutex::new(Some(child)),
            status: Mutex::new(None),
        });
        let (writer, mut lines) = mpsc::unbounded_channel::<String>();

        // The writer: one task owns stdin, so lines are never interleaved.
        let s = Arc::clone(&shared);
        io_runtime().spawn(async move {
            while let Some(line) = lines.recv().await {
                let written = async {
                    stdin.write_all(line.as_bytes()).await?;
                    stdin.write_all(b"\n").await?;
                    stdin.flush().await
                }
                .await;
                if let Err(e) = written {
                    let status = exit_status(&s).await;
                    s.kill_with(format!("writing to its stdin failed ({e}); {status}"));
                    break;
                }
            }
        });

        // The reader: dispatches replies by id; garbage, a line past MAX_LINE or end of
        // output kills everything.
        let s = Arc::clone(&shared);
        io_runtime().spawn(async move {
            let mut reader = BufReader::new(stdout);
            loop {
                match read_line(&mut reader).await {
                    Ok(Line::TooLong) => {
                        s.kill_with(format!(
                            "it wrote a line longer than {} MiB",
                            MAX_LINE >> 20
                        ));
                        break;
                    }
                    Ok(Line::Text(line)) => {
                        if line.trim().is_empty() {
                            continue;
                        }
                        match serde_json::from_str::<Reply>(&line) {
                            Ok(reply @ Reply { id: Some(_), .. }) => {
                                let id = reply.id.unwrap_or_default();
                                let waiter = s.lock().pending.remove(&id);
                                match waiter {
                                    Some(w) => {
                                        let _ = w.send(Ok(reply));
                                    }
                                    None => tracing::warn!(
                                        id,
                                        "a reply to a request nobody waits for (timed out?)"
                                    ),
                                }
                            }
                            Ok(Reply {
                                id: None, error, ..
                            }) => {
                                let why = error.map_or_else(String::new, |e| {
                                    format!(" ({}: {})", e.kind, e.message)
                                });
                                s.kill_with(format!(
                                    "it wrote a reply without an id{why}: {}",
                                    quote(&line)
                                ));
                                break;
                            }
                            Err(e) => {
                                s.kill_with(format!(
                                    "it wrote a line that is not a protocol reply ({e}): {}",
                                    quote(&line)
                                ));
                                break;
                            }
                        }
                    }
                    Ok(Line::End) => {
                        let status = exit_status(&s).await;
                        s.kill_with(format!("it closed its output; {status}"));
                        break;
                    }
                    Err(e) => {
                        s.kill_with(format!("reading its stdout failed: {e}"));
                        break;
                    }
                }
            }
        });

        // Stderr: the child's logs, line by line, into tracing.
        let command = shared.command.clone();
        io_runtime().spawn(async move {
            let mut reader = BufReader::new(stderr);
            loop {
                match read_line(&mut reader).await {
                    Ok(Line::Text(line)) => {
                        tracing::warn!(target: "nextauth_adapter_bridge::child", command = %command, "{line}");
                    }
                    Ok(Line::TooLong) => {
                        tracing::warn!(target: "nextauth_adapter_bridge::child", command = %command, "(a log line longer than {} MiB, left out)", MAX_LINE >> 20);
                    }
                    Ok(Line::End) | Err(_) => break,
                }
            }
        });

        Ok(BridgeProcess {
            shared,
            writer,
            next_id: AtomicU64::new(1),
            pid,
            timeout,
        })
    }

    /// The child's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// The command line as shown in errors and reports (passwords in URLs redacted).
    pub fn command_redacted(&self) -> &str {
        &self.shared.command
    }

    /// The command line, as shown in errors (passwords in URLs redacted).
    pub fn command(&self) -> &str {
        &self.shared.command
    }

    /// The reason the process is unusable, if it is.
    pub fn dead_reason(&self) -> Option<String> {
        self.shared.lock().dead.clone()
    }

    /// Sends one request and waits for its reply (at most the request timeout).
    pub async fn request(
        &self,
        method: Call,
        fixture: Option<&str>,
        now: Option<i64>,
        args: Value,
    ) -> Result<Reply, BridgeError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let line = serde_json::to_string(&Request {
            id,
            method,
            fixture,
            now,
            args,
        })
        .map_err(|e| BridgeError::BadReply {
            method: method.to_string(),
            reason: format!("the request cannot be encoded: {e}"),
        })?;
        let (tx, rx) = oneshot::channel();
        {
            let mut state = self.shared.lock();
            if let Some(reason) = &state.dead {
                return Err(self.shared.dead_error(reason));
            }
            state.pending.insert(id, tx);
        }
        if self.writer.send(line).is_err() {
            self.shared
                .kill_with("its writer task has stopped".to_owned());
        }
        match tokio::time::timeout(self.timeout, rx).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(self.shared.dead_error(
                &self
                    .dead_reason()
                    .unwrap_or_else(|| "it went away".to_owned()),
            )),
            Err(_) => {
                self.shared.lock().pending.remove(&id);
                // A child that lets a request go unanswered past the protocol's timeout has
                // lost the conversation: it is killed, so that every later request fails at
                // once (and the harness reports the rules after it as not run) instead of
                // each waiting out the timeout again.
                self.shared.kill_with(format!(
                    "it did not reply to {method} within {:?}",
                    self.timeout
                ));
                Err(BridgeError::Timeout {
                    command: self.shared.command.clone(),
                    method: method.to_string(),
                    timeout: self.timeout,
                })
            }
        }
    }

    /// A control message whose error reply is [`BridgeError::Refused`]: its result.
    pub async fn control(
        &self,
        control: Control,
        fixture: Option<&str>,
        now: Option<i64>,
        args: Value,
    ) -> Result<Value, BridgeError> {
        let call = Call::Control(control);
        let reply = self.request(call, fixture, now, args).await?;
        match reply.error {
            Some(e) => Err(BridgeError::Refused {
                method: call.to_string(),
                kind: e.kind,
                message: e.message,
            }),
            None => Ok(reply.ok.unwrap_or(Value::Null)),
        }
    }

    /// The handshake: the child's [`Hello`], refused when it speaks another protocol
    /// version.
    pub async fn hello(&self) -> Result<Hello, BridgeError> {
        let value = self
            .control(
                Control::Hello,
                None,
                None,
                serde_json::json!({ "protocol": PROTOCOL_VERSION }),
            )
            .await?;
        let hello: Hello =
            serde_json::from_value(value.clone()).map_err(|e| BridgeError::BadReply {
                method: "hello".to_owned(),
                reason: format!("{e} in {value}"),
            })?;
        if hello.protocol != PROTOCOL_VERSION {
            return Err(BridgeError::Version {
                theirs: hello.protocol,
                ours: PROTOCOL_VERSION,
            });
        }
        Ok(hello)
    }

    /// Opens fixture `fixture` at the instant `now` (microseconds since the epoch).
    pub async fn open(
        &self,
        fixture: &str,
        now: i64,
        args: &OpenArgs,
    ) -> Result<Opened, BridgeError> {
        let args = serde_json::to_value(args).map_err(|e| BridgeError::BadReply {
            method: "open".to_owned(),
            reason: format!("the arguments cannot be encoded: {e}"),
        })?;
        let reply = self
            .control(Control::Open, Some(fixture), Some(now), args)
            .await?;
        if reply.is_null() {
            return Ok(Opened::default());
        }
        serde_json::from_value(reply).map_err(|e| BridgeError::BadReply {
            method: "open".to_owned(),
            reason: format!("the reply is not {{displayName?, sessionTimeZone?}}: {e}"),
        })
    }

    /// Closes fixture `fixture`.
    pub async fn close(&self, fixture: &str) -> Result<(), BridgeError> {
        self.control(Control::Close, Some(fixture), None, serde_json::json!({}))
            .await
            .map(drop)
    }

    /// Sets fixture `fixture`'s clock to `now` without calling its adapter.
    pub async fn set_clock(&self, fixture: &str, now: i64) -> Result<(), BridgeError> {
        self.control(
            Control::SetClock,
            Some(fixture),
            None,
            serde_json::json!({ "now": now }),
        )
        .await
        .map(drop)
    }

    /// Asks the child to shut down, then makes sure it is gone.
    pub async fn shutdown(&self) {
        if self.dead_reason().is_none() {
            let _ = tokio::time::timeout(
                Duration::from_secs(5),
                self.request(Call::Control(Control::Shutdown), None, None, Value::Null),
            )
            .await;
        }
        self.shared
            .kill_with("it was shut down by the bridge".to_owned());
    }
}

impl Drop for BridgeProcess {
    fn drop(&mut self) {
        self.shared.start_kill();
    }
}

/// The child's exit status once its output has closed or its input broke (waiting briefly
/// for it to exit, then killing it). Computed once; later callers get the same text.
async fn exit_status(s: &Shared) -> String {
    let mut child = s.child.lock().await;
    if let Some(known) = s.status.lock().unwrap_or_else(|p| p.into_inner()).clone() {
        return known;
    }
    let status = match child.as_mut() {
        None => "its exit status is unknown".to_owned(),
        Some(c) => match tokio::time::timeout(Duration::from_secs(2), c.wait()).await {
            Ok(Ok(status)) => format!("it exited with {status}"),
            Ok(Err(e)) => format!("waiting for it failed: {e}"),
            Err(_) => {
                let _ = c.start_kill();
                "it did not exit within 2 s and was killed".to_owned()
            }
        },
    };
    *s.status.lock().unwrap_or_else(|p| p.into_inner()) = Some(status.clone());
    status
}

/// The longest line the bridge reads from a child (a reply or a log line): a `stored` reply of
/// every row a rule makes is far below it; a child writing more has gone wrong, and reading
/// on would only grow memory.
const MAX_LINE: usize = 64 << 20;

/// One line of a child's output.
enum Line {
    /// A whole line, without its end.
    Text(String),
    /// A line longer than [`MAX_LINE`] (read to its end and dropped).
    TooLong,
    /// The output ended.
    End,
}

/// Reads one line of at most [`MAX_LINE`] bytes; a longer one is consumed and reported as
/// [`Line::TooLong`] without being kept.
async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<Line> {
    let mut buf = Vec::new();
    let read = (&mut *reader)
        .take(MAX_LINE as u64 + 1)
        .read_until(b'\n', &mut buf)
        .await?;
    if read == 0 {
        return Ok(Line::End);
    }
    if buf.last() != Some(&b'\n') && buf.len() > MAX_LINE {
        // Drop the rest of the line, a bounded piece at a time.
        loop {
            buf.clear();
            let n = (&mut *reader)
                .take(MAX_LINE as u64)
                .read_until(b'\n', &mut buf)
                .await?;
            if n == 0 || buf.last() == Some(&b'\n') {
                return Ok(Line::TooLong);
            }
        }
    }
    while matches!(buf.last(), Some(b'\n' | b'\r')) {
        buf.pop();
    }
    Ok(Line::Text(String::from_utf8_lossy(&buf).into_owned()))
}
