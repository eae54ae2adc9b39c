//! What an Auth.js adapter declares about itself: which of the optional methods it
//! implements, and the choices on which the maintained adapters legitimately differ.

use crate::capabilities::{EmailMatching, TimestampPrecision};
use crate::method::Method;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A set of adapter methods: which of `@auth/core`'s optional methods an adapter implements.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MethodSet(u32);

impl MethodSet {
    /// No method.
    pub const EMPTY: MethodSet = MethodSet(0);

    /// The ten methods core requires of every adapter used with database sessions or an
    /// OAuth provider.
    pub const CORE: MethodSet = MethodSet::of(&[
        Method::CreateUser,
        Method::GetUser,
        Method::GetUserByEmail,
        Method::GetUserByAccount,
        Method::UpdateUser,
        Method::LinkAccount,
        Method::CreateSession,
        Method::GetSessionAndUser,
        Method::UpdateSession,
        Method::DeleteSession,
    ]);

    /// The two methods core requires for an e-mail provider.
    pub const VERIFICATION: MethodSet = MethodSet::of(&[
        Method::CreateVerificationToken,
        Method::UseVerificationToken,
    ]);

    /// The two methods core never calls and Auth.js's shared tests require of official
    /// adapters ("future methods").
    pub const DELETION: MethodSet = MethodSet::of(&[Method::DeleteUser, Method::UnlinkAccount]);

    /// The five methods core requires for the WebAuthn provider.
    pub const WEBAUTHN: MethodSet = MethodSet::of(&[
        Method::GetAccount,
        Method::GetAuthenticator,
        Method::CreateAuthenticator,
        Method::ListAuthenticatorsByUserId,
        Method::UpdateAuthenticatorCounter,
    ]);

    /// All nineteen methods.
    pub const ALL: MethodSet = MethodSet::of(&Method::AUTHJS);

    /// The set of `methods` (methods outside the Auth.js contract are ignored).
    pub const fn of(methods: &[Method]) -> MethodSet {
        let mut bits = 0;
        let mut i = 0;
        while i < methods.len() {
            bits |= 1 << methods[i] as u32;
            i += 1;
        }
        MethodSet(bits & Self::authjs_bits())
    }

    const fn authjs_bits() -> u32 {
        let mut bits = 0;
        let mut i = 0;
        while i < Method::AUTHJS.len() {
            bits |= 1 << Method::AUTHJS[i] as u32;
            i += 1;
        }
        bits
    }

    /// Both sets' methods.
    pub const fn union(self, other: MethodSet) -> MethodSet {
        MethodSet(self.0 | other.0)
    }

    /// This set without `other`'s methods.
    pub const fn without(self, other: MethodSet) -> MethodSet {
        MethodSet(self.0 & !other.0)
    }

    /// Whether `method` is in the set.
    pub const fn contains(self, method: Method) -> bool {
        self.0 & (1 << method as u32) != 0
    }

    /// Whether every method of `other` is in the set.
    pub const fn contains_all(self, other: MethodSet) -> bool {
        self.0 & other.0 == other.0
    }

    /// The methods in the set, in the order of [`Method::AUTHJS`].
    pub fn iter(self) -> impl Iterator<Item = Method> {
        Method::AUTHJS
            .into_iter()
            .filter(move |m| self.contains(*m))
    }
}

impl fmt::Debug for MethodSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.iter().map(Method::js_name))
            .finish()
    }
}

impl Serialize for MethodSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for MethodSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let methods = Vec::<Method>::deserialize(deserializer)?;
        if let Some(m) = methods.iter().find(|m| !Method::AUTHJS.contains(m)) {
            return Err(serde::de::Error::custom(format!(
                "{} is not a method of the Auth.js adapter",
                m.js_name()
            )));
        }
        Ok(MethodSet::of(&methods))
    }
}

/// Who chooses a new user's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdSource {
    /// The adapter stores the id core passes to `create_user` (TypeORM, Sequelize,
    /// MikroORM), and issues one when core passes none.
    #[default]
    Core,
    /// The adapter issues its own ids and ignores core's (Prisma's cuid, Kysely's and
    /// Drizzle's UUIDs, pg's serial integers).
    Adapter,
}

/// Everything an Auth.js adapter declares about itself. The conformance suite reads it to
/// choose which rules apply and what they expect; a rule about a method the adapter does not
/// implement is reported as not applicable, with the declaration as its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Capabilities {
    /// The methods the adapter implements; every other one returns
    /// [`Unsupported`](crate::AdapterError::Unsupported).
    pub methods: MethodSet,
    /// Who chooses a new user's id.
    pub user_id: IdSource,
    /// How e-mail addresses are compared (PostgreSQL `text`: exact; MariaDB's
    /// `utf8mb4_unicode_ci`: without case).
    pub email_matching: EmailMatching,
    /// The finest time step stored (a JavaScript `Date`: milliseconds).
    pub timestamp_precision: TimestampPrecision,
}

impl Capabilities {
    /// Every method, core's ids kept, exact e-mail matching, millisecond instants: the
    /// reference adapter's default.
    pub const FULL: Capabilities = Capabilities {
        methods: MethodSet::ALL,
        user_id: IdSource::Core,
        email_matching: EmailMatching::Exact,
        timestamp_precision: TimestampPrecision::Millisecond,
    };

    /// Whether the adapter implements `method`.
    pub fn implements(&self, method: Method) -> bool {
        self.methods.contains(method)
    }
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities::FULL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_sets_partition_the_contract() {
        let groups = [
            MethodSet::CORE,
            MethodSet::VERIFICATION,
            MethodSet::DELETION,
            MethodSet::WEBAUTHN,
        ];
        let mut union = MethodSet::EMPTY;
        for g in groups {
            assert_eq!(
                union.union(g).iter().count(),
                union.iter().count() + g.iter().count()
            );
            union = union.union(g);
        }
        assert_eq!(union, MethodSet::ALL);
        assert_eq!(MethodSet::ALL.iter().count(), 19);
        assert!(!MethodSet::ALL.contains(Method::GetSession));
        assert_eq!(MethodSet::of(&[Method::GetSession]), MethodSet::EMPTY);
    }

    #[test]
    fn method_sets_serialise_as_javascript_names() {
        let set = MethodSet::VERIFICATION;
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(
            json,
            r#"["createVerificationToken","useVerificationToken"]"#
        );
        assert_eq!(serde_json::from_str::<MethodSet>(&json).unwrap(), set);
        let err = serde_json::from_str::<MethodSet>(r#"["getSession"]"#).unwrap_err();
        assert!(
            err.to_string().contains("getSession is not a method"),
            "{err}"
        );
    }

    #[test]
    fn declarations_round_trip() {
        let caps = Capabilities {
            methods: MethodSet::CORE.union(MethodSet::VERIFICATION),
            user_id: IdSource::Adapter,
            ..Capabilities::FULL
        };
        let json = serde_json::to_string(&caps).unwrap();
        assert_eq!(serde_json::from_str::<Capabilities>(&json).unwrap(), caps);
        assert!(caps.implements(Method::UseVerificationToken));
        assert!(!caps.implements(Method::DeleteUser));
    }
}
