//! next-auth@3 measured natively: `bridge/node/bench.js` runs each flow itself against
//! next-auth@3's default adapter in one Node process (the same flows, concurrency, warm-up
//! and seeded namespace as every other column), with no process boundary per call.
//!
//! The protocol (stdin/stdout, one JSON object a line): the child opens the adapter over the
//! namespace and says `{"ready": true, …versions}`; each `{"flow", "concurrency", "warmup",
//! "duration", "seed"}` is answered by `{"flows", "seconds", "flows_per_sec", "p50_us",
//! "p99_us"}` or `{"error"}`; closing stdin ends it.

use crate::data::Dataset;
use crate::error::BenchError;
use crate::measure::{Latency, Measured};
use crate::subjects::{Flow, SECRET};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

const TOOL: &str = "next-auth native (bridge/node/bench.js)";

/// The running Node child.
pub struct NativePeer {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    /// Node's, next-auth's and TypeORM's versions, as the child reported them.
    pub versions: String,
}

impl NativePeer {
    /// Starts the child on `server_url` in `namespace` with the seeded users of `data`.
    pub fn start(server_url: &str, namespace: &str, data: &Dataset) -> Result<Self, BenchError> {
        let dir = nextauth_adapter_bridge::node_server_dir();
        let users: Vec<Value> = data
            .users
            .iter()
            .map(|u| {
                json!({
                    "id": u.id,
                    "email": u.email,
                    "provider_account_id": u.provider_account_id,
                    "session_token": u.session_token,
                })
            })
            .collect();
        let file =
            std::env::temp_dir().join(format!("nextauth-bench-{}-users.json", std::process::id()));
        std::fs::write(&file, Value::Array(users).to_string())?;
        let mut child = Command::new("node")
            .arg(dir.join("bench.js"))
            .args([
                "--url",
                server_url,
                "--namespace",
                namespace,
                "--secret",
                SECRET,
            ])
            .arg("--users")
            .arg(&file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| tool(format!("cannot start node: {e}")))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            return Err(tool("no pipes to the child".to_owned()));
        };
        let mut peer = NativePeer {
            child,
            stdin: Some(stdin),
            stdout: BufReader::new(stdout),
            versions: String::new(),
        };
        let ready = peer.read()?;
        if ready["ready"] != json!(true) {
            return Err(tool(format!("it did not start: {ready}")));
        }
        peer.versions = format!(
            "Node {}, next-auth {}, typeorm {}",
            ready["node"].as_str().unwrap_or("?"),
            ready["next_auth"].as_str().unwrap_or("?"),
            ready["typeorm"].as_str().unwrap_or("?"),
        );
        Ok(peer)
    }

    /// Runs one cell in the child: `warmup` unmeasured, then `duration` measured.
    pub fn cell(
        &mut self,
        flow: Flow,
        concurrency: usize,
        warmup: Duration,
        duration: Duration,
        seed: u64,
    ) -> Result<Measured, BenchError> {
        let command = json!({
            "flow": flow.id(),
            "concurrency": concurrency,
            "warmup": warmup.as_secs_f64(),
            "duration": duration.as_secs_f64(),
            "seed": seed,
        });
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| tool("the child's input is closed".to_owned()))?;
        writeln!(stdin, "{command}").and_then(|()| stdin.flush())?;
        let reply = self.read()?;
        if let Some(e) = reply["error"].as_str() {
            return Err(tool(e.to_owned()));
        }
        let number = |k: &str| {
            reply[k]
                .as_f64()
                .ok_or_else(|| tool(format!("no {k} in {reply}")))
        };
        Ok(Measured {
            flows_per_sec: number("flows_per_sec")?,
            latency: Some(Latency {
                p50_us: number("p50_us")? as u64,
                p99_us: number("p99_us")? as u64,
            }),
        })
    }

    /// The next JSON line from the child.
    fn read(&mut self) -> Result<Value, BenchError> {
        let mut line = String::new();
        if self.stdout.read_line(&mut line)? == 0 {
            return Err(tool("the child exited".to_owned()));
        }
        serde_json::from_str(&line).map_err(|e| tool(format!("{e}: {line:?}")))
    }

    /// Closes the child's input and waits for it to close its connections and exit.
    pub fn finish(mut self) -> Result<(), BenchError> {
        drop(self.stdin.take());
        let status = self.child.wait()?;
        if status.success() {
            Ok(())
        } else {
            Err(tool(format!("exited with {status}")))
        }
    }
}

impl Drop for NativePeer {
    fn drop(&mut self) {
        if self.stdin.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn tool(detail: String) -> BenchError {
    BenchError::Tool { tool: TOOL, detail }
}
