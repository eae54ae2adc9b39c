//! The line protocol's messages (docs/bridge-protocol.md), as serde types.
//!
//! Every message is one line of JSON. The parent writes requests
//! `{"id", "method", "fixture"?, "now"?, "args"?}` to the child's stdin; the child writes
//! exactly one reply per request to stdout, `{"id", "ok": …, "sent"?: […]}` or
//! `{"id", "error": {"kind", "message", "key"?, "field"?}}`, in any order (requests run
//! concurrently).

use nextauth_adapter::{Capabilities, ErrorKind, Method, UniqueKey, authjs};
use nextauth_adapter_harness::Profile;
use nextauth_adapter_testkit::Server;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// The protocol version this crate speaks, sent in `hello`.
pub const PROTOCOL_VERSION: u32 = 1;

/// A control message: everything the parent asks that is not an adapter method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// The handshake: the child's protocol, name, capabilities and namespace server.
    Hello,
    /// Opens an adapter instance (a fixture) over a namespace ([`OpenArgs`]).
    Open,
    /// Closes a fixture.
    Close,
    /// Every stored row of a fixture, read without the adapter.
    Stored,
    /// Sets a fixture's clock without calling the adapter (the bench's round trip).
    SetClock,
    /// Asks the child to exit.
    Shutdown,
}

/// What a request asks for: a control message or an adapter method of either contract
/// (their JavaScript names are distinct but for the methods they share).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// A control message.
    Control(Control),
    /// An adapter method, by the contract's [`Method`] (its v3 JS name on the wire).
    Adapter(Method),
}

impl Call {
    /// The `method` field on the wire: `hello`, `setClock`, `getSession`, ….
    pub fn wire_name(self) -> &'static str {
        match self {
            Call::Control(Control::Hello) => "hello",
            Call::Control(Control::Open) => "open",
            Call::Control(Control::Close) => "close",
            Call::Control(Control::Stored) => "stored",
            Call::Control(Control::SetClock) => "setClock",
            Call::Control(Control::Shutdown) => "shutdown",
            Call::Adapter(method) => method.js_name(),
        }
    }
}

impl Call {
    /// The call a `method` field names, if any.
    pub fn from_wire_name(name: &str) -> Option<Call> {
        let control = match name {
            "hello" => Some(Control::Hello),
            "open" => Some(Control::Open),
            "close" => Some(Control::Close),
            "stored" => Some(Control::Stored),
            "setClock" => Some(Control::SetClock),
            "shutdown" => Some(Control::Shutdown),
            _ => None,
        };
        control.map(Call::Control).or_else(|| {
            Method::ALL
                .into_iter()
                .find(|m| m.js_name() == name)
                .map(Call::Adapter)
        })
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}

impl Serialize for Call {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.wire_name())
    }
}

/// The arguments of `open`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenArgs {
    /// The namespace the fixture's adapter works in; `None` when the child isolates
    /// fixtures itself.
    pub namespace: Option<NamespaceRef>,
    /// v3's `appOptions.session`.
    pub session: SessionArgs,
    /// `appOptions.baseUrl`.
    pub base_url: String,
    /// `appOptions.secret`.
    pub secret: String,
    /// The database session time zone the fixture's adapter connects in; absent: the
    /// server's default (UTC here). Sent only to a child whose `hello` announced
    /// `session_time_zone`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<SessionTimeZone>,
}

/// A database session time zone for an adapter's connections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTimeZone {
    /// The IANA name, e.g. `Pacific/Chatham` (what PostgreSQL's `TimeZone` takes).
    pub name: String,
    /// Its UTC offset `±HH:MM`, e.g. `+12:45` (what MySQL/MariaDB's `time_zone` takes
    /// without the server's time-zone tables).
    pub offset: String,
}

/// The reply to `open`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Opened {
    /// The adapter instance's `displayName`, if it has one.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The time zone the fixture adapter's database session reports it is in (PostgreSQL's
    /// `TimeZone`, MySQL's `@@session.time_zone`), read through the adapter's own
    /// connection: the parent holds it to the zone it asked for.
    #[serde(default)]
    pub session_time_zone: Option<String>,
}

/// A namespace the parent created.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NamespaceRef {
    /// Its name (`nx_<made>_<host>_<pid>_<random>`).
    pub name: String,
    /// The server it is on.
    #[serde(serialize_with = "server_name", deserialize_with = "server_of_name")]
    pub server: Server,
    /// `tablesMade`: the namespace already holds the setup's tables, every one empty and its
    /// ids restarted (an earlier fixture's, emptied by the parent): the child must not make
    /// them again. Sent only to a child whose `hello` announced `namespaces.reuse`, or whose
    /// tables the parent makes; absent: a fresh, empty namespace.
    #[serde(
        rename = "tablesMade",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub tables_made: bool,
}

fn server_name<S: Serializer>(server: &Server, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(server.name())
}

fn server_of_name<'de, D: Deserializer<'de>>(d: D) -> Result<Server, D::Error> {
    let name = String::deserialize(d)?;
    Server::from_name(&name)
        .ok_or_else(|| serde::de::Error::custom(format!("unknown server {name:?}")))
}

/// v3's session policy, in seconds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionArgs {
    /// `maxAge`.
    pub max_age: i64,
    /// `updateAge`.
    pub update_age: i64,
}

impl From<nextauth_adapter::SessionPolicy> for SessionArgs {
    fn from(policy: nextauth_adapter::SessionPolicy) -> Self {
        SessionArgs {
            max_age: policy.max_age().num_seconds(),
            update_age: policy.update_age().num_seconds(),
        }
    }
}

/// The kind of an error reply: the contract's [`ErrorKind`]s, `protocol` for a request the
/// child could not understand, and `unknown` for anything else a child sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireErrorKind {
    /// [`ErrorKind::Conflict`].
    Conflict,
    /// [`ErrorKind::InvalidInput`].
    InvalidInput,
    /// [`ErrorKind::NotFound`].
    NotFound,
    /// [`ErrorKind::Unsupported`].
    Unsupported,
    /// [`ErrorKind::Delivery`].
    Delivery,
    /// [`ErrorKind::Backend`].
    Backend,
    /// The child could not understand the request.
    Protocol,
    /// A kind this protocol does not define.
    #[serde(other)]
    Unknown,
}

impl WireErrorKind {
    /// The contract's kind, for the kinds that are one.
    pub fn error_kind(self) -> Option<ErrorKind> {
        match self {
            WireErrorKind::Conflict => Some(ErrorKind::Conflict),
            WireErrorKind::InvalidInput => Some(ErrorKind::InvalidInput),
            WireErrorKind::NotFound => Some(ErrorKind::NotFound),
            WireErrorKind::Unsupported => Some(ErrorKind::Unsupported),
            WireErrorKind::Delivery => Some(ErrorKind::Delivery),
            WireErrorKind::Backend => Some(ErrorKind::Backend),
            WireErrorKind::Protocol | WireErrorKind::Unknown => None,
        }
    }
}

impl fmt::Display for WireErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WireErrorKind::Conflict => "conflict",
            WireErrorKind::InvalidInput => "invalid_input",
            WireErrorKind::NotFound => "not_found",
            WireErrorKind::Unsupported => "unsupported",
            WireErrorKind::Delivery => "delivery",
            WireErrorKind::Backend => "backend",
            WireErrorKind::Protocol => "protocol",
            WireErrorKind::Unknown => "unknown",
        })
    }
}

/// A unique key as the child names it: known, or `None` (an unknown name is not an error of
/// the whole reply; the conflict is then reported as unnamed).
fn lenient_key<'de, D: Deserializer<'de>>(d: D) -> Result<Option<UniqueKey>, D::Error> {
    let value = Option::<Value>::deserialize(d)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

/// A request from the parent.
#[derive(Debug, Clone, Serialize)]
pub struct Request<'a> {
    /// Unique among the requests in flight; the reply carries it back.
    pub id: u64,
    /// What is asked.
    pub method: Call,
    /// The fixture (one adapter over one namespace) the request is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixture: Option<&'a str>,
    /// The harness clock's instant, in microseconds since the Unix epoch: the child's `Date`
    /// reads it while serving this request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub now: Option<i64>,
    /// The method's arguments, positional as in v3 (an array), or a control message's object.
    pub args: Value,
}

/// The error object of a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireError {
    /// Its kind.
    pub kind: WireErrorKind,
    /// A human-readable message.
    #[serde(default)]
    pub message: String,
    /// For `conflict`: the unique key, when the child named one this protocol knows.
    #[serde(
        default,
        deserialize_with = "lenient_key",
        skip_serializing_if = "Option::is_none"
    )]
    pub key: Option<UniqueKey>,
    /// For `invalid_input`: the field at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// A message the provider's `sendVerificationRequest` received in the child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireSent {
    /// The address.
    pub identifier: String,
    /// The sign-in link.
    pub url: String,
    /// The raw token.
    pub token: String,
    /// `appOptions.baseUrl` as the adapter passed it.
    #[serde(default)]
    pub base_url: Option<String>,
    /// `provider.id` as the adapter passed it.
    #[serde(default)]
    pub provider_id: Option<String>,
}

/// A reply from the child.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reply {
    /// The id of the request answered.
    pub id: Option<u64>,
    /// The result, on success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<Value>,
    /// The error, on failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<WireError>,
    /// Messages the provider's sender received while serving the request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sent: Vec<WireSent>,
}

/// A request as the child reads it (the owned form of [`Request`]).
#[derive(Debug, Clone, Deserialize)]
pub struct Incoming {
    /// Unique among the requests in flight.
    pub id: u64,
    /// What is asked: a control message or an adapter method's JS name.
    pub method: String,
    /// The fixture the request is for.
    #[serde(default)]
    pub fixture: Option<String>,
    /// The parent clock's instant, microseconds since the Unix epoch.
    #[serde(default)]
    pub now: Option<i64>,
    /// Positional arguments (an array) or a control message's object.
    #[serde(default)]
    pub args: Value,
}

/// The `hello` reply's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hello {
    /// The protocol version the child speaks.
    pub protocol: u32,
    /// The adapter's name, e.g. `next-auth@3.29.10`.
    pub name: String,
    /// A longer description for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The contract the child's adapter implements: `v3` (absent: v3, as every child before
    /// the field existed) or `authjs`.
    #[serde(default)]
    pub profile: Profile,
    /// What the adapter declares, in its contract's serde shape
    /// ([`Capabilities`] or [`authjs::Capabilities`]); read with [`Hello::v3_capabilities`]
    /// or [`Hello::authjs_capabilities`].
    pub capabilities: Value,
    /// Where the parent creates namespaces for it: `{server: "postgres"|"mysql", url}`;
    /// absent when the child isolates fixtures itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespaces: Option<NamespaceServer>,
    /// Whether the child puts a fixture's database sessions in the time zone `open` names
    /// (`timeZone`) and reports the zone its adapter's session is in; absent or `false`: the
    /// time-zone reruns do not run.
    #[serde(default)]
    pub session_time_zone: bool,
}

impl Hello {
    /// The declaration of a v3 child; an error for another profile or another shape.
    pub fn v3_capabilities(&self) -> Result<Capabilities, crate::BridgeError> {
        self.capabilities_of(Profile::V3)
    }

    /// The declaration of an Auth.js child; an error for another profile or another shape.
    pub fn authjs_capabilities(&self) -> Result<authjs::Capabilities, crate::BridgeError> {
        self.capabilities_of(Profile::Authjs)
    }

    fn capabilities_of<T: serde::de::DeserializeOwned>(
        &self,
        profile: Profile,
    ) -> Result<T, crate::BridgeError> {
        let bad = |reason: String| crate::BridgeError::BadReply {
            method: "hello".to_owned(),
            reason,
        };
        if self.profile != profile {
            return Err(bad(format!(
                "the child serves the {} contract, not the {profile} one",
                self.profile
            )));
        }
        serde_json::from_value(self.capabilities.clone()).map_err(|e| {
            bad(format!(
                "capabilities are not a {profile} declaration: {e} in {}",
                self.capabilities
            ))
        })
    }
}

/// The database server a child's fixtures live on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NamespaceServer {
    /// `postgres` or `mysql`.
    pub server: String,
    /// The server's URL (the child's `--url`).
    pub url: String,
    /// Who makes each namespace's tables: `ddl` (the parent, from the project's DDL; the
    /// default), `synchronize` (the child's adapter, on opening the fixture, in a namespace
    /// with the server's default character set and collation) or `prisma-legacy` (the
    /// parent, from the project's DDL for the seed's Prisma schema, in such a namespace).
    #[serde(default)]
    pub tables: Option<String>,
    /// Whether the child accepts a namespace whose tables an earlier fixture had (`open`'s
    /// `namespace.tablesMade`): the parent then empties a namespace at teardown and hands it
    /// to a later fixture instead of dropping it and making another. Absent: only when the
    /// parent makes the tables itself (`ddl`, `prisma-legacy`).
    #[serde(default)]
    pub reuse: bool,
    /// What the adapter's table names start with, before the documented names (`auth_` for
    /// `auth_users`, …); empty or absent: the documented names.
    #[serde(default)]
    pub table_prefix: Option<String>,
}

/// Converts integer `id` / `userId` fields to strings, recursively: v3 adapters on SQL
/// return numbers, the contract's ids are strings.
pub fn normalize_ids(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if (k == "id" || k == "userId")
                    && let Value::Number(n) = v
                {
                    *v = Value::String(n.to_string());
                } else {
                    normalize_ids(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_ids),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_serialise_on_one_line() {
        let r = Request {
            id: 7,
            method: Call::Adapter(Method::GetSession),
            fixture: Some("f1"),
            now: Some(1),
            args: serde_json::json!([null]),
        };
        let line = serde_json::to_string(&r).unwrap();
        assert_eq!(
            line,
            r#"{"id":7,"method":"getSession","fixture":"f1","now":1,"args":[null]}"#
        );
    }

    #[test]
    fn errors_parse_kinds_and_keys() {
        let r: Reply = serde_json::from_str(
            r#"{"id":1,"error":{"kind":"conflict","key":"user_email","message":"dup"}}"#,
        )
        .unwrap();
        let e = r.error.unwrap();
        assert_eq!(e.kind.error_kind(), Some(ErrorKind::Conflict));
        assert_eq!(e.key, Some(UniqueKey::UserEmail));
        let odd: Reply = serde_json::from_str(
            r#"{"id":2,"error":{"kind":"weird","key":"no_such_key","message":"?"}}"#,
        )
        .unwrap();
        let odd = odd.error.unwrap();
        assert_eq!(odd.kind, WireErrorKind::Unknown);
        assert_eq!(odd.kind.error_kind(), None);
        assert_eq!(odd.key, None);
    }

    #[test]
    fn ids_become_strings() {
        let mut v = serde_json::json!({"id": 3, "userId": 4, "rows": [{"id": 5}], "n": 6});
        normalize_ids(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"id": "3", "userId": "4", "rows": [{"id": "5"}], "n": 6})
        );
    }
}
