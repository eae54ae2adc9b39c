//! The call sequences of NextAuth v3 core (contract-v3 §5), reproduced in Rust so that flow
//! rules drive an adapter exactly as a Next.js app would: same methods, same order, same
//! arguments, same treatment of errors and return values.

use chrono::{DateTime, Utc};
use nextauth_adapter::{
    Adapter, AdapterError, Clock, EmailProvider, NewAccount, NewUser, Session, User, formulas,
};

/// How core keeps sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionMode {
    /// Database sessions: the cookie holds a session token.
    Database,
    /// JWT sessions with an adapter: the cookie holds a JWT whose `sub` is the user id.
    Jwt,
}

/// The profile an OAuth provider returns, after core lowercased the e-mail (§5.0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthProfile {
    /// The user's id at the provider (`profile.id`), stringified.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// E-mail address, lowercased by core.
    pub email: Option<String>,
    /// Avatar URL.
    pub image: Option<String>,
}

/// Where a sign-in ends when it fails: the `error=` of core's redirect (contract-v3 §6).
#[derive(Debug)]
pub enum SignInError {
    /// The provider account's e-mail belongs to a user it is not linked to, or it is linked to
    /// another user than the signed-in one.
    OAuthAccountNotLinked,
    /// `create_user` failed in the OAuth flow.
    OAuthCreateAccount(AdapterError),
    /// `create_user` failed in the e-mail flow.
    EmailCreateAccount(AdapterError),
    /// The e-mail link did not match a valid verification request.
    Verification,
    /// Creating the verification request or sending the e-mail failed.
    EmailSignin(AdapterError),
    /// Any other adapter failure.
    Callback(AdapterError),
}

impl SignInError {
    /// The `error=` value core redirects with.
    pub fn code(&self) -> &'static str {
        match self {
            SignInError::OAuthAccountNotLinked => "OAuthAccountNotLinked",
            SignInError::OAuthCreateAccount(_) => "OAuthCreateAccount",
            SignInError::EmailCreateAccount(_) => "EmailCreateAccount",
            SignInError::Verification => "Verification",
            SignInError::EmailSignin(_) => "EmailSignin",
            SignInError::Callback(_) => "Callback",
        }
    }
}

impl std::fmt::Display for SignInError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignInError::OAuthCreateAccount(e)
            | SignInError::EmailCreateAccount(e)
            | SignInError::EmailSignin(e)
            | SignInError::Callback(e) => write!(f, "error={} ({e})", self.code()),
            _ => write!(f, "error={}", self.code()),
        }
    }
}

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The signed-in user.
    pub user: User,
    /// The session whose token becomes the cookie (database sessions only).
    pub session: Option<Session>,
    /// Whether the user was created by this sign-in.
    pub is_new_user: bool,
}

/// What `GET /api/auth/session` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionRead {
    /// No cookie: `{}`.
    NoCookie,
    /// Unknown or expired session: `{}` and the cookie is cleared.
    Cleared,
    /// The session payload; `expires` is the session's (possibly extended) expiry.
    Active {
        /// The user's name, e-mail and image.
        user: (Option<String>, Option<String>, Option<String>),
        /// The session's own access token.
        access_token: String,
        /// The expiry sent to the client and set on the cookie.
        expires: DateTime<Utc>,
    },
    /// Core caught an error (`SESSION_ERROR`): `{}`, and the cookie is *not* cleared.
    Error(String),
}

/// v3 core, driving one adapter.
pub struct Core<'a> {
    /// The adapter.
    pub adapter: &'a dyn Adapter,
    /// Core's clock (`new Date()`), shared with the adapter in tests.
    pub clock: &'a dyn Clock,
    /// The e-mail provider.
    pub provider: &'a EmailProvider,
    /// `options.secret`.
    pub secret: &'a str,
    /// `options.baseUrl`.
    pub base_url: &'a str,
    /// Database or JWT sessions.
    pub mode: SessionMode,
}

impl Core<'_> {
    /// The OAuth callback (§5.1–§5.3, §5.7): `cookie` is the session cookie (database mode)
    /// or the JWT's `sub` (JWT mode), if the browser has one.
    pub async fn oauth_callback(
        &self,
        provider_id: &str,
        profile: &OAuthProfile,
        refresh_token: Option<&str>,
        access_token: Option<&str>,
        cookie: Option<&str>,
    ) -> Result<SignedIn, SignInError> {
        let a = self.adapter;
        // Route: the lookup that chooses what the signIn callback sees.
        a.get_user_by_provider_account_id(provider_id, &profile.id)
            .await
            .map_err(SignInError::Callback)?;
        // callbackHandler.
        let (session, signed_in_user) = self.current_user(cookie).await?;
        let existing = a
            .get_user_by_provider_account_id(provider_id, &profile.id)
            .await
            .map_err(SignInError::Callback)?;
        if let Some(existing) = existing {
            if let Some(current) = signed_in_user {
                if existing.id == current.id {
                    return Ok(SignedIn {
                        user: current,
                        session,
                        is_new_user: false,
                    });
                }
                return Err(SignInError::OAuthAccountNotLinked);
            }
            let session = self.start_session(&existing).await?;
            return Ok(SignedIn {
                user: existing,
                session,
                is_new_user: false,
            });
        }
        let account = |user_id: &str| NewAccount {
            user_id: user_id.to_owned(),
            provider_id: provider_id.to_owned(),
            provider_type: "oauth".to_owned(),
            provider_account_id: profile.id.clone(),
            refresh_token: refresh_token.map(str::to_owned),
            access_token: access_token.map(str::to_owned),
            access_token_expires: None,
        };
        if let Some(current) = signed_in_user {
            // Linking while signed in: no e-mail check on this path (§5.3).
            a.link_account(account(&current.id))
                .await
                .map_err(SignInError::Callback)?;
            return Ok(SignedIn {
                user: current,
                session,
                is_new_user: false,
            });
        }
        if profile.email.is_some()
            && a.get_user_by_email(profile.email.as_deref())
                .await
                .map_err(SignInError::Callback)?
                .is_some()
        {
            return Err(SignInError::OAuthAccountNotLinked);
        }
        let user = a
            .create_user(NewUser {
                name: profile.name.clone(),
                email: profile.email.clone(),
                image: profile.image.clone(),
                email_verified: None,
            })
            .await
            .map_err(SignInError::OAuthCreateAccount)?;
        a.link_account(account(&user.id))
            .await
            .map_err(SignInError::Callback)?;
        let session = self.start_session(&user).await?;
        Ok(SignedIn {
            user,
            session,
            is_new_user: true,
        })
    }

    /// `POST /api/auth/signin/email` (§5.4a): lowercases the address, looks the user up, and
    /// creates the verification request with a fresh token. Returns the raw token, as the
    /// e-mail would carry it.
    pub async fn email_sign_in(&self, email: &str) -> Result<String, SignInError> {
        let email = email.to_lowercase();
        self.adapter
            .get_user_by_email(Some(&email))
            .await
            .map_err(SignInError::EmailSignin)?;
        let token = formulas::random_token();
        let url = formulas::verification_url(
            self.base_url,
            "/api/auth",
            &self.provider.id,
            &email,
            &token,
        );
        self.adapter
            .create_verification_request(&email, &url, &token, self.secret, self.provider)
            .await
            .map_err(SignInError::EmailSignin)?;
        Ok(token)
    }

    /// `GET /api/auth/callback/email?email=&token=` (§5.4b). `email` is taken verbatim from
    /// the link, as core does.
    pub async fn email_callback(
        &self,
        email: &str,
        token: &str,
        cookie: Option<&str>,
    ) -> Result<SignedIn, SignInError> {
        let a = self.adapter;
        let request = a
            .get_verification_request(email, token, self.secret, self.provider)
            .await
            .map_err(SignInError::Callback)?;
        if request.is_none() {
            return Err(SignInError::Verification);
        }
        a.delete_verification_request(email, token, self.secret, self.provider)
            .await
            .map_err(SignInError::Callback)?;
        let profile_email = a
            .get_user_by_email(Some(email))
            .await
            .map_err(SignInError::Callback)?
            .and_then(|u| u.email)
            .unwrap_or_else(|| email.to_owned());
        let (_, signed_in_user) = self.current_user(cookie).await?;
        let existing = a
            .get_user_by_email(Some(&profile_email))
            .await
            .map_err(SignInError::Callback)?;
        let (user, is_new_user) = match existing {
            Some(existing) => {
                if let (Some(current), Some(cookie)) = (&signed_in_user, cookie)
                    && current.id != existing.id
                    && self.mode == SessionMode::Database
                {
                    a.delete_session(Some(cookie))
                        .await
                        .map_err(SignInError::Callback)?;
                }
                let verified = User {
                    email_verified: Some(self.clock.now()),
                    ..existing
                };
                let user = a
                    .update_user(&verified)
                    .await
                    .map_err(SignInError::Callback)?;
                (user, false)
            }
            None => {
                let user = a
                    .create_user(NewUser {
                        email: Some(profile_email),
                        email_verified: Some(self.clock.now()),
                        ..NewUser::default()
                    })
                    .await
                    .map_err(SignInError::EmailCreateAccount)?;
                (user, true)
            }
        };
        let session = self.start_session(&user).await?;
        Ok(SignedIn {
            user,
            session,
            is_new_user,
        })
    }

    /// `GET /api/auth/session` with database sessions (§5.5).
    pub async fn read_session(&self, cookie: Option<&str>) -> SessionRead {
        let Some(cookie) = cookie else {
            return SessionRead::NoCookie;
        };
        let a = self.adapter;
        let mut session = match a.get_session(Some(cookie)).await {
            Ok(Some(s)) => s,
            Ok(None) => return SessionRead::Cleared,
            Err(e) => return SessionRead::Error(e.to_string()),
        };
        // Core ignores the return value and reads the mutated argument.
        if let Err(e) = a.update_session(&mut session, false).await {
            return SessionRead::Error(e.to_string());
        }
        match a.get_user(&session.user_id).await {
            Ok(Some(user)) => SessionRead::Active {
                user: (user.name, user.email, user.image),
                access_token: session.access_token,
                expires: session.expires,
            },
            Ok(None) => SessionRead::Error(
                "TypeError: Cannot read property 'name' of null (the session's user is gone)"
                    .to_owned(),
            ),
            Err(e) => SessionRead::Error(e.to_string()),
        }
    }

    /// `POST /api/auth/signout` with database sessions (§5.6): both calls happen even without
    /// a cookie; errors are logged and swallowed. Returns the errors core would have logged.
    pub async fn sign_out(&self, cookie: Option<&str>) -> Vec<AdapterError> {
        let mut logged = Vec::new();
        if let Err(e) = self.adapter.get_session(cookie).await {
            logged.push(e);
        }
        if let Err(e) = self.adapter.delete_session(cookie).await {
            logged.push(e);
        }
        logged
    }

    /// The signed-in state callbackHandler derives from the cookie.
    async fn current_user(
        &self,
        cookie: Option<&str>,
    ) -> Result<(Option<Session>, Option<User>), SignInError> {
        let a = self.adapter;
        let Some(cookie) = cookie else {
            return Ok((None, None));
        };
        match self.mode {
            SessionMode::Database => {
                let session = a
                    .get_session(Some(cookie))
                    .await
                    .map_err(SignInError::Callback)?;
                let user = match &session {
                    Some(s) => a
                        .get_user(&s.user_id)
                        .await
                        .map_err(SignInError::Callback)?,
                    None => None,
                };
                Ok((session, user))
            }
            SessionMode::Jwt => {
                // `cookie` is the JWT's `sub`: a string id. Since v3.2 core also calls
                // getSession with the JWT string itself, which must find nothing.
                let user = a.get_user(cookie).await.map_err(SignInError::Callback)?;
                let jwt = format!("eyJhbGciOiJIUzUxMiJ9.{}.signature", cookie);
                let session = a
                    .get_session(Some(&jwt))
                    .await
                    .map_err(SignInError::Callback)?;
                Ok((session, user))
            }
        }
    }

    async fn start_session(&self, user: &User) -> Result<Option<Session>, SignInError> {
        match self.mode {
            SessionMode::Database => Ok(Some(
                self.adapter
                    .create_session(user)
                    .await
                    .map_err(SignInError::Callback)?,
            )),
            SessionMode::Jwt => Ok(None),
        }
    }
}
