//! Running one cell (a column, a flow, a concurrency) for a fixed time, and what it measured.

use crate::data::{Dataset, hex_token};
use crate::error::BenchError;
use crate::subjects::{Flow, Subject};
use hdrhistogram::Histogram;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one cell measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    /// Completed flows per second of wall time.
    pub flows_per_sec: f64,
    /// The latency of one flow, where the column measures it (the load tools do not).
    pub latency: Option<Latency>,
}

/// The latency of one flow, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    /// The median.
    pub p50_us: u64,
    /// The 99th percentile.
    pub p99_us: u64,
}

/// The latency histogram: 1 µs to 60 s at three significant digits.
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3)
        .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable_histogram()))
}

/// Three significant digits are always valid; this is never reached.
fn unreachable_histogram() -> Histogram<u64> {
    panic!("hdrhistogram refused three significant digits")
}

/// Runs `flow` on `subject` with `concurrency` workers for `warmup` (not recorded), then for
/// `duration`, each worker picking seeded users at random from its own seeded generator.
/// The first failing flow stops the cell with its error.
pub async fn run_cell(
    subject: Arc<dyn Subject>,
    flow: Flow,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
    data: Arc<Dataset>,
    seed: u64,
) -> Result<Measured, BenchError> {
    if !warmup.is_zero() {
        workers(&subject, flow, concurrency, warmup, &data, seed ^ 0xa5a5).await?;
    }
    let started = Instant::now();
    let hist = workers(&subject, flow, concurrency, duration, &data, seed).await?;
    let elapsed = started.elapsed().as_secs_f64();
    Ok(Measured {
        flows_per_sec: hist.len() as f64 / elapsed.max(f64::EPSILON),
        latency: Some(Latency {
            p50_us: hist.value_at_quantile(0.5),
            p99_us: hist.value_at_quantile(0.99),
        }),
    })
}

async fn workers(
    subject: &Arc<dyn Subject>,
    flow: Flow,
    concurrency: usize,
    duration: Duration,
    data: &Arc<Dataset>,
    seed: u64,
) -> Result<Histogram<u64>, BenchError> {
    let deadline = Instant::now() + duration;
    let tasks: Vec<_> = (0..concurrency.max(1))
        .map(|w| {
            let subject = Arc::clone(subject);
            let data = Arc::clone(data);
            tokio::spawn(async move {
                let mut rng = fastrand::Rng::with_seed(seed.wrapping_add(w as u64 * 0x9e37_79b9));
                let mut hist = histogram();
                let n = data.users.len();
                while Instant::now() < deadline {
                    let user = &data.users[rng.usize(..n)];
                    let token = hex_token(&mut rng);
                    let t0 = Instant::now();
                    subject.run(flow, user, &token).await?;
                    let us = u64::try_from(t0.elapsed().as_micros()).unwrap_or(u64::MAX);
                    hist.saturating_record(us.max(1));
                }
                Ok::<_, BenchError>(hist)
            })
        })
        .collect();
    let mut total = histogram();
    for task in futures::future::join_all(tasks).await {
        let hist = task.map_err(|e| BenchError::Flow {
            subject: "worker",
            flow: flow.name(),
            detail: format!("a worker task panicked: {e}"),
        })??;
        total.add(&hist).map_err(|e| BenchError::Flow {
            subject: "worker",
            flow: flow.name(),
            detail: format!("merging histograms: {e}"),
        })?;
    }
    Ok(total)
}

/// The medians of several runs of one cell: throughput, and latency where every run has it.
pub fn median_of(runs: &[Measured]) -> Option<Measured> {
    let flows_per_sec = median(&runs.iter().map(|m| m.flows_per_sec).collect::<Vec<_>>())?;
    let latencies: Option<Vec<Latency>> = runs.iter().map(|m| m.latency).collect();
    let latency = latencies.and_then(|l| {
        Some(Latency {
            p50_us: median(&l.iter().map(|l| l.p50_us).collect::<Vec<_>>())?,
            p99_us: median(&l.iter().map(|l| l.p99_us).collect::<Vec<_>>())?,
        })
    });
    Some(Measured {
        flows_per_sec,
        latency,
    })
}

/// The median of `values` (the lower middle for an even count); `None` when empty.
pub fn median<T: Copy + PartialOrd>(values: &[T]) -> Option<T> {
    let mut v: Vec<T> = values.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v.get(v.len().saturating_sub(1) / 2).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4, 1, 3, 2]), Some(2));
        assert_eq!(median::<u64>(&[]), None);
    }
}
