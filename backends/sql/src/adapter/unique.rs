//! Which unique key a refused write violated, recognised from the index the driver names.

use super::error::StoreError;
use crate::names::SchemaNames;
use nextauth_adapter::UniqueKey;
use std::collections::HashMap;

/// The unique indexes of the schema by name, and the key each enforces.
///
/// Built from [`SchemaNames::index`]; [`SqlAdapter::synchronize`](super::SqlAdapter::synchronize)
/// adds the live names of unique indexes that another tool named differently (a diff's
/// `IndexRenamed`), so those are recognised too.
#[derive(Debug, Clone)]
pub struct UniqueIndexes {
    by_name: HashMap<String, UniqueKey>,
}

/// Every unique key with its documented index name and its column.
const KEYS: [(UniqueKey, &str, &str); 5] = [
    (UniqueKey::UserEmail, "email", "email"),
    (UniqueKey::AccountCompoundId, "compound_id", "compound_id"),
    (UniqueKey::SessionToken, "session_token", "session_token"),
    (
        UniqueKey::SessionAccessToken,
        "access_token",
        "access_token",
    ),
    (UniqueKey::VerificationToken, "token", "token"),
];

impl UniqueIndexes {
    /// The documented unique indexes under `names` (prefix included).
    pub fn new(names: &SchemaNames) -> Self {
        UniqueIndexes {
            by_name: KEYS
                .iter()
                .map(|(key, index, _)| (names.index(index), *key))
                .collect(),
        }
    }

    /// Also recognise `live_name` as the index of the documented index `documented`.
    pub fn alias(&mut self, documented_full_name: &str, live_name: &str) {
        if let Some(key) = self.by_name.get(documented_full_name).copied() {
            self.by_name.insert(live_name.to_owned(), key);
        }
    }

    /// The key a violation of `error` names, among the keys the failing method can violate
    /// (`candidates`): by index name, else by column, else the only candidate.
    pub fn recognise(&self, error: &StoreError, candidates: &[UniqueKey]) -> Option<UniqueKey> {
        let StoreError::UniqueViolation { index, column, .. } = error else {
            return None;
        };
        let by_index = index
            .as_deref()
            .and_then(|i| self.by_name.get(i).copied())
            .filter(|k| candidates.contains(k));
        let by_column = || {
            let column = column.as_deref()?;
            KEYS.iter()
                .find(|(k, _, c)| *c == column && candidates.contains(k))
                .map(|(k, _, _)| *k)
        };
        by_index.or_else(by_column).or(match candidates {
            [only] => Some(*only),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violation(index: Option<&str>, column: Option<&str>) -> StoreError {
        StoreError::UniqueViolation {
            index: index.map(str::to_owned),
            column: column.map(str::to_owned),
            source: "test".into(),
        }
    }

    #[test]
    fn keys_are_recognised_by_prefixed_index_then_column() {
        let names = SchemaNames {
            prefix: "na_".into(),
            ..SchemaNames::default()
        };
        let mut u = UniqueIndexes::new(&names);
        let both = [UniqueKey::SessionToken, UniqueKey::SessionAccessToken];
        assert_eq!(
            u.recognise(&violation(Some("na_access_token"), None), &both),
            Some(UniqueKey::SessionAccessToken)
        );
        assert_eq!(
            u.recognise(&violation(None, Some("session_token")), &both),
            Some(UniqueKey::SessionToken)
        );
        assert_eq!(u.recognise(&violation(Some("odd"), None), &both), None);
        assert_eq!(
            u.recognise(&violation(Some("odd"), None), &[UniqueKey::UserEmail]),
            Some(UniqueKey::UserEmail)
        );
        u.alias("na_access_token", "sessions_access_token_key");
        assert_eq!(
            u.recognise(&violation(Some("sessions_access_token_key"), None), &both),
            Some(UniqueKey::SessionAccessToken)
        );
        assert_eq!(
            u.recognise(&StoreError::Driver("x".into()), &[UniqueKey::UserEmail]),
            None
        );
    }
}
