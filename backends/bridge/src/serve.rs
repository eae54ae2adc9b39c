//! The child side of the protocol: [`serve`] answers a parent's requests with the adapters of
//! any [`BackendFactory`] — ours, so that a JavaScript parent (next-auth@3's real core, in
//! `bridge/node/core`) drives them. The same messages as the parent side
//! ([`crate::protocol`]), read and written the other way round: one protocol, both
//! directions.
//!
//! Each `open` makes a fixture with the factory (a fresh namespace the factory owns, dropped
//! at `close`), with a [`ManualClock`] that every request's `now` sets before the adapter
//! runs. The hello announces no `namespaces`: the child isolates fixtures itself.

use crate::protocol::{
    Call, Control, Hello, Incoming, OpenArgs, Opened, PROTOCOL_VERSION, Reply, WireError,
    WireErrorKind, WireSent,
};
use nextauth_adapter::{
    AdapterConfig, AdapterError, EmailProvider, ErrorKind, ManualClock, Method, NewAccount,
    NewUser, RecordingSender, Session, SessionPolicy, SharedAdapter, User,
};
use nextauth_adapter_harness::suite::Target;
use nextauth_adapter_harness::{BackendFactory, Inspector, backend::Teardown};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// One open fixture: its adapter with its raw reads (and, in v3, its clock), and its
/// teardown.
struct Served {
    adapter: ServedAdapter,
    teardown: Mutex<Option<Teardown>>,
}

/// A served fixture's adapter, in its profile.
enum ServedAdapter {
    /// A v3 adapter, its raw reads and the clock every request's `now` sets.
    V3 {
        adapter: SharedAdapter,
        inspector: Arc<dyn Inspector>,
        clock: ManualClock,
    },
    /// An Auth.js adapter (no clock: it decides no expiry) and its raw reads.
    Authjs {
        adapter: nextauth_adapter::authjs::SharedAdapter,
        inspector: Arc<dyn nextauth_adapter_harness::authjs::Inspector>,
    },
}

type Fixtures = Arc<Mutex<HashMap<String, Arc<Served>>>>;

/// A failed request: the error object of its reply.
struct Refusal(WireError);

impl Refusal {
    fn protocol(message: impl Into<String>) -> Self {
        Self::of(WireErrorKind::Protocol, message)
    }

    fn backend(message: impl Into<String>) -> Self {
        Self::of(WireErrorKind::Backend, message)
    }

    fn of(kind: WireErrorKind, message: impl Into<String>) -> Self {
        Refusal(WireError {
            kind,
            message: message.into(),
            key: None,
            field: None,
        })
    }
}

impl From<AdapterError> for Refusal {
    fn from(e: AdapterError) -> Self {
        let kind = match e.kind() {
            ErrorKind::Conflict => WireErrorKind::Conflict,
            ErrorKind::InvalidInput => WireErrorKind::InvalidInput,
            ErrorKind::NotFound => WireErrorKind::NotFound,
            ErrorKind::Unsupported => WireErrorKind::Unsupported,
            ErrorKind::Delivery => WireErrorKind::Delivery,
            _ => WireErrorKind::Backend,
        };
        let (key, field) = match &e {
            AdapterError::Conflict { key, .. } => (Some(*key), None),
            AdapterError::InvalidInput { field, .. } => (None, Some(field.clone())),
            _ => (None, None),
        };
        Refusal(WireError {
            kind,
            message: e.to_string(),
            key,
            field,
        })
    }
}

/// What a request gives back: its result and the messages the provider's sender received.
type Answer = Result<(Value, Vec<WireSent>), Refusal>;

/// Serves `factory`'s adapters to the parent on `input` / `output` until the parent sends
/// `shutdown` or closes `input`; then closes every fixture still open (dropping the
/// namespaces they made, and nothing else). Requests are served concurrently; replies are
/// written one line each, in the order they finish.
///
/// # Errors
/// Reading `input` or writing `output` fails.
pub async fn serve<R, W>(
    factory: Arc<dyn BackendFactory>,
    input: R,
    output: W,
) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    serve_target(Target::V3(factory), input, output).await
}

/// [`serve`] for a backend of either profile: an Auth.js target's `hello` says
/// `"profile": "authjs"`, and its adapter methods take and return Auth.js's shapes
/// ([`crate::authjs::wire`]).
///
/// # Errors
/// Reading `input` or writing `output` fails.
pub async fn serve_target<R, W>(target: Target, input: R, output: W) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (replies, mut outbox) = mpsc::unbounded_channel::<String>();
    let writer = tokio::spawn(async move {
        let mut output = output;
        while let Some(line) = outbox.recv().await {
            output.write_all(line.as_bytes()).await?;
            output.write_all(b"\n").await?;
            output.flush().await?;
        }
        Ok::<_, std::io::Error>(())
    });
    let mut writer = writer;
    let fixtures: Fixtures = Arc::default();
    let mut lines = BufReader::new(input).lines();
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        // The parent can no longer read the replies (its end of the pipe closed): stop, so
        // that it sees this process exit rather than wait for replies that cannot arrive.
        let line = tokio::select! {
            line = lines.next_line() => line?,
            written = &mut writer => {
                tasks.abort_all();
                close_all(&fixtures).await;
                return match written.map_err(std::io::Error::other)? {
                    Ok(()) => Err(std::io::Error::other("the reply writer stopped")),
                    Err(e) => Err(e),
                };
            }
        };
        let Some(line) = line else {
            break;
        };
        if line.trim().is_empty() {
            continue;
        }
        let request: Incoming = match serde_json::from_str(&line) {
            Ok(r) => r,
            Err(e) => {
                let reply = Reply {
                    id: None,
                    ok: None,
                    error: Some(Refusal::protocol(format!("not a request: {e}")).0),
                    sent: Vec::new(),
                };
                let _ = replies.send(encode(&reply));
                continue;
            }
        };
        if request.method == Call::Control(Control::Shutdown).wire_name() {
            while tasks.join_next().await.is_some() {}
            close_all(&fixtures).await;
            let _ = replies.send(encode(&ok_reply(request.id, Value::Null, Vec::new())));
            break;
        }
        let (target, fixtures, replies) = (target.clone(), Arc::clone(&fixtures), replies.clone());
        tasks.spawn(async move {
            let id = request.id;
            let reply = match answer(&target, &fixtures, request).await {
                Ok((ok, sent)) => ok_reply(id, ok, sent),
                Err(Refusal(error)) => Reply {
                    id: Some(id),
                    ok: None,
                    error: Some(error),
                    sent: Vec::new(),
                },
            };
            let _ = replies.send(encode(&reply));
        });
    }
    while tasks.join_next().await.is_some() {}
    close_all(&fixtures).await;
    drop(replies);
    writer.await.map_err(std::io::Error::other)?
}

fn ok_reply(id: u64, ok: Value, sent: Vec<WireSent>) -> Reply {
    Reply {
        id: Some(id),
        ok: Some(ok),
        error: None,
        sent,
    }
}

fn encode(reply: &Reply) -> String {
    serde_json::to_string(reply).unwrap_or_else(|e| {
        format!(r#"{{"id":null,"error":{{"kind":"protocol","message":"unencodable reply: {e}"}}}}"#)
    })
}

/// Closes every open fixture, logging what fails.
async fn close_all(fixtures: &Fixtures) {
    let open: Vec<(String, Arc<Served>)> = fixtures
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .drain()
        .collect();
    for (name, served) in open {
        if let Err(e) = close(&served).await {
            tracing::error!(fixture = %name, error = %e, "closing a fixture at shutdown");
        }
    }
}

async fn close(served: &Served) -> Result<(), String> {
    let teardown = served
        .teardown
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    match teardown {
        Some(teardown) => teardown().await.map_err(|e| e.to_string()),
        None => Ok(()),
    }
}

async fn answer(target: &Target, fixtures: &Fixtures, request: Incoming) -> Answer {
    let asked = Call::from_wire_name(&request.method)
        .ok_or_else(|| Refusal::protocol(format!("unknown method {:?}", request.method)))?;
    match asked {
        Call::Control(Control::Hello) => hello(target, &request.args),
        Call::Control(Control::Open) => open(target, fixtures, request).await,
        Call::Control(Control::Close) => {
            let name = request.fixture.unwrap_or_default();
            let served = fixtures
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&name);
            if let Some(served) = served {
                close(&served)
                    .await
                    .map_err(|e| Refusal::backend(format!("closing fixture {name}: {e}")))?;
            }
            Ok((Value::Null, Vec::new()))
        }
        Call::Control(Control::Stored) => {
            let served = fixture(fixtures, request.fixture.as_deref())?;
            let unreadable = |e| Refusal::protocol(format!("reading the fixture's rows: {e}"));
            match &served.adapter {
                ServedAdapter::V3 { inspector, .. } => {
                    let stored = inspector.stored().await.map_err(unreadable)?;
                    Ok((
                        json!({
                            "users": stored.users,
                            "accounts": stored.accounts,
                            "sessions": stored.sessions,
                            "verificationRequests": stored.verification_requests,
                        }),
                        Vec::new(),
                    ))
                }
                ServedAdapter::Authjs { inspector, .. } => {
                    let stored = inspector.stored().await.map_err(unreadable)?;
                    Ok((to_value(&stored)?, Vec::new()))
                }
            }
        }
        Call::Control(Control::SetClock) => {
            let served = fixture(fixtures, request.fixture.as_deref())?;
            let now = request.args.get("now").and_then(Value::as_i64);
            set_clock(&served, now)?;
            Ok((Value::Null, Vec::new()))
        }
        Call::Control(Control::Shutdown) => Ok((Value::Null, Vec::new())),
        Call::Adapter(method) => {
            let served = fixture(fixtures, request.fixture.as_deref())?;
            set_clock(&served, request.now)?;
            match &served.adapter {
                ServedAdapter::V3 { adapter, .. } => call(adapter, method, request.args).await,
                ServedAdapter::Authjs { adapter, .. } => {
                    authjs_call(&**adapter, method, request.args).await
                }
            }
        }
    }
}

fn hello(target: &Target, args: &Value) -> Answer {
    let asked = args.get("protocol").and_then(Value::as_u64);
    if asked != Some(u64::from(PROTOCOL_VERSION)) {
        return Err(Refusal::protocol(format!(
            "this child speaks protocol {PROTOCOL_VERSION}, asked for {asked:?}"
        )));
    }
    let hello = Hello {
        protocol: PROTOCOL_VERSION,
        name: target.name(),
        description: Some(target.describe()),
        profile: target.profile(),
        capabilities: to_value(&target.declared())?,
        namespaces: None,
        session_time_zone: false,
    };
    Ok((to_value(&hello)?, Vec::new()))
}

async fn open(target: &Target, fixtures: &Fixtures, request: Incoming) -> Answer {
    let name = request
        .fixture
        .filter(|f| !f.is_empty())
        .ok_or_else(|| Refusal::protocol("open needs a fixture id"))?;
    let args: OpenArgs = decode(request.args)?;
    if args.namespace.is_some() {
        return Err(Refusal::protocol(
            "this child makes its own namespaces: open's namespace must be null",
        ));
    }
    if args.time_zone.is_some() {
        return Err(Refusal::protocol(
            "this child does not put sessions in a time zone (its hello says so)",
        ));
    }
    let max_age = u32::try_from(args.session.max_age)
        .map_err(|_| Refusal::protocol("session.maxAge must be 0 to 2^32-1 seconds"))?;
    let update_age = u32::try_from(args.session.update_age)
        .map_err(|_| Refusal::protocol("session.updateAge must be 0 to 2^32-1 seconds"))?;
    let clock = match request.now {
        Some(now) => ManualClock::new(instant(now)?),
        None => ManualClock::starting_now(),
    };
    let config = AdapterConfig {
        clock: clock.shared(),
        session: SessionPolicy::from_v3_seconds(max_age, update_age),
        base_url: args.base_url,
    };
    if fixtures
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .contains_key(&name)
    {
        return Err(Refusal::protocol(format!("fixture {name} is already open")));
    }
    let unopened = |e| Refusal::backend(format!("opening a fixture: {e}"));
    let (display_name, adapter, teardown) = match target {
        Target::V3(factory) => {
            let fixture = factory.open(config).await.map_err(unopened)?;
            let adapter = ServedAdapter::V3 {
                adapter: Arc::clone(&fixture.adapter),
                inspector: fixture.inspector,
                clock,
            };
            (
                fixture.adapter.display_name().to_owned(),
                adapter,
                fixture.teardown,
            )
        }
        Target::Authjs(factory) => {
            let fixture = factory.open().await.map_err(unopened)?;
            let adapter = ServedAdapter::Authjs {
                adapter: Arc::clone(&fixture.adapter),
                inspector: fixture.inspector,
            };
            (
                fixture.adapter.display_name().to_owned(),
                adapter,
                fixture.teardown,
            )
        }
    };
    let opened = Opened {
        display_name: Some(display_name),
        session_time_zone: None,
    };
    let served = Arc::new(Served {
        adapter,
        teardown: Mutex::new(teardown),
    });
    fixtures
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(name, served);
    Ok((to_value(&opened)?, Vec::new()))
}

fn fixture(fixtures: &Fixtures, name: Option<&str>) -> Result<Arc<Served>, Refusal> {
    let name = name.unwrap_or_default();
    fixtures
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(name)
        .cloned()
        .ok_or_else(|| Refusal::protocol(format!("no open fixture {name:?}")))
}

fn instant(micros: i64) -> Result<chrono::DateTime<chrono::Utc>, Refusal> {
    chrono::DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| Refusal::protocol(format!("now {micros} is not an instant")))
}

/// Sets a v3 fixture's clock to `now`; an Auth.js adapter has no clock, so nothing is set.
fn set_clock(served: &Served, now: Option<i64>) -> Result<(), Refusal> {
    if let (Some(now), ServedAdapter::V3 { clock, .. }) = (now, &served.adapter) {
        clock.set(instant(now)?);
    }
    Ok(())
}

fn to_value<T: Serialize>(value: &T) -> Result<Value, Refusal> {
    serde_json::to_value(value).map_err(|e| Refusal::protocol(format!("unencodable result: {e}")))
}

fn decode<T: DeserializeOwned>(value: Value) -> Result<T, Refusal> {
    serde_json::from_value(value).map_err(|e| Refusal::protocol(format!("bad arguments: {e}")))
}

/// The positional arguments of an adapter call: integer ids become strings (a JS parent
/// may hand back the numbers another adapter gave it), `null`s stay.
struct Args(Vec<Value>);

impl Args {
    fn of(method: Method, value: Value) -> Result<Self, Refusal> {
        let mut value = value;
        crate::protocol::normalize_ids(&mut value);
        match value {
            Value::Array(items) => Ok(Args(items)),
            other => Err(Refusal::protocol(format!(
                "{} takes its arguments as an array, not {other}",
                method.js_name()
            ))),
        }
    }

    fn value(&self, i: usize) -> Value {
        self.0.get(i).cloned().unwrap_or(Value::Null)
    }

    fn get<T: DeserializeOwned>(&self, i: usize) -> Result<T, Refusal> {
        decode(self.value(i))
    }

    /// An id or token: a string, or an integer read as its decimal string.
    fn text(&self, i: usize) -> Result<String, Refusal> {
        match self.value(i) {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(Refusal::protocol(format!(
                "argument {i} must be a string, not {other}"
            ))),
        }
    }

    /// A string or `null` (v3 core's `undefined`).
    fn optional_text(&self, i: usize) -> Result<Option<String>, Refusal> {
        match self.value(i) {
            Value::Null => Ok(None),
            _ => self.text(i).map(Some),
        }
    }

    /// The e-mail provider `{id, maxAge}` (seconds), with a sender that records.
    fn provider(&self, i: usize) -> (EmailProvider, Arc<RecordingSender>) {
        let v = self.value(i);
        let id = v
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("email")
            .to_owned();
        let seconds = v
            .get("maxAge")
            .and_then(Value::as_f64)
            .unwrap_or(EmailProvider::DEFAULT_MAX_AGE_SECS as f64);
        let sender = Arc::new(RecordingSender::new());
        let provider = EmailProvider {
            id,
            max_age: chrono::Duration::milliseconds((seconds * 1000.0).round() as i64),
            sender: sender.clone(),
        };
        (provider, sender)
    }
}

fn sent(sender: &RecordingSender) -> Vec<WireSent> {
    sender
        .sent()
        .into_iter()
        .map(|m| WireSent {
            identifier: m.identifier,
            url: m.url,
            token: m.token,
            base_url: Some(m.base_url),
            provider_id: Some(m.provider_id),
        })
        .collect()
}

/// One adapter method, its JSON arguments decoded into the contract's types and its result
/// encoded back.
async fn call(ad: &SharedAdapter, method: Method, args: Value) -> Answer {
    let a = Args::of(method, args)?;
    let plain = |v: Value| Ok((v, Vec::new()));
    match method {
        Method::CreateUser => plain(to_value(&ad.create_user(a.get::<NewUser>(0)?).await?)?),
        Method::GetUser => plain(to_value(&ad.get_user(&a.text(0)?).await?)?),
        Method::GetUserByEmail => plain(to_value(
            &ad.get_user_by_email(a.optional_text(0)?.as_deref()).await?,
        )?),
        Method::GetUserByProviderAccountId => plain(to_value(
            &ad.get_user_by_provider_account_id(&a.text(0)?, &a.text(1)?)
                .await?,
        )?),
        Method::UpdateUser => plain(to_value(&ad.update_user(&a.get::<User>(0)?).await?)?),
        Method::DeleteUser => {
            ad.delete_user(&a.text(0)?).await?;
            plain(Value::Null)
        }
        Method::LinkAccount => {
            let account = NewAccount {
                user_id: a.text(0)?,
                provider_id: a.text(1)?,
                provider_type: a.text(2)?,
                provider_account_id: a.text(3)?,
                refresh_token: a.optional_text(4)?,
                access_token: a.optional_text(5)?,
                access_token_expires: a.get(6)?,
            };
            plain(to_value(&ad.link_account(account).await?)?)
        }
        Method::UnlinkAccount => {
            ad.unlink_account(&a.text(0)?, &a.text(1)?, &a.text(2)?)
                .await?;
            plain(Value::Null)
        }
        Method::CreateSession => plain(to_value(&ad.create_session(&a.get::<User>(0)?).await?)?),
        Method::GetSession => plain(to_value(
            &ad.get_session(a.optional_text(0)?.as_deref()).await?,
        )?),
        Method::UpdateSession => {
            let mut session: Session = a.get(0)?;
            let force = a.value(1).as_bool().unwrap_or(false);
            let returned = ad.update_session(&mut session, force).await?;
            plain(json!({ "returned": returned, "argument": session }))
        }
        Method::DeleteSession => {
            ad.delete_session(a.optional_text(0)?.as_deref()).await?;
            plain(Value::Null)
        }
        Method::CreateVerificationRequest => {
            let (provider, sender) = a.provider(4);
            let created = ad
                .create_verification_request(
                    &a.text(0)?,
                    &a.text(1)?,
                    &a.text(2)?,
                    &a.text(3)?,
                    &provider,
                )
                .await?;
            Ok((to_value(&created)?, sent(&sender)))
        }
        Method::GetVerificationRequest => {
            let (provider, sender) = a.provider(3);
            let found = ad
                .get_verification_request(&a.text(0)?, &a.text(1)?, &a.text(2)?, &provider)
                .await?;
            Ok((to_value(&found)?, sent(&sender)))
        }
        Method::DeleteVerificationRequest => {
            let (provider, sender) = a.provider(3);
            ad.delete_verification_request(&a.text(0)?, &a.text(1)?, &a.text(2)?, &provider)
                .await?;
            Ok((Value::Null, sent(&sender)))
        }
        // Methods only the Auth.js contract has: a served v3 adapter has none of them.
        Method::GetUserByAccount
        | Method::GetAccount
        | Method::GetSessionAndUser
        | Method::CreateVerificationToken
        | Method::UseVerificationToken
        | Method::GetAuthenticator
        | Method::CreateAuthenticator
        | Method::ListAuthenticatorsByUserId
        | Method::UpdateAuthenticatorCounter => {
            Err(nextauth_adapter::AdapterError::Unsupported { method }.into())
        }
    }
}

/// One Auth.js adapter method: `@auth/core`'s JavaScript arguments decoded into the
/// contract's types ([`crate::authjs::wire`]), the adapter's result encoded back.
async fn authjs_call(
    ad: &dyn nextauth_adapter::authjs::Adapter,
    method: Method,
    args: Value,
) -> Answer {
    use crate::authjs::wire;
    let a = Args::of(method, args)?;
    let bad = |e: String| Refusal::protocol(format!("bad arguments: {e}"));
    let value = match method {
        Method::CreateUser => to_value(&ad.create_user(a.get(0)?).await?)?,
        Method::GetUser => to_value(&ad.get_user(&a.text(0)?).await?)?,
        Method::GetUserByEmail => to_value(&ad.get_user_by_email(&a.text(0)?).await?)?,
        Method::GetUserByAccount => to_value(&ad.get_user_by_account(&a.get(0)?).await?)?,
        Method::UpdateUser => {
            let patch = wire::user_patch_from(&a.value(0)).map_err(bad)?;
            to_value(&ad.update_user(patch).await?)?
        }
        Method::DeleteUser => {
            ad.delete_user(&a.text(0)?).await?;
            Value::Null
        }
        Method::LinkAccount => to_value(&ad.link_account(a.get(0)?).await?)?,
        Method::UnlinkAccount => {
            ad.unlink_account(&a.get(0)?).await?;
            Value::Null
        }
        Method::CreateSession => to_value(&ad.create_session(a.get(0)?).await?)?,
        Method::GetSessionAndUser => to_value(&ad.get_session_and_user(&a.text(0)?).await?)?,
        Method::UpdateSession => {
            let patch = wire::session_patch_from(&a.value(0)).map_err(bad)?;
            to_value(&ad.update_session(patch).await?)?
        }
        Method::DeleteSession => {
            ad.delete_session(&a.text(0)?).await?;
            Value::Null
        }
        Method::CreateVerificationToken => {
            to_value(&ad.create_verification_token(a.get(0)?).await?)?
        }
        Method::UseVerificationToken => to_value(&ad.use_verification_token(&a.get(0)?).await?)?,
        Method::GetAccount => to_value(&ad.get_account(&a.text(0)?, &a.text(1)?).await?)?,
        Method::GetAuthenticator => to_value(&ad.get_authenticator(&a.text(0)?).await?)?,
        Method::CreateAuthenticator => to_value(&ad.create_authenticator(a.get(0)?).await?)?,
        Method::ListAuthenticatorsByUserId => {
            to_value(&ad.list_authenticators_by_user_id(&a.text(0)?).await?)?
        }
        Method::UpdateAuthenticatorCounter => {
            let counter = a
                .value(1)
                .as_u64()
                .ok_or_else(|| bad("the counter must be a whole number".to_owned()))?;
            to_value(
                &ad.update_authenticator_counter(&a.text(0)?, counter)
                    .await?,
            )?
        }
        // Methods only v3 has: an Auth.js adapter has none of them.
        Method::GetUserByProviderAccountId
        | Method::GetSession
        | Method::CreateVerificationRequest
        | Method::GetVerificationRequest
        | Method::DeleteVerificationRequest => {
            return Err(AdapterError::Unsupported { method }.into());
        }
    };
    Ok((value, Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nextauth_adapter_harness::ReferenceFactory;

    /// Serves the reference adapter to `lines` (sent one at a time, each answered before the
    /// next) and returns the replies.
    async fn exchange(lines: &[Value]) -> Vec<Value> {
        let (parent, child) = tokio::io::duplex(1 << 16);
        let (child_in, child_out) = tokio::io::split(child);
        let server = tokio::spawn(serve(
            Arc::new(ReferenceFactory::default()),
            child_in,
            child_out,
        ));
        let (parent_in, mut parent_out) = tokio::io::split(parent);
        let mut replies = BufReader::new(parent_in).lines();
        let mut out = Vec::new();
        for line in lines {
            parent_out
                .write_all(format!("{line}\n").as_bytes())
                .await
                .unwrap();
            let reply = replies.next_line().await.unwrap().expect("a reply");
            out.push(serde_json::from_str(&reply).unwrap());
        }
        // Both halves gone: the child reads the end of its input and closes what is open.
        drop(parent_out);
        drop(replies);
        server.await.unwrap().unwrap();
        out
    }

    fn open(fixture: &str, namespace: Value) -> Value {
        json!({"id": 2, "method": "open", "fixture": fixture, "now": 1_768_473_000_000_000_i64,
               "args": {"namespace": namespace, "session": {"maxAge": 2_592_000, "updateAge": 86_400},
                        "baseUrl": "http://localhost:3000", "secret": "s"}})
    }

    #[tokio::test]
    async fn bad_requests_get_typed_errors_and_the_child_goes_on() {
        let replies = exchange(&[
            json!({"id": 1, "method": "hello", "args": {"protocol": 2}}),
            json!({"id": 2, "method": "frobnicate", "args": []}),
            json!({"id": 3, "method": "getUser", "fixture": "nope", "args": ["1"]}),
            open("f1", json!({"name": "nx_x", "server": "postgres"})),
            open("f1", Value::Null),
            json!({"id": 4, "method": "getUser", "fixture": "f1", "args": {"id": "1"}}),
            json!({"id": 5, "method": "createUser", "fixture": "f1", "args": [{"email": 7}]}),
            json!({"id": 6, "method": "createUser", "fixture": "f1", "args": [{"email": "a@x.io"}]}),
            json!({"id": 7, "method": "createUser", "fixture": "f1", "args": [{"email": "a@x.io"}]}),
            json!({"id": 8, "method": "getUser", "fixture": "f1", "args": [1]}),
        ])
        .await;
        let kind = |i: usize| {
            replies[i]["error"]["kind"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        };
        assert_eq!(kind(0), "protocol", "{}", replies[0]);
        assert_eq!(kind(1), "protocol");
        assert!(
            replies[1]["error"]["message"]
                .as_str()
                .unwrap()
                .contains("frobnicate")
        );
        assert_eq!(kind(2), "protocol");
        assert_eq!(kind(3), "protocol", "a parent-made namespace is refused");
        assert_eq!(replies[4]["ok"]["displayName"], "reference");
        assert_eq!(kind(5), "protocol", "arguments must be an array");
        assert_eq!(kind(6), "protocol", "an e-mail must be a string");
        assert_eq!(replies[7]["ok"]["email"], "a@x.io");
        assert_eq!(replies[7]["ok"]["createdAt"], "2026-01-15T10:30:00Z");
        assert_eq!(kind(8), "conflict");
        assert_eq!(replies[8]["error"]["key"], "user_email");
        assert_eq!(
            replies[9]["ok"]["id"], "1",
            "an integer id reads as its string"
        );
    }

    #[tokio::test]
    async fn the_clock_follows_now_and_sent_messages_come_back() {
        let t0 = 1_768_473_000_000_000_i64;
        let replies = exchange(&[
            open("f1", Value::Null),
            json!({"id": 3, "method": "createVerificationRequest", "fixture": "f1", "now": t0 + 60_000_000,
                   "args": ["a@x.io", "http://l/cb", "tok", "s", {"id": "email", "maxAge": 600}]}),
            json!({"id": 4, "method": "stored", "fixture": "f1", "args": {}}),
        ])
        .await;
        let created = &replies[1]["ok"];
        assert_eq!(created["createdAt"], "2026-01-15T10:31:00Z");
        assert_eq!(created["expires"], "2026-01-15T10:41:00Z");
        assert_eq!(replies[1]["sent"][0]["token"], "tok");
        assert_eq!(replies[1]["sent"][0]["providerId"], "email");
        assert_eq!(
            replies[2]["ok"]["verificationRequests"][0]["token"],
            created["token"]
        );
    }
}
