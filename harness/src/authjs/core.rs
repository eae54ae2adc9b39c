//! `@auth/core`'s use of the adapter, modelled call for call (specification §14.9): the
//! sequences the flow rules run, with core's own decisions (expiry, the rolling extension,
//! account linking) made here and never by the adapter.

use super::context::{MAX_AGE, TOKEN_AGE, UPDATE_AGE};
use crate::context::SECRET;
use chrono::{DateTime, Utc};
use nextauth_adapter::authjs::{
    Account, AccountKey, Adapter, Authenticator, NewUser, Patch, Session, SessionAndUser,
    SessionPatch, User, UserPatch, VerificationKey, VerificationToken,
};
use nextauth_adapter::{AdapterError, formulas};

/// How a sign-in ended, as core reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// Signed in: core sets the cookie to this session.
    Session {
        /// The session core created.
        session: Session,
        /// Its user.
        user: User,
        /// Whether the user was created by this sign-in.
        is_new_user: bool,
    },
    /// An account was linked to the signed-in user; the session stays.
    Linked {
        /// The signed-in user.
        user: User,
    },
    /// Core refused: `OAuthAccountNotLinked`, `AccountNotLinked` or `Verification`.
    Refused(&'static str),
}

/// What a core step failed with: the adapter's error, or an answer core cannot use (a
/// missing row the sequence just wrote).
#[derive(Debug)]
pub enum CoreError {
    /// The adapter failed; core shows `error=Configuration`.
    Adapter(AdapterError),
    /// The adapter answered something core cannot go on with.
    Broken(String),
}

impl From<AdapterError> for CoreError {
    fn from(e: AdapterError) -> Self {
        CoreError::Adapter(e)
    }
}

impl std::fmt::Display for CoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CoreError::Adapter(e) => write!(f, "adapter error: {e}"),
            CoreError::Broken(why) => f.write_str(why),
        }
    }
}

impl From<CoreError> for crate::rule::Failure {
    fn from(e: CoreError) -> Self {
        crate::rule::Failure::new(format!("core's sequence failed: {e}"))
    }
}

type Result<T> = std::result::Result<T, CoreError>;

/// The signed-in user of a session cookie, as handle-login reads it (no expiry check).
async fn signed_in(a: &dyn Adapter, cookie: Option<&str>) -> Result<Option<User>> {
    Ok(match cookie {
        Some(token) => a.get_session_and_user(token).await?.map(|s| s.user),
        None => None,
    })
}

async fn new_session(
    a: &dyn Adapter,
    user: &User,
    token: String,
    now: DateTime<Utc>,
) -> Result<Session> {
    Ok(a.create_session(Session {
        session_token: token,
        user_id: user.id.clone(),
        expires: now + MAX_AGE,
    })
    .await?)
}

/// The OAuth callback: `getUserByAccount`, then link, create or refuse (handle-login).
/// `session_token` is the token core generates for a new session.
pub async fn oauth_callback(
    a: &dyn Adapter,
    now: DateTime<Utc>,
    cookie: Option<&str>,
    profile: NewUser,
    account: Account,
    allow_dangerous_email_linking: bool,
    session_token: String,
) -> Result<SignIn> {
    let key = account.key();
    // callback/index.ts asks once for the signIn callback, handle-login again.
    a.get_user_by_account(&key).await?;
    let current = signed_in(a, cookie).await?;
    if let Some(owner) = a.get_user_by_account(&key).await? {
        return Ok(match current {
            Some(user) if user.id == owner.id => SignIn::Linked { user },
            Some(_) => SignIn::Refused("OAuthAccountNotLinked"),
            None => SignIn::Session {
                session: new_session(a, &owner, session_token, now).await?,
                user: owner,
                is_new_user: false,
            },
        });
    }
    if let Some(user) = current {
        a.link_account(Account {
            user_id: user.id.clone(),
            ..account
        })
        .await?;
        return Ok(SignIn::Linked { user });
    }
    let by_email = match profile.email.as_deref() {
        Some(email) => a.get_user_by_email(email).await?,
        None => None,
    };
    let (user, is_new_user) = match by_email {
        Some(user) if allow_dangerous_email_linking => (user, false),
        Some(_) => return Ok(SignIn::Refused("OAuthAccountNotLinked")),
        None => (
            a.create_user(NewUser {
                email_verified: None,
                ..profile
            })
            .await?,
            true,
        ),
    };
    a.link_account(Account {
        user_id: user.id.clone(),
        ..account
    })
    .await?;
    Ok(SignIn::Session {
        session: new_session(a, &user, session_token, now).await?,
        user,
        is_new_user,
    })
}

/// The e-mail sign-in's send step: the token core stores for `identifier` (the raw token goes
/// in the e-mail).
pub async fn email_send(
    a: &dyn Adapter,
    now: DateTime<Utc>,
    identifier: &str,
    raw_token: &str,
) -> Result<VerificationToken> {
    a.get_user_by_email(identifier).await?;
    let token = VerificationToken {
        identifier: identifier.to_owned(),
        token: formulas::hash_token(raw_token, SECRET),
        expires: now + TOKEN_AGE,
    };
    a.create_verification_token(token.clone()).await?;
    Ok(token)
}

/// The e-mail sign-in's callback: use the token once, check it as core does (strict `<`),
/// then find or create the user, mark it verified and start a session.
#[allow(clippy::too_many_arguments)]
pub async fn email_callback(
    a: &dyn Adapter,
    now: DateTime<Utc>,
    cookie: Option<&str>,
    identifier: &str,
    raw_token: &str,
    new_user_id: String,
    session_token: String,
) -> Result<SignIn> {
    let key = VerificationKey {
        identifier: identifier.to_owned(),
        token: formulas::hash_token(raw_token, SECRET),
    };
    let Some(invite) = a.use_verification_token(&key).await? else {
        return Ok(SignIn::Refused("Verification"));
    };
    if invite.expires < now || invite.identifier != identifier {
        return Ok(SignIn::Refused("Verification"));
    }
    a.get_user_by_email(&invite.identifier).await?;
    let current = signed_in(a, cookie).await?;
    let (user, is_new_user) = match a.get_user_by_email(&invite.identifier).await? {
        Some(existing) => {
            if let Some(token) = cookie
                && current.as_ref().map(|u| &u.id) != Some(&existing.id)
            {
                a.delete_session(token).await?;
            }
            let updated = a
                .update_user(UserPatch {
                    email_verified: Patch::Set(now),
                    ..UserPatch::of(&existing.id)
                })
                .await?;
            (updated, false)
        }
        None => (
            a.create_user(NewUser {
                id: Some(new_user_id),
                email: Some(invite.identifier.clone()),
                email_verified: Some(now),
                name: None,
                image: None,
            })
            .await?,
            true,
        ),
    };
    Ok(SignIn::Session {
        session: new_session(a, &user, session_token, now).await?,
        user,
        is_new_user,
    })
}

/// Reading the session (`GET /api/auth/session`): an expired session is deleted and gives
/// none; a valid one due for extension (`expires − maxAge + updateAge ≤ now`) is extended to
/// `now + maxAge`.
pub async fn session_read(
    a: &dyn Adapter,
    now: DateTime<Utc>,
    token: &str,
) -> Result<Option<SessionAndUser>> {
    let Some(found) = a.get_session_and_user(token).await? else {
        return Ok(None);
    };
    if found.session.expires < now {
        a.delete_session(token).await?;
        return Ok(None);
    }
    if found.session.expires - MAX_AGE + UPDATE_AGE <= now {
        a.update_session(SessionPatch {
            session_token: token.to_owned(),
            user_id: None,
            expires: Some(now + MAX_AGE),
        })
        .await?;
    }
    Ok(Some(found))
}

/// Sign-out: the session is deleted.
pub async fn sign_out(a: &dyn Adapter, token: &str) -> Result<()> {
    Ok(a.delete_session(token).await?)
}

/// The `webauthn` account core links for a credential: no tokens, the credential id as the
/// provider's account id.
pub fn webauthn_account(user_id: &str, credential_id: &str) -> Account {
    Account {
        user_id: user_id.to_owned(),
        account_type: nextauth_adapter::authjs::AccountType::Webauthn,
        provider: "webauthn".to_owned(),
        provider_account_id: credential_id.to_owned(),
        refresh_token: None,
        access_token: None,
        expires_at: None,
        token_type: None,
        scope: None,
        id_token: None,
        session_state: None,
    }
}

/// A WebAuthn registration by someone signed out: a user without core's id (the adapter
/// issues it), its `webauthn` account, a session, then the credential.
pub async fn webauthn_register(
    a: &dyn Adapter,
    now: DateTime<Utc>,
    email: &str,
    authenticator: Authenticator,
    session_token: String,
) -> Result<SignIn> {
    if a.get_user_by_email(email).await?.is_some() {
        return Ok(SignIn::Refused("AccountNotLinked"));
    }
    let key = AccountKey::new("webauthn", &authenticator.provider_account_id);
    if a.get_user_by_account(&key).await?.is_some() {
        return Ok(SignIn::Refused("AccountNotLinked"));
    }
    let user = a
        .create_user(NewUser {
            id: None,
            email: Some(email.to_owned()),
            email_verified: None,
            name: None,
            image: None,
        })
        .await?;
    a.link_account(webauthn_account(&user.id, &key.provider_account_id))
        .await?;
    let session = new_session(a, &user, session_token, now).await?;
    a.create_authenticator(Authenticator {
        user_id: user.id.clone(),
        ..authenticator
    })
    .await?;
    Ok(SignIn::Session {
        session,
        user,
        is_new_user: true,
    })
}

/// A WebAuthn authentication: the credential, its counter raised, its account, its user, a
/// session.
pub async fn webauthn_authenticate(
    a: &dyn Adapter,
    now: DateTime<Utc>,
    credential_id: &str,
    new_counter: u64,
    session_token: String,
) -> Result<SignIn> {
    let Some(authenticator) = a.get_authenticator(credential_id).await? else {
        return Ok(SignIn::Refused("WebAuthnAuthenticatorNotFound"));
    };
    a.update_authenticator_counter(&authenticator.credential_id, new_counter)
        .await?;
    let Some(account) = a
        .get_account(&authenticator.provider_account_id, "webauthn")
        .await?
    else {
        return Err(CoreError::Broken(format!(
            "the credential's account webauthn/{} is missing",
            authenticator.provider_account_id
        )));
    };
    let Some(user) = a.get_user(&account.user_id).await? else {
        return Err(CoreError::Broken(format!(
            "the account's user {} is missing",
            account.user_id
        )));
    };
    Ok(SignIn::Session {
        session: new_session(a, &user, session_token, now).await?,
        user,
        is_new_user: false,
    })
}
