//! The line protocol's messages (docs/bridge-protocol.md), as serde types.
//!
//! Every message is one line of JSON. The parent writes requests
//! `{"id", "method", "fixture"?, "now"?, "args"?}` to the child's stdin; the child writes
//! exactly one reply per request to stdout, `{"id", "ok": …, "sent"?: […]}` or
//! `{"id", "error": {"kind", "message", "key"?, "field"?}}`, in any order (requests run
//! concurrently).

use nextauth_adapter::{Capabilities, ErrorKind, UniqueKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The protocol version this crate speaks, sent in `hello`.
pub const PROTOCOL_VERSION: u32 = 1;

/// A request from the parent.
#[derive(Debug, Clone, Serialize)]
pub struct Request<'a> {
    /// Unique among the requests in flight; the reply carries it back.
    pub id: u64,
    /// An adapter method's JS name (`getSession`) or a control message (`hello`, `open`,
    /// `close`, `stored`, `setClock`, `shutdown`).
    pub method: &'a str,
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
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WireError {
    /// The contract's [`ErrorKind`] in snake_case, or `protocol` for a request the child
    /// could not understand.
    pub kind: String,
    /// A human-readable message.
    #[serde(default)]
    pub message: String,
    /// For `conflict`: the [`UniqueKey`] in snake_case.
    #[serde(default)]
    pub key: Option<String>,
    /// For `invalid_input`: the field at fault.
    #[serde(default)]
    pub field: Option<String>,
}

impl WireError {
    /// The error's kind as the contract's [`ErrorKind`], if it is one.
    pub fn error_kind(&self) -> Option<ErrorKind> {
        serde_json::from_value(Value::String(self.kind.clone())).ok()
    }

    /// The conflict's unique key, if named and known.
    pub fn unique_key(&self) -> Option<UniqueKey> {
        self.key
            .as_ref()
            .and_then(|k| serde_json::from_value(Value::String(k.clone())).ok())
    }
}

/// A message the provider's `sendVerificationRequest` received in the child.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
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
#[derive(Debug, Clone, Deserialize)]
pub struct Reply {
    /// The id of the request answered.
    pub id: Option<u64>,
    /// The result, on success.
    #[serde(default)]
    pub ok: Option<Value>,
    /// The error, on failure.
    #[serde(default)]
    pub error: Option<WireError>,
    /// Messages the provider's sender received while serving the request.
    #[serde(default)]
    pub sent: Vec<WireSent>,
}

/// The `hello` reply's result.
#[derive(Debug, Clone, Deserialize)]
pub struct Hello {
    /// The protocol version the child speaks.
    pub protocol: u32,
    /// The adapter's name, e.g. `next-auth@3.29.10`.
    pub name: String,
    /// A longer description for reports.
    #[serde(default)]
    pub description: Option<String>,
    /// What the adapter declares, in the contract's serde shape.
    pub capabilities: Capabilities,
    /// Where the parent creates namespaces for it: `{server: "postgres"|"mysql", url}`;
    /// absent when the child isolates fixtures itself.
    #[serde(default)]
    pub namespaces: Option<NamespaceServer>,
}

/// The database server a child's fixtures live on.
#[derive(Debug, Clone, Deserialize)]
pub struct NamespaceServer {
    /// `postgres` or `mysql`.
    pub server: String,
    /// The server's URL (the child's `--url`).
    pub url: String,
    /// Who makes each namespace's tables: `ddl` (the parent, from the project's DDL; the
    /// default) or `synchronize` (the child's adapter, on opening the fixture, in a namespace
    /// with the server's default character set and collation).
    #[serde(default)]
    pub tables: Option<String>,
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
            method: "getSession",
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
        assert_eq!(e.error_kind(), Some(ErrorKind::Conflict));
        assert_eq!(e.unique_key(), Some(UniqueKey::UserEmail));
        let odd = WireError {
            kind: "weird".into(),
            message: String::new(),
            key: None,
            field: None,
        };
        assert_eq!(odd.error_kind(), None);
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
