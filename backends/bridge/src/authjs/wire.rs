//! The Auth.js methods' arguments and results on the wire: exactly the JavaScript arguments
//! `@auth/core` passes (an array, one element per argument) and the values an adapter
//! returns, so that a Node child hands them to an npm adapter unchanged. Partial updates are
//! JavaScript objects: a field left out is kept, a field set to `null` is cleared.

use nextauth_adapter::authjs::{Patch, SessionPatch, UserPatch};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// A partial update's field into `object`: left out for [`Patch::Keep`], `null` for
/// [`Patch::Clear`], the value for [`Patch::Set`].
fn put<T: Serialize>(object: &mut Map<String, Value>, key: &str, patch: &Patch<T>) {
    match patch {
        Patch::Keep => {}
        Patch::Clear => {
            object.insert(key.to_owned(), Value::Null);
        }
        Patch::Set(v) => {
            object.insert(key.to_owned(), json!(v));
        }
    }
}

/// The field `key` of a partial update: absent keeps, `null` clears, a value sets.
fn take<T: serde::de::DeserializeOwned>(
    object: &Map<String, Value>,
    key: &str,
) -> Result<Patch<T>, String> {
    match object.get(key) {
        None => Ok(Patch::Keep),
        Some(Value::Null) => Ok(Patch::Clear),
        Some(v) => serde_json::from_value(v.clone())
            .map(Patch::Set)
            .map_err(|e| format!("{key}: {e}")),
    }
}

/// `updateUser`'s argument: `{id, …the fields to change}`.
pub fn user_patch(patch: &UserPatch) -> Value {
    let mut object = Map::new();
    object.insert("id".to_owned(), json!(patch.id));
    put(&mut object, "email", &patch.email);
    put(&mut object, "emailVerified", &patch.email_verified);
    put(&mut object, "name", &patch.name);
    put(&mut object, "image", &patch.image);
    Value::Object(object)
}

/// [`user_patch`] read back.
pub fn user_patch_from(value: &Value) -> Result<UserPatch, String> {
    let object = value
        .as_object()
        .ok_or_else(|| format!("updateUser takes an object, not {value}"))?;
    let id = object
        .get("id")
        .and_then(Value::as_str)
        .ok_or("updateUser's object needs a string id")?;
    Ok(UserPatch {
        id: id.to_owned(),
        email: take(object, "email")?,
        email_verified: take(object, "emailVerified")?,
        name: take(object, "name")?,
        image: take(object, "image")?,
    })
}

/// `updateSession`'s argument: `{sessionToken, …the fields to change}`.
pub fn session_patch(patch: &SessionPatch) -> Value {
    let mut object = Map::new();
    object.insert("sessionToken".to_owned(), json!(patch.session_token));
    if let Some(user_id) = &patch.user_id {
        object.insert("userId".to_owned(), json!(user_id));
    }
    if let Some(expires) = &patch.expires {
        object.insert("expires".to_owned(), json!(expires));
    }
    Value::Object(object)
}

/// [`session_patch`] read back.
pub fn session_patch_from(value: &Value) -> Result<SessionPatch, String> {
    let object = value
        .as_object()
        .ok_or_else(|| format!("updateSession takes an object, not {value}"))?;
    let field = |key: &str| object.get(key).filter(|v| !v.is_null());
    Ok(SessionPatch {
        session_token: field("sessionToken")
            .and_then(Value::as_str)
            .ok_or("updateSession's object needs a string sessionToken")?
            .to_owned(),
        user_id: field("userId")
            .map(|v| serde_json::from_value(v.clone()).map_err(|e| format!("userId: {e}")))
            .transpose()?,
        expires: field("expires")
            .map(|v| serde_json::from_value(v.clone()).map_err(|e| format!("expires: {e}")))
            .transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn partial_updates_round_trip_absent_null_and_values() {
        let patch = UserPatch {
            name: Patch::Set("Ann".to_owned()),
            image: Patch::Clear,
            ..UserPatch::of("u1")
        };
        let wire = user_patch(&patch);
        assert_eq!(wire, json!({"id": "u1", "name": "Ann", "image": null}));
        assert_eq!(user_patch_from(&wire).unwrap(), patch);
        let session = SessionPatch {
            session_token: "t".to_owned(),
            user_id: None,
            expires: Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
        };
        let wire = session_patch(&session);
        assert!(wire.get("userId").is_none());
        assert_eq!(session_patch_from(&wire).unwrap(), session);
        assert!(user_patch_from(&json!({"name": "x"})).is_err());
    }
}
