//! The fifteen adapter methods as values, so errors, reports and protocols can name them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One of the fifteen methods of the v3 adapter contract (contract-v3 §1.1).
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
}

impl Method {
    /// All fifteen methods, in the order of contract-v3 §1.1.
    pub const ALL: [Method; 15] = [
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
        }
    }

    /// The Rust name of the method on [`Adapter`](crate::Adapter) (`get_session`).
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
        assert_eq!(js.len(), 15);
        let json = serde_json::to_string(&Method::GetUserByProviderAccountId).unwrap();
        assert_eq!(json, "\"getUserByProviderAccountId\"");
    }
}
