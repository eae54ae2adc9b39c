//! The scenarios, each run in both directions: one adapter writes, the other reads what it
//! wrote, and both read the row back so that their views can be compared.

use crate::compare::{Comparison, Explained};
use crate::report::{Check, Direction, Outcome};
use chrono::Duration;
use nextauth_adapter::{
    Adapter, AdapterConfig, Clock, EmailProvider, ManualClock, NewAccount, NewUser, User, formulas,
};
use std::sync::atomic::{AtomicU32, Ordering};

/// One adapter of the pair.
pub(crate) struct Side<'a> {
    /// `next-auth` or `ours`, for messages.
    pub label: &'static str,
    /// The adapter.
    pub adapter: &'a dyn Adapter,
    /// Whether it leaves `created_at`/`updated_at` to the database's clock.
    pub database_clock: bool,
}

/// What every scenario shares: the clock both adapters read, their configuration, the
/// e-mail provider and the secret core would pass.
pub(crate) struct Shared<'a> {
    pub clock: &'a ManualClock,
    pub config: &'a AdapterConfig,
    pub provider: &'a EmailProvider,
    pub secret: &'a str,
    pub next: AtomicU32,
}

impl Shared<'_> {
    fn n(&self) -> u32 {
        self.next.fetch_add(1, Ordering::Relaxed) + 1
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

/// A step's result: explained differences and a note, or what went wrong.
type Step = Result<(Vec<Explained>, Option<String>), String>;

/// Collects the steps of one scenario in one direction.
struct Steps {
    direction: Direction,
    scenario: &'static str,
    names: Vec<String>,
    checks: Vec<Check>,
}

impl Steps {
    fn new(direction: Direction, scenario: &'static str, names: Vec<String>) -> Self {
        Steps {
            direction,
            scenario,
            names,
            checks: Vec::new(),
        }
    }

    fn check(
        &self,
        name: String,
        outcome: Outcome,
        step: Option<(Vec<Explained>, Option<String>)>,
    ) -> Check {
        let (explained, note) = step.unwrap_or_default();
        Check {
            direction: self.direction,
            scenario: self.scenario,
            name,
            outcome,
            note,
            explained,
        }
    }

    /// Records the next step; `false` when it failed (the caller stops).
    fn record(&mut self, step: Step) -> bool {
        let name = self.names[self.checks.len()].clone();
        match step {
            Ok(ok) => {
                let c = self.check(name, Outcome::Agree, Some(ok));
                self.checks.push(c);
                true
            }
            Err(message) => {
                let c = self.check(name, Outcome::Differ { message }, None);
                self.checks.push(c);
                false
            }
        }
    }

    /// The checks, the steps not reached included.
    fn finish(mut self) -> Vec<Check> {
        if let Some(last) = self.checks.last()
            && last.outcome != Outcome::Agree
        {
            let because = last.name.clone();
            let rest = self.names.split_off(self.checks.len());
            for name in rest {
                let c = self.check(
                    name,
                    Outcome::NotReached {
                        because: because.clone(),
                    },
                    None,
                );
                self.checks.push(c);
            }
        }
        self.checks
    }
}

/// Runs every scenario with `w` writing and `r` reading.
pub(crate) async fn both_ways_of(
    shared: &Shared<'_>,
    direction: Direction,
    w: &Side<'_>,
    r: &Side<'_>,
) -> Vec<Check> {
    let mut checks = users(shared, direction, w, r).await;
    checks.extend(accounts(shared, direction, w, r).await);
    checks.extend(verification(shared, direction, w, r).await);
    // Last: it moves the shared clock past the session's update age.
    checks.extend(sessions(shared, direction, w, r).await);
    checks
}

fn err(side: &Side<'_>, what: &str) -> impl Fn(nextauth_adapter::AdapterError) -> String {
    let label = side.label;
    let what = what.to_owned();
    move |e| format!("{label}'s {what} failed: {e}")
}

/// A profile with a name beyond ASCII and an address with capitals, so that both the
/// character set and the e-mail matching are exercised.
fn profile(shared: &Shared<'_>, w: &Side<'_>) -> NewUser {
    let n = shared.n();
    NewUser {
        name: Some(format!("Zoë Ünïcode {n} (by {})", w.label)),
        email: Some(format!("Ada.Interop{n}@Example.org")),
        image: Some(format!("https://example.org/avatar/{n}.png")),
        email_verified: Some(shared.now()),
    }
}

async fn users(shared: &Shared<'_>, d: Direction, w: &Side<'_>, r: &Side<'_>) -> Vec<Check> {
    let mut steps = Steps::new(
        d,
        "users",
        vec![
            format!("a user {} created is read by {} by id", w.label, r.label),
            format!("{} finds it by its e-mail address", r.label),
            "both look the address up alike in another case".to_owned(),
            format!("an update by {} is read by {}", w.label, r.label),
        ],
    );
    let mut created: Option<User> = None;
    let ok = steps.record(
        async {
            let c = w
                .adapter
                .create_user(profile(shared, w))
                .await
                .map_err(err(w, "create_user"))?;
            let explained = read_user_both(w, r, &c).await?;
            created = Some(c);
            Ok((explained, None))
        }
        .await,
    );
    let Some(user) = created.filter(|_| ok) else {
        return steps.finish();
    };
    let email = user.email.clone().unwrap_or_default();
    if !steps.record(
        async {
            let found = r
                .adapter
                .get_user_by_email(Some(&email))
                .await
                .map_err(err(r, "get_user_by_email"))?;
            match found {
                Some(f) if f.id == user.id => Ok((Vec::new(), None)),
                other => Err(format!("{} found {other:?}", r.label)),
            }
        }
        .await,
    ) {
        return steps.finish();
    }
    if !steps.record(
        async {
            let variant = email.to_lowercase();
            let by_r = r
                .adapter
                .get_user_by_email(Some(&variant))
                .await
                .map_err(err(r, "get_user_by_email"))?
                .map(|u| u.id);
            let by_w = w
                .adapter
                .get_user_by_email(Some(&variant))
                .await
                .map_err(err(w, "get_user_by_email"))?
                .map(|u| u.id);
            if by_r != by_w {
                return Err(format!(
                    "{variant:?}: {} found {by_r:?}, {} found {by_w:?}",
                    r.label, w.label
                ));
            }
            let note = if by_r.is_some() {
                "both find it: the tables compare case-insensitively"
            } else {
                "neither finds it: the tables compare exactly"
            };
            Ok((Vec::new(), Some(note.to_owned())))
        }
        .await,
    ) {
        return steps.finish();
    }
    steps.record(
        async {
            // An instant with microseconds, which a JavaScript Date cannot hold.
            let verified = shared.now() - Duration::days(3) + Duration::microseconds(123_456);
            let updated = w
                .adapter
                .update_user(&User {
                    name: Some(format!("Renamed by {}", w.label)),
                    email_verified: Some(verified),
                    ..user.clone()
                })
                .await
                .map_err(err(w, "update_user"))?;
            let explained = read_user_both(w, r, &updated).await?;
            Ok((explained, None))
        }
        .await,
    );
    steps.finish()
}

/// `r` and `w` read the user `w` returned as `written`: both views agree with each other
/// and with it.
async fn read_user_both(
    w: &Side<'_>,
    r: &Side<'_>,
    written: &User,
) -> Result<Vec<Explained>, String> {
    let by_r = r
        .adapter
        .get_user(&written.id)
        .await
        .map_err(err(r, "get_user"))?
        .ok_or_else(|| format!("{} does not find user {:?}", r.label, written.id))?;
    let by_w = w
        .adapter
        .get_user(&written.id)
        .await
        .map_err(err(w, "get_user"))?
        .ok_or_else(|| format!("{} does not find its own user {:?}", w.label, written.id))?;
    let mut c = Comparison::default();
    c.users(&by_r, &by_w, false);
    c.users(&by_r, written, w.database_clock);
    c.verdict()
}

async fn accounts(shared: &Shared<'_>, d: Direction, w: &Side<'_>, r: &Side<'_>) -> Vec<Check> {
    let mut steps = Steps::new(
        d,
        "accounts",
        vec![
            format!(
                "an account {} linked finds its user through {}",
                w.label, r.label
            ),
            "another provider's account with the same id finds nobody on either side".to_owned(),
        ],
    );
    let provider_account_id = format!("{}", 9_000_000 + shared.n());
    if !steps.record(
        async {
            let user = w
                .adapter
                .create_user(profile(shared, w))
                .await
                .map_err(err(w, "create_user"))?;
            w.adapter
                .link_account(NewAccount {
                    user_id: user.id.clone(),
                    provider_id: "github".to_owned(),
                    provider_type: "oauth".to_owned(),
                    provider_account_id: provider_account_id.clone(),
                    refresh_token: Some(formulas::random_token()),
                    access_token: Some(format!("gho_{}", formulas::random_token())),
                    access_token_expires: Some(shared.now() + Duration::hours(8)),
                })
                .await
                .map_err(err(w, "link_account"))?;
            let found = r
                .adapter
                .get_user_by_provider_account_id("github", &provider_account_id)
                .await
                .map_err(err(r, "get_user_by_provider_account_id"))?
                .ok_or_else(|| format!("{} finds no user for the account", r.label))?;
            let mut c = Comparison::default();
            c.users(&found, &user, w.database_clock);
            Ok((c.verdict()?, None))
        }
        .await,
    ) {
        return steps.finish();
    }
    steps.record(
        async {
            for side in [r, w] {
                if let Some(u) = side
                    .adapter
                    .get_user_by_provider_account_id("gitlab", &provider_account_id)
                    .await
                    .map_err(err(side, "get_user_by_provider_account_id"))?
                {
                    return Err(format!("{} found user {:?} for gitlab", side.label, u.id));
                }
            }
            Ok((Vec::new(), None))
        }
        .await,
    );
    steps.finish()
}

async fn verification(shared: &Shared<'_>, d: Direction, w: &Side<'_>, r: &Side<'_>) -> Vec<Check> {
    let mut steps = Steps::new(
        d,
        "verification",
        vec![
            format!(
                "a sign-in link {} stored is redeemed through {}",
                w.label, r.label
            ),
            format!(
                "once {} deleted it, {} no longer finds it",
                r.label, w.label
            ),
        ],
    );
    let identifier = format!("Link.Interop{}@Example.org", shared.n());
    let token = formulas::random_token();
    let url = formulas::verification_url(
        &shared.config.base_url,
        "/api/auth",
        &shared.provider.id,
        &identifier,
        &token,
    );
    if !steps.record(
        async {
            let created = w
                .adapter
                .create_verification_request(
                    &identifier,
                    &url,
                    &token,
                    shared.secret,
                    shared.provider,
                )
                .await
                .map_err(err(w, "create_verification_request"))?;
            let hash = formulas::hash_token(&token, shared.secret);
            if created.token != hash {
                return Err(format!(
                    "{} stored the token as {:?}, not as sha256(token + secret)",
                    w.label, created.token
                ));
            }
            let got = r
                .adapter
                .get_verification_request(&identifier, &token, shared.secret, shared.provider)
                .await
                .map_err(err(r, "get_verification_request"))?
                .ok_or_else(|| format!("{} does not find the request", r.label))?;
            let mut c = Comparison::default();
            c.requests(&got, &created, w.database_clock);
            Ok((c.verdict()?, None))
        }
        .await,
    ) {
        return steps.finish();
    }
    steps.record(
        async {
            r.adapter
                .delete_verification_request(&identifier, &token, shared.secret, shared.provider)
                .await
                .map_err(err(r, "delete_verification_request"))?;
            match w
                .adapter
                .get_verification_request(&identifier, &token, shared.secret, shared.provider)
                .await
                .map_err(err(w, "get_verification_request"))?
            {
                None => Ok((Vec::new(), None)),
                Some(v) => Err(format!("{} still finds request {:?}", w.label, v.id)),
            }
        }
        .await,
    );
    steps.finish()
}

async fn sessions(shared: &Shared<'_>, d: Direction, w: &Side<'_>, r: &Side<'_>) -> Vec<Check> {
    let mut steps = Steps::new(
        d,
        "sessions",
        vec![
            format!("a session {} created is read by {}", w.label, r.label),
            format!(
                "{} rolls its expiry once the update is due, and {} reads the new expiry",
                r.label, w.label
            ),
            format!(
                "once {} deleted it, {} no longer finds it",
                r.label, w.label
            ),
        ],
    );
    let mut held = None;
    let ok = steps.record(
        async {
            let user = w
                .adapter
                .create_user(profile(shared, w))
                .await
                .map_err(err(w, "create_user"))?;
            let created = w
                .adapter
                .create_session(&user)
                .await
                .map_err(err(w, "create_session"))?;
            let token = Some(created.session_token.as_str());
            let by_r = r
                .adapter
                .get_session(token)
                .await
                .map_err(err(r, "get_session"))?
                .ok_or_else(|| format!("{} does not find the session", r.label))?;
            let by_w = w
                .adapter
                .get_session(token)
                .await
                .map_err(err(w, "get_session"))?
                .ok_or_else(|| format!("{} does not find its own session", w.label))?;
            let mut c = Comparison::default();
            c.sessions(&by_r, &by_w, false);
            c.sessions(&by_r, &created, w.database_clock);
            held = Some(by_r);
            Ok((c.verdict()?, None))
        }
        .await,
    );
    let Some(mut session) = held.filter(|_| ok) else {
        return steps.finish();
    };
    let token = session.session_token.clone();
    if !steps.record(
        async {
            let before = session.expires;
            shared
                .clock
                .advance(shared.config.session.update_age() + Duration::minutes(1));
            let rolled = r
                .adapter
                .update_session(&mut session, false)
                .await
                .map_err(err(r, "update_session"))?
                .ok_or_else(|| format!("{} did not roll a session that is due", r.label))?;
            if rolled.expires <= before {
                return Err(format!(
                    "{} rolled the expiry from {before} to {}",
                    r.label, rolled.expires
                ));
            }
            let by_w = w
                .adapter
                .get_session(Some(&token))
                .await
                .map_err(err(w, "get_session"))?
                .ok_or_else(|| format!("{} no longer finds the rolled session", w.label))?;
            let mut c = Comparison::default();
            c.instant("session.expires", by_w.expires, rolled.expires);
            Ok((c.verdict()?, None))
        }
        .await,
    ) {
        return steps.finish();
    }
    steps.record(
        async {
            r.adapter
                .delete_session(Some(&token))
                .await
                .map_err(err(r, "delete_session"))?;
            match w
                .adapter
                .get_session(Some(&token))
                .await
                .map_err(err(w, "get_session"))?
            {
                None => Ok((Vec::new(), None)),
                Some(s) => Err(format!("{} still finds session {:?}", w.label, s.id)),
            }
        }
        .await,
    );
    steps.finish()
}
