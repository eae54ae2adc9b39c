//! The adapter methods of both contracts as values, so errors, reports and protocols can name
//! them: the fifteen of NextAuth.js v3 and the nineteen of Auth.js (`@auth/core`), ten of which
//! share their name and role with a v3 method.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A method of the v3 adapter contract (contract-v3 §1.1) or of the Auth.js one
/// ([`crate::authjs::Adapter`]). A method both contracts have (`createUser`, `linkAccount`,
/// `deleteSession`, …) is one variant: its arguments differ between the contracts, its role
/// does not. [`Method::V3`] and [`Method::AUTHJS`] list each contract's methods.
///
/// Every [`AdapterError`](crate::AdapterError) carries the method it came from, the way
/// NextAuth v3.20+ wraps every adapter failure in a per-method error (`GetSessionError`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Method {
    /// `createUser(profile)`.
    CreateUser,
    /// `getUser(id)`.
    GetUser,
    /// `getUserByEmail(email)`.
    GetUserByEmail,
    /// `getUserByProviderAccountId(providerId, providerAccountId)`.
    GetUserByProviderAccountId,
    /// `updateUser(user)`.
    UpdateUser,
    /// `deleteUser(userId)`: never called by v3 core.
    DeleteUser,
    /// `linkAccount(userId, providerId, providerType, providerAccountId, …)`.
    LinkAccount,
    /// `unlinkAccount(userId, providerId, providerAccountId)`: never called by v3 core.
    UnlinkAccount,
    /// `createSession(user)`.
    CreateSession,
    /// `getSession(sessionToken)`.
    GetSession,
    /// `updateSession(session, force)`.
    UpdateSession,
    /// `deleteSession(sessionToken)`.
    DeleteSession,
    /// `createVerificationRequest(identifier, url, token, secret, provider)`.
    CreateVerificationRequest,
    /// `getVerificationRequest(identifier, token, secret, provider)`.
    GetVerificationRequest,
    /// `deleteVerificationRequest(identifier, token, secret, provider)`.
    DeleteVerificationRequest,
    /// Auth.js `getUserByAccount({provider, providerAccountId})`.
    GetUserByAccount,
    /// Auth.js `getAccount(providerAccountId, provider)` (WebAuthn).
    GetAccount,
    /// Auth.js `getSessionAndUser(sessionToken)`.
    GetSessionAndUser,
    /// Auth.js `createVerificationToken({identifier, token, expires})`.
    CreateVerificationToken,
    /// Auth.js `useVerificationToken({identifier, token})`: returns and removes, once.
    UseVerificationToken,
    /// Auth.js `getAuthenticator(credentialID)` (WebAuthn).
    GetAuthenticator,
    /// Auth.js `createAuthenticator(authenticator)` (WebAuthn).
    CreateAuthenticator,
    /// Auth.js `listAuthenticatorsByUserId(userId)` (WebAuthn).
    ListAuthenticatorsByUserId,
    /// Auth.js `updateAuthenticatorCounter(credentialID, newCounter)` (WebAuthn).
    UpdateAuthenticatorCounter,
}

impl Method {
    /// The fifteen methods of the v3 contract, in the order of contract-v3 §1.1.
    pub const V3: [Method; 15] = [
        Method::CreateUser,
        Method::GetUser,
        Method::GetUserByEmail,
        Method::GetUserByProviderAccountId,
        Method::UpdateUser,
        Method::DeleteUser,
        Method::LinkAccount,
        Method::UnlinkAccount,
        Method::CreateSession,
        Method::GetSession,
        Method::UpdateSession,
        Method::DeleteSession,
        Method::CreateVerificationRequest,
        Method::GetVerificationRequest,
        Method::DeleteVerificationRequest,
    ];

    /// The nineteen methods of the Auth.js contract, in the order of `@auth/core`'s
    /// `Adapter` interface.
    pub const AUTHJS: [Method; 19] = [
        Method::CreateUser,
        Method::GetUser,
        Method::GetUserByEmail,
        Method::GetUserByAccount,
        Method::UpdateUser,
        Method::DeleteUser,
        Method::LinkAccount,
        Method::UnlinkAccount,
        Method::CreateSession,
        Method::GetSessionAndUser,
        Method::UpdateSession,
        Method::DeleteSession,
        Method::CreateVerificationToken,
        Method::UseVerificationToken,
        Method::GetAccount,
        Method::GetAuthenticator,
        Method::CreateAuthenticator,
        Method::ListAuthenticatorsByUserId,
        Method::UpdateAuthenticatorCounter,
    ];

    /// The nine methods only the Auth.js contract has.
    const AUTHJS_ONLY: [Method; 9] = [
        Method::GetUserByAccount,
        Method::GetAccount,
        Method::GetSessionAndUser,
        Method::CreateVerificationToken,
        Method::UseVerificationToken,
        Method::GetAuthenticator,
        Method::CreateAuthenticator,
        Method::ListAuthenticatorsByUserId,
        Method::UpdateAuthenticatorCounter,
    ];

    /// Every method of either contract: the v3 ones, then those only Auth.js has.
    pub const ALL: [Method; 24] = {
        let mut all = [Method::CreateUser; 24];
        let mut i = 0;
        while i < all.len() {
            all[i] = if i < Method::V3.len() {
                Method::V3[i]
            } else {
                Method::AUTHJS_ONLY[i - Method::V3.len()]
            };
            i += 1;
        }
        all
    };

    /// The JavaScript name of the method, as NextAuth v3 spells it (`getSession`).
    pub fn js_name(self) -> &'static str {
        match self {
            Method::CreateUser => "createUser",
            Method::GetUser => "getUser",
            Method::GetUserByEmail => "getUserByEmail",
            Method::GetUserByProviderAccountId => "getUserByProviderAccountId",
            Method::UpdateUser => "updateUser",
            Method::DeleteUser => "deleteUser",
            Method::LinkAccount => "linkAccount",
            Method::UnlinkAccount => "unlinkAccount",
            Method::CreateSession => "createSession",
            Method::GetSession => "getSession",
            Method::UpdateSession => "updateSession",
            Method::DeleteSession => "deleteSession",
            Method::CreateVerificationRequest => "createVerificationRequest",
            Method::GetVerificationRequest => "getVerificationRequest",
            Method::DeleteVerificationRequest => "deleteVerificationRequest",
            Method::GetUserByAccount => "getUserByAccount",
            Method::GetAccount => "getAccount",
            Method::GetSessionAndUser => "getSessionAndUser",
            Method::CreateVerificationToken => "createVerificationToken",
            Method::UseVerificationToken => "useVerificationToken",
            Method::GetAuthenticator => "getAuthenticator",
            Method::CreateAuthenticator => "createAuthenticator",
            Method::ListAuthenticatorsByUserId => "listAuthenticatorsByUserId",
            Method::UpdateAuthenticatorCounter => "updateAuthenticatorCounter",
        }
    }

    /// The Rust name of the method on [`Adapter`](crate::Adapter) or
    /// [`authjs::Adapter`](crate::authjs::Adapter) (`get_session`).
    pub fn rust_name(self) -> &'static str {
        match self {
            Method::CreateUser => "create_user",
            Method::GetUser => "get_user",
            Method::GetUserByEmail => "get_user_by_email",
            Method::GetUserByProviderAccountId => "get_user_by_provider_account_id",
            Method::UpdateUser => "update_user",
            Method::DeleteUser => "delete_user",
            Method::LinkAccount => "link_account",
            Method::UnlinkAccount => "unlink_account",
            Method::CreateSession => "create_session",
            Method::GetSession => "get_session",
            Method::UpdateSession => "update_session",
            Method::DeleteSession => "delete_session",
            Method::CreateVerificationRequest => "create_verification_request",
            Method::GetVerificationRequest => "get_verification_request",
            Method::DeleteVerificationRequest => "delete_verification_request",
            Method::GetUserByAccount => "get_user_by_account",
            Method::GetAccount => "get_account",
            Method::GetSessionAndUser => "get_session_and_user",
            Method::CreateVerificationToken => "create_verification_token",
            Method::UseVerificationToken => "use_verification_token",
            Method::GetAuthenticator => "get_authenticator",
            Method::CreateAuthenticator => "create_authenticator",
            Method::ListAuthenticatorsByUserId => "list_authenticators_by_user_id",
            Method::UpdateAuthenticatorCounter => "update_authenticator_counter",
        }
    }

    /// The error name NextAuth v3.20+ gives a failure of this method (`GetSessionError`).
    pub fn v3_error_name(self) -> String {
        let js = self.js_name();
        let mut name = String::with_capacity(js.len() + 5);
        let mut chars = js.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
        }
        name.extend(chars);
        name.push_str("Error");
        name
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.rust_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_error_names_follow_core_wrapper() {
        assert_eq!(Method::CreateUser.v3_error_name(), "CreateUserError");
        assert_eq!(Method::GetSession.v3_error_name(), "GetSessionError");
    }

    #[test]
    fn all_methods_are_distinct_and_named() {
        let mut js: Vec<_> = Method::ALL.iter().map(|m| m.js_name()).collect();
        js.sort();
        js.dedup();
        assert_eq!(js.len(), 24);
        for (list, n) in [(&Method::V3[..], 15), (&Method::AUTHJS[..], 19)] {
            let mut names: Vec<_> = list.iter().map(|m| m.rust_name()).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), n);
            assert!(list.iter().all(|m| Method::ALL.contains(m)));
        }
        // Ten methods are shared; their JavaScript names are the same in both contracts.
        let shared = Method::AUTHJS
            .iter()
            .filter(|m| Method::V3.contains(m))
            .count();
        assert_eq!(shared, 10);
        let json = serde_json::to_string(&Method::GetUserByProviderAccountId).unwrap();
        assert_eq!(json, "\"getUserByProviderAccountId\"");
    }
}
