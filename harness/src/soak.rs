//! Soak: v3 core's flows, mixed, from many tasks at once, for a bounded time, with the
//! contract's invariants checked while it runs.
//!
//! Each of [`SoakOptions::concurrency`] workers repeats flows drawn from its own seeded
//! sequence ([`Flow`]): OAuth sign-ups and repeat sign-ins, session reads (which roll the
//! expiry), sign-outs, e-mail links clicked twice at once, and two browsers signing up with one
//! profile at once. A ticker moves the adapter's clock 20 seconds every 50 ms, so a minute of
//! soak covers almost seven hours of hour-long sessions expiring and rolling. What is checked:
//!
//! - every flow that must succeed succeeds (a sign-in, a read of a live session, a sign-out);
//! - a session resolves until it expires or is deleted, and not after a sign-out;
//! - of two concurrent clicks on one link exactly one signs in (`OnGet`; at least one under
//!   `OnDelete`), and a later click never does;
//! - no two users share an e-mail and no provider account is stored twice (read through the
//!   inspector at the end: reading every row while the soak runs would put the inspector's
//!   memory into the client's figure);
//! - the server-side connections of the namespace stay at or below the concurrency (where the
//!   backend can list them), and this process's resident memory stays flat (there too: an
//!   in-memory adapter's memory grows with its rows).

use crate::backend::BackendFactory;
use crate::context::{SECRET, start_instant};
use crate::inspector::Inspector;
use crate::v3core::{Core, OAuthProfile, SessionMode, SessionRead, SignInError};
use async_trait::async_trait;
use nextauth_adapter::{
    AdapterConfig, Clock, EmailProvider, ManualClock, SendError, Session, SessionPolicy,
    SharedAdapter, VerificationConsumption, VerificationMessage, VerificationSender,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How a soak runs.
#[derive(Debug, Clone)]
pub struct SoakOptions {
    /// How long the workers run.
    pub duration: Duration,
    /// How many workers run flows at once.
    pub concurrency: usize,
    /// The seed of the workers' flow sequences (worker `i` uses `seed + i`).
    pub seed: u64,
    /// How far the ticker moves the adapter's clock every 50 ms.
    pub clock_step: chrono::Duration,
}

impl Default for SoakOptions {
    fn default() -> Self {
        SoakOptions {
            duration: Duration::from_secs(60),
            concurrency: 32,
            seed: 0x5EED,
            clock_step: chrono::Duration::seconds(20),
        }
    }
}

/// How often the ticker moves the adapter's clock.
const TICK: Duration = Duration::from_millis(50);

/// The session policy of the soak's adapter: sessions last an hour and roll after ten
/// minutes, so that they expire and roll many times in a minute of soak.
const MAX_AGE_S: u32 = 3600;
const UPDATE_AGE_S: u32 = 600;

/// How often connections and memory are checked.
const CHECK_EVERY: Duration = Duration::from_secs(5);

/// How many violations are kept word for word (all are counted).
const KEPT_VIOLATIONS: usize = 20;

/// The flows a worker draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flow {
    /// A new OAuth user signs up (user, account and session created).
    OAuthSignUp,
    /// A user signs in again with the same provider account.
    OAuthSignInAgain,
    /// A session is read, as every page load does, rolling its expiry when due.
    SessionRead,
    /// A user signs out; the cookie no longer reads as a session.
    SignOut,
    /// An e-mail link is requested, then clicked twice at once, then once more.
    EmailDoubleClick,
    /// Two browsers sign up with one new OAuth profile at once.
    ConcurrentSignUp,
}

impl Flow {
    const ALL: [Flow; 6] = [
        Flow::OAuthSignUp,
        Flow::OAuthSignInAgain,
        Flow::SessionRead,
        Flow::SignOut,
        Flow::EmailDoubleClick,
        Flow::ConcurrentSignUp,
    ];

    /// The flow's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Flow::OAuthSignUp => "oauth-sign-up",
            Flow::OAuthSignInAgain => "oauth-sign-in-again",
            Flow::SessionRead => "session-read",
            Flow::SignOut => "sign-out",
            Flow::EmailDoubleClick => "email-double-click",
            Flow::ConcurrentSignUp => "concurrent-sign-up",
        }
    }

    /// How often the flow is drawn, out of 20: reads dominate, as on a real site.
    fn weight(self) -> u64 {
        match self {
            Flow::SessionRead => 8,
            Flow::OAuthSignUp => 3,
            Flow::OAuthSignInAgain | Flow::SignOut | Flow::EmailDoubleClick => 2,
            Flow::ConcurrentSignUp => 3,
        }
    }
}

/// A snapshot while the soak runs, for progress lines.
#[derive(Debug, Clone, Serialize)]
pub struct SoakProgress {
    /// Seconds since the workers started.
    pub elapsed_s: f64,
    /// Flows completed so far.
    pub flows: u64,
    /// Violations so far.
    pub violations: u64,
    /// The namespace's server-side connections at the last check, if the backend lists them.
    pub connections: Option<usize>,
    /// This process's resident memory at the last check, in KiB (Linux).
    pub rss_kib: Option<u64>,
}

/// What a soak did and found.
#[derive(Debug, Clone, Serialize)]
pub struct SoakFigures {
    /// The backend, as it describes itself (no credentials).
    pub backend: String,
    /// How long the workers ran, in seconds.
    pub duration_s: f64,
    /// The workers.
    pub concurrency: usize,
    /// The seed of the flow sequences.
    pub seed: u64,
    /// Flows completed, by flow.
    pub flows: BTreeMap<&'static str, u64>,
    /// Flows completed in all.
    pub flows_total: u64,
    /// Flows per second.
    pub flows_per_second: f64,
    /// Hours the adapter's clock moved.
    pub simulated_hours: f64,
    /// Rows stored at the end: users, accounts, sessions, verification requests.
    pub rows: [usize; 4],
    /// Invariant violations counted.
    pub violation_count: u64,
    /// The first violations, word for word.
    pub violations: Vec<String>,
    /// The most server-side connections of the namespace seen at a check.
    pub max_connections: Option<usize>,
    /// Resident memory at the first check after the warm-up and at the end, in KiB.
    pub rss_kib: Option<(u64, u64)>,
}

impl SoakFigures {
    /// Whether no invariant was violated.
    pub fn passed(&self) -> bool {
        self.violation_count == 0
    }
}

/// A sender that delivers nothing and keeps nothing (a soak sends thousands of links).
#[derive(Debug, Default)]
struct Discard;

#[async_trait]
impl VerificationSender for Discard {
    async fn send(&self, _message: VerificationMessage) -> Result<(), SendError> {
        Ok(())
    }
}

/// What every worker shares.
struct Shared {
    adapter: SharedAdapter,
    clock: ManualClock,
    provider: EmailProvider,
    consumption: VerificationConsumption,
    clock_step: chrono::Duration,
    flows: Mutex<BTreeMap<&'static str, u64>>,
    total: AtomicU64,
    violations: AtomicU64,
    kept: Mutex<Vec<String>>,
    ids: AtomicUsize,
}

impl Shared {
    fn violation(&self, what: String) {
        self.violations.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(violation = %what, "soak invariant violated");
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() < KEPT_VIOLATIONS {
            kept.push(what);
        }
    }

    fn done(&self, flow: Flow) {
        self.total.fetch_add(1, Ordering::Relaxed);
        *self
            .flows
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(flow.name())
            .or_default() += 1;
    }

    fn core(&self) -> Core<'_> {
        Core {
            adapter: &*self.adapter,
            clock: &self.clock,
            provider: &self.provider,
            secret: SECRET,
            base_url: "http://localhost:3000",
            mode: SessionMode::Database,
        }
    }

    fn next_id(&self) -> usize {
        self.ids.fetch_add(1, Ordering::Relaxed)
    }
}

/// SplitMix64: a few lines for a reproducible sequence per worker, no dependency.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }

    fn flow(&mut self) -> Flow {
        let total: u64 = Flow::ALL.iter().map(|f| f.weight()).sum();
        let mut pick = self.next() % total;
        for flow in Flow::ALL {
            if pick < flow.weight() {
                return flow;
            }
            pick -= flow.weight();
        }
        Flow::SessionRead
    }
}

/// One worker's signed-in browsers and provider accounts, at most [`KEPT_PER_WORKER`] of
/// each. A session stays until it is signed out or expires (then a new one takes its place),
/// so that the sessions read are read again and again, roll many times and outlive their
/// first expiry; a provider account, once the list is full, takes a random place.
#[derive(Default)]
struct Worker {
    sessions: Vec<Session>,
    profiles: Vec<(OAuthProfile, String)>,
}

const KEPT_PER_WORKER: usize = 16;

fn keep<T>(list: &mut Vec<T>, item: T, draw: &mut Draw) {
    if list.len() < KEPT_PER_WORKER {
        list.push(item);
    } else {
        let at = draw.below(list.len());
        list[at] = item;
    }
}

/// Keeps `session` in place of one that expired by `now`, or while there is room.
fn keep_session(list: &mut Vec<Session>, session: Session, now: chrono::DateTime<chrono::Utc>) {
    if list.len() < KEPT_PER_WORKER {
        list.push(session);
    } else if let Some(at) = list.iter().position(|s| s.expires < now) {
        list[at] = session;
    }
}

fn profile(n: usize) -> OAuthProfile {
    OAuthProfile {
        id: format!("soak-{n}"),
        name: Some(format!("Soak {n}")),
        email: Some(format!("soak{n}@example.com")),
        image: None,
    }
}

async fn run_flow(shared: &Shared, me: &mut Worker, draw: &mut Draw, flow: Flow) {
    let core = shared.core();
    match flow {
        Flow::OAuthSignUp => {
            let p = profile(shared.next_id());
            match core
                .oauth_callback("github", &p, Some("r"), Some("a"), None)
                .await
            {
                Ok(signed) if signed.is_new_user => {
                    if let Some(s) = signed.session {
                        keep_session(&mut me.sessions, s, shared.clock.now());
                    }
                    keep(&mut me.profiles, (p, signed.user.id), draw);
                }
                Ok(_) => shared.violation(format!(
                    "a first OAuth sign-in of {} was not a new user",
                    p.id
                )),
                Err(e) => shared.violation(format!("an OAuth sign-up failed: {e}")),
            }
        }
        Flow::OAuthSignInAgain => {
            if me.profiles.is_empty() {
                return Box::pin(run_flow(shared, me, draw, Flow::OAuthSignUp)).await;
            }
            let (p, user_id) = me.profiles[draw.below(me.profiles.len())].clone();
            match core
                .oauth_callback("github", &p, Some("r"), Some("a"), None)
                .await
            {
                Ok(signed) if signed.user.id == user_id && !signed.is_new_user => {
                    if let Some(s) = signed.session {
                        keep_session(&mut me.sessions, s, shared.clock.now());
                    }
                }
                Ok(signed) => shared.violation(format!(
                    "signing in again with {} gave user {} (new: {}), not {user_id}",
                    p.id, signed.user.id, signed.is_new_user
                )),
                Err(e) => shared.violation(format!("signing in again with {} failed: {e}", p.id)),
            }
        }
        Flow::SessionRead => {
            if me.sessions.is_empty() {
                return Box::pin(run_flow(shared, me, draw, Flow::OAuthSignUp)).await;
            }
            let at = draw.below(me.sessions.len());
            let known = me.sessions[at].clone();
            let before = shared.clock.now();
            match core.read_session(Some(&known.session_token)).await {
                SessionRead::Active { expires, .. } => me.sessions[at].expires = expires,
                SessionRead::Cleared => {
                    // The clock may pass the expiry during the call: a read is only wrong when
                    // the session had two clock steps left when it began.
                    if known.expires - before > shared.clock_step * 2 {
                        shared.violation(format!(
                            "a session expiring at {} did not resolve at {before}",
                            known.expires
                        ));
                    }
                    me.sessions.remove(at);
                }
                SessionRead::NoCookie => {}
                SessionRead::Error(e) => shared.violation(format!("a session read failed: {e}")),
            }
        }
        Flow::SignOut => {
            if me.sessions.is_empty() {
                return Box::pin(run_flow(shared, me, draw, Flow::OAuthSignUp)).await;
            }
            // The newest browser signs out: the older sessions stay, roll and grow old.
            let Some(s) = me.sessions.pop() else {
                return;
            };
            let errors = core.sign_out(Some(&s.session_token)).await;
            if let Some(e) = errors.first() {
                shared.violation(format!("a sign-out failed: {e}"));
            }
            match shared.adapter.get_session(Some(&s.session_token)).await {
                Ok(None) => {}
                Ok(Some(_)) => {
                    shared.violation("a session still resolves after its sign-out".to_owned())
                }
                Err(e) => shared.violation(format!("reading a signed-out session failed: {e}")),
            }
        }
        Flow::EmailDoubleClick => {
            let email = format!("link{}@example.com", shared.next_id());
            let token = match core.email_sign_in(&email).await {
                Ok(token) => token,
                Err(e) => return shared.violation(format!("an e-mail sign-in failed: {e}")),
            };
            let (first, second) = tokio::join!(
                core.email_callback(&email, &token, None),
                core.email_callback(&email, &token, None)
            );
            let signed: Vec<_> = [first, second]
                .into_iter()
                .filter_map(|r| match r {
                    Ok(signed) => Some(signed),
                    Err(SignInError::Verification) => None,
                    // Under OnDelete both clicks may pass, and the slower one loses the
                    // race to create the user.
                    Err(SignInError::EmailCreateAccount(_))
                        if shared.consumption == VerificationConsumption::OnDelete =>
                    {
                        None
                    }
                    Err(e) => {
                        shared.violation(format!("a click on an e-mail link failed: {e}"));
                        None
                    }
                })
                .collect();
            let ok = match shared.consumption {
                VerificationConsumption::OnGet => signed.len() == 1,
                VerificationConsumption::OnDelete => !signed.is_empty(),
            };
            if !ok {
                shared.violation(format!(
                    "two concurrent clicks on one link signed in {} times (consumption {:?})",
                    signed.len(),
                    shared.consumption
                ));
            }
            if core.email_callback(&email, &token, None).await.is_ok() {
                shared.violation("a link signed in again after it was used".to_owned());
            }
            if let Some(s) = signed.into_iter().find_map(|s| s.session) {
                keep_session(&mut me.sessions, s, shared.clock.now());
            }
        }
        Flow::ConcurrentSignUp => {
            let p = profile(shared.next_id());
            let (a, b) = tokio::join!(
                core.oauth_callback("github", &p, Some("r"), Some("a"), None),
                core.oauth_callback("github", &p, Some("r"), Some("a"), None)
            );
            // One browser creates the user; the other finds it, or fails the way core fails
            // a lost race (OAuthCreateAccount, or the link's Conflict as a Callback error).
            let users: HashSet<String> = [&a, &b]
                .into_iter()
                .filter_map(|r| r.as_ref().ok().map(|s| s.user.id.clone()))
                .collect();
            if users.is_empty() {
                shared.violation(format!(
                    "neither of two concurrent sign-ups of {} succeeded: {a:?} / {b:?}",
                    p.id
                ));
            } else if users.len() > 1 {
                shared.violation(format!(
                    "two concurrent sign-ups of {} created two users",
                    p.id
                ));
            }
            if let Some(s) = [a, b]
                .into_iter()
                .find_map(|r| r.ok().and_then(|s| s.session))
            {
                keep_session(&mut me.sessions, s, shared.clock.now());
            }
        }
    }
    shared.done(flow);
}

/// Resident memory of this process in KiB (Linux `/proc/self/statm`), `None` elsewhere.
pub fn rss_kib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4)
}

/// Duplicate e-mails and provider accounts among the stored rows.
async fn check_rows(shared: &Shared, inspector: &dyn Inspector) -> Option<[usize; 4]> {
    let stored = match inspector.stored().await {
        Ok(stored) => stored,
        Err(e) => {
            shared.violation(format!("the inspector could not read the rows: {e}"));
            return None;
        }
    };
    let mut emails = HashSet::new();
    for email in stored.users.iter().filter_map(|u| u.email.as_deref()) {
        if !emails.insert(email) {
            shared.violation(format!("two users have the e-mail {email}"));
        }
    }
    let mut accounts = HashSet::new();
    for a in &stored.accounts {
        if !accounts.insert(&a.compound_id) {
            shared.violation(format!(
                "the provider account {} is stored twice",
                a.provider_account_id
            ));
        }
    }
    Some([
        stored.users.len(),
        stored.accounts.len(),
        stored.sessions.len(),
        stored.verification_requests.len(),
    ])
}

/// Runs a soak against a fresh fixture of `factory`, calling `progress` at every check.
pub async fn soak(
    factory: Arc<dyn BackendFactory>,
    options: &SoakOptions,
    progress: &(dyn Fn(&SoakProgress) + Sync),
) -> Result<SoakFigures, crate::backend::BackendError> {
    let clock = ManualClock::new(start_instant());
    let config = AdapterConfig {
        clock: clock.shared(),
        session: SessionPolicy::from_v3_seconds(MAX_AGE_S, UPDATE_AGE_S),
        base_url: "http://localhost:3000".to_owned(),
    };
    let fixture = factory.open(config).await?;
    let caps = factory.capabilities();
    let shared = Arc::new(Shared {
        adapter: fixture.adapter,
        clock: clock.clone(),
        provider: EmailProvider::new(Arc::new(Discard)),
        consumption: caps.verification_consumption,
        clock_step: options.clock_step,
        flows: Mutex::default(),
        total: AtomicU64::new(0),
        violations: AtomicU64::new(0),
        kept: Mutex::default(),
        ids: AtomicUsize::new(0),
    });
    let inspector = fixture.inspector;
    let started = Instant::now();
    let deadline = started + options.duration;
    let ticker = {
        let clock = clock.clone();
        let step = options.clock_step;
        tokio::spawn(async move {
            let mut every = tokio::time::interval(TICK);
            loop {
                every.tick().await;
                clock.advance(step);
            }
        })
    };
    let workers: Vec<_> = (0..options.concurrency)
        .map(|i| {
            let shared = Arc::clone(&shared);
            let mut draw = Draw(options.seed.wrapping_add(i as u64));
            tokio::spawn(async move {
                let mut me = Worker::default();
                while Instant::now() < deadline {
                    let flow = draw.flow();
                    run_flow(&shared, &mut me, &mut draw, flow).await;
                    // An in-process adapter never waits: without this a worker would keep
                    // its thread to the deadline, and the clock's ticker would starve.
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    let faults = inspector.faults();
    let mut max_connections: Option<usize> = None;
    let mut rss_first = None;
    let mut rss_last;
    loop {
        let now = Instant::now();
        let done = now >= deadline;
        if !done {
            tokio::time::sleep(CHECK_EVERY.min(deadline - now)).await;
        }
        let connections = match &faults {
            Some(f) => f.connections().await.ok().map(|c| c.len()),
            None => None,
        };
        if let Some(n) = connections {
            max_connections = Some(max_connections.map_or(n, |m| m.max(n)));
        }
        let rss = rss_kib();
        // The first check is the warm-up: pools and caches filled.
        if rss_first.is_none() && started.elapsed() >= CHECK_EVERY {
            rss_first = rss;
        }
        rss_last = rss;
        progress(&SoakProgress {
            elapsed_s: started.elapsed().as_secs_f64(),
            flows: shared.total.load(Ordering::Relaxed),
            violations: shared.violations.load(Ordering::Relaxed),
            connections,
            rss_kib: rss,
        });
        if done {
            break;
        }
    }
    let mut panicked = 0;
    for w in workers {
        // A worker finishes its flow in progress after the deadline.
        if w.await.is_err() {
            panicked += 1;
        }
    }
    ticker.abort();
    let elapsed = started.elapsed();
    if panicked > 0 {
        shared.violation(format!("{panicked} workers panicked"));
    }
    let rows = check_rows(&shared, &*inspector).await.unwrap_or_default();
    if let Some(max) = max_connections
        && max > options.concurrency
    {
        shared.violation(format!(
            "the adapter held {max} server connections at once with {} concurrent callers",
            options.concurrency
        ));
    }
    let rss = rss_first.zip(rss_last);
    // Only where the rows live outside this process (a server that lists its connections):
    // an in-memory adapter's memory grows with its rows, as it should.
    if let Some((first, last)) = rss.filter(|_| max_connections.is_some())
        && last > first + first / 2
        && last - first > 64 * 1024
    {
        shared.violation(format!(
            "resident memory grew from {} MiB to {} MiB during the soak",
            first / 1024,
            last / 1024
        ));
    }
    drop(inspector);
    let Ok(shared) = Arc::try_unwrap(shared) else {
        return Err("a soak worker still holds the adapter".into());
    };
    drop(shared.adapter);
    if let Some(teardown) = fixture.teardown {
        teardown().await?;
    }
    let flows = shared.flows.into_inner().unwrap_or_else(|p| p.into_inner());
    let total = shared.total.into_inner();
    Ok(SoakFigures {
        backend: factory.describe(),
        duration_s: elapsed.as_secs_f64(),
        concurrency: options.concurrency,
        seed: options.seed,
        flows,
        flows_total: total,
        flows_per_second: total as f64 / elapsed.as_secs_f64().max(0.001),
        simulated_hours: (clock.now() - start_instant()).num_minutes() as f64 / 60.0,
        rows,
        violation_count: shared.violations.into_inner(),
        violations: shared.kept.into_inner().unwrap_or_else(|p| p.into_inner()),
        max_connections,
        rss_kib: rss,
    })
}
