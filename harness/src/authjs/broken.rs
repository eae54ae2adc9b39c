//! Deliberately broken Auth.js adapters: the Auth.js reference with exactly one behaviour
//! broken, each listed once in [`DEFECTS`] with the rules that must catch it. Most are what
//! the maintained npm adapters were seen to do, or what a missing constraint or a
//! check-then-write gap makes an adapter do (specification §15).

use super::backend::{BackendFactory, Fixture};
use crate::backend::BackendError;
use async_trait::async_trait;
use nextauth_adapter::authjs::{
    Account, AccountKey, Adapter, Authenticator, Capabilities, IdSource, MethodSet, NewUser, Patch,
    Session, SessionAndUser, SessionPatch, User, UserPatch, VerificationKey, VerificationToken,
};
use nextauth_adapter::{AdapterError, EmailMatching, Entity, Method, Result, TimestampPrecision};
use nextauth_adapter_reference::authjs::ReferenceAdapter;
use std::sync::Arc;
use std::time::Duration;

/// What one broken adapter gets wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    IgnoresCoreId,
    UpdateClearsAbsent,
    UpdateUpserts,
    UpdateMissingReturnsNothing,
    DuplicateEmail,
    EmailCaseFolded,
    WildcardEmail,
    DeleteWithoutCascade,
    DeclaredDeleteMissing,
    AccountKeyByIdOnly,
    UnlinkRemovesAll,
    AccountFieldsDropped,
    TokenTruncated,
    ExpiresAtInt32,
    SessionUpdateUpserts,
    SessionUpdateDropsUser,
    DeleteSessionAllOfUser,
    SessionSeconds,
    TokenNotConsumed,
    TokenIgnoresIdentifier,
    WrongIdentifierConsumes,
    TokenGetThenDelete,
    CreateUserCheckThenInsert,
    LinkCheckThenInsert,
    CounterNotStored,
    ListsEveryAuthenticator,
    OrphansAccepted,
    DatabaseClockExpiry,
    UnknownKeysFallBack,
    AddressRequired,
    IdRequired,
    UpdateReturnsOld,
    UpdateEmailUnchecked,
    EmailCheckCountsSelf,
    DuplicatesOverwrite,
    SessionReturnedOtherwise,
    MissingRowsFail,
    TokenRehashed,
    TokenMatchedByIdentifier,
    TransportsDropped,
    DeclaresCoreOnly,
    SaysOtherwise,
    DeclaresVerificationOnly,
    VerifiedDropped,
    OneSessionPerUser,
}

/// One deliberately broken behaviour.
#[derive(Clone, Copy)]
pub struct Defect {
    /// The name on the command line, e.g. `authjs-token-not-consumed`.
    pub name: &'static str,
    /// What is broken.
    pub summary: &'static str,
    /// The rules that must fail against it.
    pub caught_by: &'static [&'static str],
    kind: Kind,
}

impl std::fmt::Debug for Defect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for Defect {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Defect {}

impl Defect {
    /// Every Auth.js defect.
    pub fn all() -> &'static [Defect] {
        DEFECTS
    }

    /// The defect with this name, if any.
    pub fn find(name: &str) -> Option<Defect> {
        DEFECTS.iter().copied().find(|d| d.name == name)
    }
}

const fn defect(
    name: &'static str,
    kind: Kind,
    summary: &'static str,
    caught_by: &'static [&'static str],
) -> Defect {
    Defect {
        name,
        summary,
        caught_by,
        kind,
    }
}

/// Every Auth.js defect, with the rules that catch it.
pub const DEFECTS: &[Defect] = &[
    defect(
        "authjs-verified-dropped",
        Kind::VerifiedDropped,
        "create_user stores no emailVerified, whatever core passed",
        &[
            "authjs.users.create.stored-as-given",
            "authjs.flows.email.first-sign-in",
            "authjs.data.timestamps.declared-precision",
        ],
    ),
    defect(
        "authjs-one-session-per-user",
        Kind::OneSessionPerUser,
        "create_session removes the user's other sessions: signing in on a second device signs the first out",
        &[
            "authjs.flows.oauth.returning-user",
            "authjs.concurrency.create-session.one-token",
        ],
    ),
    defect(
        "authjs-database-clock-expiry",
        Kind::DatabaseClockExpiry,
        "get_session_and_user and use_verification_token hide rows the database clock finds expired: expiry decided by the adapter, and by another clock than core's",
        &[
            "authjs.sessions.get.with-user",
            "authjs.sessions.get.expired-returned",
            "authjs.sessions.expires.boundary-kept",
            "authjs.verification.use.returns-once",
            "authjs.verification.use.wrong-identifier",
            "authjs.verification.use.removes-only-that-token",
            "authjs.verification.use.expired-returned-and-removed",
            "authjs.verification.expires.boundary-kept",
            "authjs.verification.create.duplicate-used-once",
            "authjs.flows.oauth.first-sign-in",
            "authjs.flows.oauth.linking-while-signed-in",
            "authjs.flows.email.first-sign-in",
            "authjs.flows.email.existing-user-verified",
            "authjs.flows.email.expired-link-refused",
            "authjs.flows.session.rolling-extension",
            "authjs.flows.session.expired-deleted",
            "authjs.flows.sign-out",
            "authjs.data.timestamps.declared-precision",
            "authjs.security.verification.key-is-exact",
            "authjs.concurrency.verification.used-once",
        ],
    ),
    defect(
        "authjs-unknown-keys-fall-back",
        Kind::UnknownKeysFallBack,
        "get_user, get_user_by_email and get_user_by_account answer an unknown key with the first user",
        &[
            "authjs.users.get.by-id",
            "authjs.users.get-by-email.found-and-missing",
            "authjs.users.get-by-email.declared-matching",
            "authjs.users.delete.cascades",
            "authjs.accounts.get-user-by-account.found-and-missing",
            "authjs.accounts.key-is-both-parts",
            "authjs.accounts.unlink.removes-that-account",
            "authjs.flows.oauth.same-email-refused",
            "authjs.security.lookups.exact",
        ],
    ),
    defect(
        "authjs-address-required",
        Kind::AddressRequired,
        "create_user refuses a user without an address (a NOT NULL e-mail column)",
        &["authjs.users.create.without-email"],
    ),
    defect(
        "authjs-id-required",
        Kind::IdRequired,
        "create_user refuses a user without core's id (WebAuthn registration fails)",
        &[
            "authjs.users.create.issues-id-when-core-gives-none",
            "authjs.flows.webauthn.register-and-authenticate",
        ],
    ),
    defect(
        "authjs-update-returns-old",
        Kind::UpdateReturnsOld,
        "update_user stores the update but returns the user as it was",
        &[
            "authjs.users.update.returns-stored",
            "authjs.users.update.keeps-absent-fields",
            "authjs.users.update.null-clears",
            "authjs.flows.email.existing-user-verified",
        ],
    ),
    defect(
        "authjs-update-email-unchecked",
        Kind::UpdateEmailUnchecked,
        "update_user writes an address another user has",
        &["authjs.users.update.email-conflict"],
    ),
    defect(
        "authjs-says-otherwise",
        Kind::SaysOtherwise,
        "the adapter's own capabilities() say it issues ids and compares addresses without case, where its factory declares core's ids and exact matching",
        &["authjs.adapter.capabilities.match-declaration"],
    ),
    defect(
        "authjs-email-check-counts-self",
        Kind::EmailCheckCountsSelf,
        "update_user refuses any address a user has, the user's own included (a check-then-update that forgets to exclude the row it updates)",
        &["authjs.users.update.email-conflict"],
    ),
    defect(
        "authjs-duplicates-overwrite",
        Kind::DuplicatesOverwrite,
        "link_account, create_session and create_authenticator overwrite a row with the same key (an upsert)",
        &[
            "authjs.accounts.link.unique",
            "authjs.sessions.create.token-unique",
            "authjs.authenticators.create.credential-unique",
            "authjs.concurrency.link-account.one-account",
            "authjs.concurrency.create-session.one-token",
        ],
    ),
    defect(
        "authjs-session-returned-otherwise",
        Kind::SessionReturnedOtherwise,
        "create_session returns the session with another expiry than it stored",
        &[
            "authjs.sessions.create.stored-as-given",
            "authjs.sessions.get.with-user",
            "authjs.sessions.get.expired-returned",
            "authjs.sessions.delete.removes-that-session",
            "authjs.flows.session.rolling-extension",
            "authjs.flows.session.expired-deleted",
            "authjs.data.timestamps.declared-precision",
        ],
    ),
    defect(
        "authjs-missing-rows-fail",
        Kind::MissingRowsFail,
        "delete_session, unlink_account and delete_user of a missing row fail with a backend error",
        &[
            "authjs.users.delete.missing-is-harmless",
            "authjs.accounts.unlink.missing-is-harmless",
            "authjs.sessions.delete.missing-is-harmless",
        ],
    ),
    defect(
        "authjs-token-rehashed",
        Kind::TokenRehashed,
        "create_verification_token hashes the already hashed token again",
        &[
            "authjs.verification.create.stored-as-given",
            "authjs.verification.use.returns-once",
            "authjs.verification.use.wrong-identifier",
            "authjs.verification.use.wrong-token",
            "authjs.verification.use.removes-only-that-token",
            "authjs.verification.use.expired-returned-and-removed",
            "authjs.verification.expires.boundary-kept",
            "authjs.verification.create.duplicate-used-once",
            "authjs.flows.email.first-sign-in",
            "authjs.flows.email.existing-user-verified",
            "authjs.flows.email.expired-link-refused",
            "authjs.data.timestamps.declared-precision",
            "authjs.security.verification.key-is-exact",
            "authjs.concurrency.verification.used-once",
        ],
    ),
    defect(
        "authjs-token-matched-by-identifier",
        Kind::TokenMatchedByIdentifier,
        "use_verification_token matches the identifier alone, whatever the token",
        &[
            "authjs.verification.use.wrong-token",
            "authjs.security.verification.key-is-exact",
        ],
    ),
    defect(
        "authjs-transports-dropped",
        Kind::TransportsDropped,
        "create_authenticator returns what it was given but stores no transports",
        &[
            "authjs.authenticators.create.stored-as-given",
            "authjs.authenticators.get.found-and-missing",
            "authjs.authenticators.list.exactly-the-users",
            "authjs.authenticators.counter.updated",
        ],
    ),
    defect(
        "authjs-declares-core-only",
        Kind::DeclaresCoreOnly,
        "declares core's ten methods only, yet answers the others",
        &[
            "authjs.adapter.methods.verification-declared",
            "authjs.adapter.methods.deletion-declared",
            "authjs.adapter.methods.undeclared-unsupported",
        ],
    ),
    defect(
        "authjs-declares-verification-only",
        Kind::DeclaresVerificationOnly,
        "declares the verification methods only, yet answers the others",
        &[
            "authjs.adapter.methods.core-declared",
            "authjs.adapter.methods.deletion-declared",
            "authjs.adapter.methods.undeclared-unsupported",
        ],
    ),
    defect(
        "authjs-ignores-core-id",
        Kind::IgnoresCoreId,
        "declares core's ids kept, but issues its own (Prisma, Kysely, Drizzle, pg do; they must declare it)",
        &[
            "authjs.users.create.core-id-unique",
            "authjs.users.create.keeps-core-id",
            "authjs.flows.email.first-sign-in",
        ],
    ),
    defect(
        "authjs-update-clears-absent",
        Kind::UpdateClearsAbsent,
        "a partial update_user clears the fields it does not name (TypeORM returned null for them)",
        &[
            "authjs.users.update.null-clears",
            "authjs.users.update.keeps-absent-fields",
            "authjs.flows.email.existing-user-verified",
        ],
    ),
    defect(
        "authjs-update-upserts",
        Kind::UpdateUpserts,
        "update_user of an unknown id inserts a user",
        &[
            "authjs.users.update.missing-is-not-found",
            "authjs.users.update.missing-inserts-nothing",
        ],
    ),
    defect(
        "authjs-update-missing-returns-nothing",
        Kind::UpdateMissingReturnsNothing,
        "update_user of an unknown id returns nothing instead of failing (@auth/pg-adapter: `UPDATE … RETURNING` of no row gives undefined, which the bridge reads as a backend error)",
        &["authjs.users.update.missing-is-not-found"],
    ),
    defect(
        "authjs-duplicate-email",
        Kind::DuplicateEmail,
        "no unique key on users.email: a second user with one address is stored (@auth/pg-adapter's documented schema)",
        &[
            "authjs.users.create.email-unique",
            "authjs.concurrency.create-user.one-email",
        ],
    ),
    defect(
        "authjs-email-case-folded",
        Kind::EmailCaseFolded,
        "declares exact e-mail matching, but get_user_by_email ignores letter case (a MySQL collation)",
        &["authjs.users.get-by-email.declared-matching"],
    ),
    defect(
        "authjs-wildcard-email",
        Kind::WildcardEmail,
        "get_user_by_email matches with LIKE: % and _ are wildcards",
        &["authjs.security.lookups.exact"],
    ),
    defect(
        "authjs-delete-without-cascade",
        Kind::DeleteWithoutCascade,
        "delete_user removes the user row only; its sessions and accounts stay (no ON DELETE CASCADE)",
        &["authjs.users.delete.cascades"],
    ),
    defect(
        "authjs-declared-delete-missing",
        Kind::DeclaredDeleteMissing,
        "declares every method, but delete_user answers Unsupported",
        &[
            "authjs.users.delete.missing-is-harmless",
            "authjs.adapter.methods.declared-implemented",
            "authjs.users.delete.cascades",
        ],
    ),
    defect(
        "authjs-account-key-by-id-only",
        Kind::AccountKeyByIdOnly,
        "get_user_by_account looks up providerAccountId alone, whatever the provider",
        &[
            "authjs.accounts.key-is-both-parts",
            "authjs.security.lookups.exact",
        ],
    ),
    defect(
        "authjs-unlink-removes-all",
        Kind::UnlinkRemovesAll,
        "unlink_account removes every account of the owner",
        &["authjs.accounts.unlink.removes-that-account"],
    ),
    defect(
        "authjs-account-fields-dropped",
        Kind::AccountFieldsDropped,
        "link_account drops id_token and session_state (columns missing from the table)",
        &[
            "authjs.accounts.get-account.by-both-parts",
            "authjs.data.strings.hostile-round-trip",
            "authjs.accounts.link.stored-as-given",
        ],
    ),
    defect(
        "authjs-token-truncated",
        Kind::TokenTruncated,
        "access and id tokens are cut at 4000 characters (a VARCHAR column)",
        &["authjs.data.tokens.large"],
    ),
    defect(
        "authjs-expires-at-int32",
        Kind::ExpiresAtInt32,
        "expires_at is stored in a 32-bit integer and wraps after 2038",
        &["authjs.data.expires-at.past-2038"],
    ),
    defect(
        "authjs-session-update-upserts",
        Kind::SessionUpdateUpserts,
        "update_session of an unknown token inserts a session",
        &["authjs.sessions.update.missing-inserts-nothing"],
    ),
    defect(
        "authjs-session-update-drops-user",
        Kind::SessionUpdateDropsUser,
        "update_session writes every field, and a patch without userId clears it",
        &[
            "authjs.sessions.update.expires",
            "authjs.sessions.update.keeps-absent-fields",
        ],
    ),
    defect(
        "authjs-delete-session-all-of-user",
        Kind::DeleteSessionAllOfUser,
        "delete_session removes every session of the user",
        &[
            "authjs.sessions.delete.removes-that-session",
            "authjs.flows.sign-out",
        ],
    ),
    defect(
        "authjs-session-seconds",
        Kind::SessionSeconds,
        "declares millisecond instants, but stores session expiries in whole seconds",
        &[
            "authjs.sessions.expires.boundary-kept",
            "authjs.data.timestamps.declared-precision",
        ],
    ),
    defect(
        "authjs-token-not-consumed",
        Kind::TokenNotConsumed,
        "use_verification_token returns the token and leaves it: one link signs in forever",
        &[
            "authjs.verification.use.removes-only-that-token",
            "authjs.verification.use.expired-returned-and-removed",
            "authjs.verification.create.duplicate-used-once",
            "authjs.flows.email.expired-link-refused",
            "authjs.verification.use.returns-once",
            "authjs.flows.email.first-sign-in",
        ],
    ),
    defect(
        "authjs-token-ignores-identifier",
        Kind::TokenIgnoresIdentifier,
        "use_verification_token matches the token alone, whatever the identifier",
        &[
            "authjs.verification.use.wrong-identifier",
            "authjs.security.verification.key-is-exact",
        ],
    ),
    defect(
        "authjs-wrong-identifier-consumes",
        Kind::WrongIdentifierConsumes,
        "a use with the right token but another identifier gives none, yet deletes the token",
        &["authjs.verification.use.wrong-identifier"],
    ),
    defect(
        "authjs-token-get-then-delete",
        Kind::TokenGetThenDelete,
        "use_verification_token reads, then deletes in a second statement: concurrent uses both get the token",
        &["authjs.concurrency.verification.used-once"],
    ),
    defect(
        "authjs-create-user-check-then-insert",
        Kind::CreateUserCheckThenInsert,
        "create_user checks the address is free, then inserts: concurrent sign-ups both succeed",
        &["authjs.concurrency.create-user.one-email"],
    ),
    defect(
        "authjs-link-check-then-insert",
        Kind::LinkCheckThenInsert,
        "link_account checks the key is free, then inserts: concurrent links both succeed",
        &["authjs.concurrency.link-account.one-account"],
    ),
    defect(
        "authjs-counter-not-stored",
        Kind::CounterNotStored,
        "update_authenticator_counter returns the new counter but stores nothing",
        &[
            "authjs.authenticators.counter.updated",
            "authjs.flows.webauthn.register-and-authenticate",
        ],
    ),
    defect(
        "authjs-orphans-accepted",
        Kind::OrphansAccepted,
        "link_account and create_session accept a user nobody has (no foreign key): a SHOULD behaviour, which the property test leaves to its rules",
        &[
            "authjs.accounts.link.missing-user-refused",
            "authjs.sessions.create.missing-user-refused",
        ],
    ),
    defect(
        "authjs-lists-every-authenticator",
        Kind::ListsEveryAuthenticator,
        "list_authenticators_by_user_id returns every user's credentials",
        &["authjs.authenticators.list.exactly-the-users"],
    ),
];

/// A reference adapter with one defect.
struct Broken {
    inner: ReferenceAdapter,
    kind: Kind,
    declared: Capabilities,
}

impl Broken {
    /// `found`, or, for [`Kind::UnknownKeysFallBack`], the first user when nothing was found.
    fn or_first(&self, found: Option<User>) -> Option<User> {
        match (self.kind, found) {
            (Kind::UnknownKeysFallBack, None) => self.inner.write_raw(|s| s.users.first().cloned()),
            (_, found) => found,
        }
    }

    /// The backend error [`Kind::MissingRowsFail`] answers a write naming a missing row with.
    fn missing(&self, method: Method) -> AdapterError {
        AdapterError::backend(method, "broken", "no row matched")
    }
}

/// A pause between a check and its write, long enough for racing tasks to interleave.
async fn gap() {
    tokio::task::yield_now().await;
    tokio::time::sleep(Duration::from_millis(1)).await;
}

fn like(pattern: &str, text: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('%', rest)) => (0..=t.len()).any(|i| go(rest, &t[i..])),
            Some(('_', rest)) => !t.is_empty() && go(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && go(rest, &t[1..]),
        }
    }
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    go(&p, &t)
}

#[async_trait]
impl Adapter for Broken {
    fn display_name(&self) -> &str {
        "broken"
    }

    fn capabilities(&self) -> Capabilities {
        if self.kind == Kind::SaysOtherwise {
            return Capabilities {
                user_id: IdSource::Adapter,
                email_matching: EmailMatching::CaseInsensitive,
                ..self.declared
            };
        }
        self.declared
    }

    async fn create_user(&self, user: NewUser) -> Result<User> {
        let refuse = |field: &str| {
            Err(AdapterError::invalid_input(
                Method::CreateUser,
                field,
                "required",
            ))
        };
        match self.kind {
            Kind::AddressRequired if user.email.is_none() => refuse("email"),
            Kind::VerifiedDropped => {
                self.inner
                    .create_user(NewUser {
                        email_verified: None,
                        ..user
                    })
                    .await
            }
            Kind::IdRequired if user.id.is_none() => refuse("id"),
            Kind::DuplicateEmail | Kind::CreateUserCheckThenInsert => {
                let id = user
                    .id
                    .clone()
                    .unwrap_or_else(|| format!("dup-{}", user.email.clone().unwrap_or_default()));
                let taken = |s: &nextauth_adapter_reference::authjs::Stored| {
                    user.email.is_some() && s.users.iter().any(|u| u.email == user.email)
                };
                if self.kind == Kind::CreateUserCheckThenInsert {
                    if self.inner.write_raw(|s| taken(s)) {
                        return Err(AdapterError::Conflict {
                            method: Method::CreateUser,
                            key: nextauth_adapter::UniqueKey::UserEmail,
                        });
                    }
                    gap().await;
                }
                let stored = user.into_user(id);
                self.inner.write_raw(|s| s.users.push(stored.clone()));
                Ok(stored)
            }
            _ => self.inner.create_user(user).await,
        }
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>> {
        let found = self.inner.get_user(id).await?;
        Ok(self.or_first(found))
    }

    async fn get_user_by_email(&self, email: &str) -> Result<Option<User>> {
        match self.kind {
            Kind::EmailCaseFolded => Ok(self.inner.write_raw(|s| {
                s.users
                    .iter()
                    .find(|u| {
                        u.email
                            .as_deref()
                            .is_some_and(|e| e.to_lowercase() == email.to_lowercase())
                    })
                    .cloned()
            })),
            Kind::WildcardEmail => Ok(self.inner.write_raw(|s| {
                s.users
                    .iter()
                    .find(|u| u.email.as_deref().is_some_and(|e| like(email, e)))
                    .cloned()
            })),
            _ => {
                let found = self.inner.get_user_by_email(email).await?;
                Ok(self.or_first(found))
            }
        }
    }

    async fn get_user_by_account(&self, key: &AccountKey) -> Result<Option<User>> {
        match self.kind {
            Kind::AccountKeyByIdOnly => Ok(self.inner.write_raw(|s| {
                let owner = s
                    .accounts
                    .iter()
                    .find(|a| a.provider_account_id == key.provider_account_id)?
                    .user_id
                    .clone();
                s.user(&owner).cloned()
            })),
            _ => {
                let found = self.inner.get_user_by_account(key).await?;
                Ok(self.or_first(found))
            }
        }
    }

    async fn update_user(&self, patch: UserPatch) -> Result<User> {
        match self.kind {
            Kind::UpdateClearsAbsent => {
                let clear = |p: Patch<String>| if p.is_keep() { Patch::Clear } else { p };
                let patch = UserPatch {
                    name: clear(patch.name),
                    image: clear(patch.image),
                    email_verified: if patch.email_verified.is_keep() {
                        Patch::Clear
                    } else {
                        patch.email_verified
                    },
                    ..patch
                };
                self.inner.update_user(patch).await
            }
            Kind::UpdateReturnsOld => {
                let before = self.inner.get_user(&patch.id).await?;
                let after = self.inner.update_user(patch).await?;
                Ok(before.unwrap_or(after))
            }
            Kind::EmailCheckCountsSelf if matches!(&patch.email, Patch::Set(e) if self.inner.get_user_by_email(e).await?.is_some()) => {
                Err(AdapterError::Conflict {
                    method: Method::UpdateUser,
                    key: nextauth_adapter::UniqueKey::UserEmail,
                })
            }
            Kind::UpdateEmailUnchecked => {
                let Patch::Set(email) = patch.email.clone() else {
                    return self.inner.update_user(patch).await;
                };
                let rest = self
                    .inner
                    .update_user(UserPatch {
                        email: Patch::Keep,
                        ..patch.clone()
                    })
                    .await?;
                Ok(self.inner.write_raw(|s| {
                    let user = s.users.iter_mut().find(|u| u.id == rest.id);
                    match user {
                        Some(u) => {
                            u.email = Some(email);
                            u.clone()
                        }
                        None => rest,
                    }
                }))
            }
            Kind::UpdateMissingReturnsNothing
                if self.inner.get_user(&patch.id).await?.is_none() =>
            {
                Err(AdapterError::backend(
                    Method::UpdateUser,
                    "broken",
                    "updateUser returned nothing",
                ))
            }
            Kind::UpdateUpserts if self.inner.get_user(&patch.id).await?.is_none() => {
                let user = patch.apply(&User {
                    id: patch.id.clone(),
                    email: None,
                    email_verified: None,
                    name: None,
                    image: None,
                });
                self.inner.write_raw(|s| s.users.push(user.clone()));
                Ok(user)
            }
            _ => self.inner.update_user(patch).await,
        }
    }

    async fn delete_user(&self, id: &str) -> Result<()> {
        match self.kind {
            Kind::DeleteWithoutCascade => {
                self.inner.write_raw(|s| s.users.retain(|u| u.id != id));
                Ok(())
            }
            Kind::MissingRowsFail if self.inner.get_user(id).await?.is_none() => {
                Err(self.missing(Method::DeleteUser))
            }
            Kind::DeclaredDeleteMissing => Err(AdapterError::Unsupported {
                method: Method::DeleteUser,
            }),
            _ => self.inner.delete_user(id).await,
        }
    }

    async fn link_account(&self, account: Account) -> Result<Option<Account>> {
        match self.kind {
            Kind::AccountFieldsDropped => {
                self.inner
                    .link_account(Account {
                        id_token: None,
                        session_state: None,
                        ..account
                    })
                    .await
            }
            Kind::TokenTruncated => {
                let cut = |t: Option<String>| t.map(|t| t.chars().take(4000).collect::<String>());
                self.inner
                    .link_account(Account {
                        access_token: cut(account.access_token),
                        id_token: cut(account.id_token),
                        ..account
                    })
                    .await
            }
            Kind::ExpiresAtInt32 => {
                let wrapped = account.expires_at.map(|e| i64::from(e as i32));
                self.inner
                    .link_account(Account {
                        expires_at: wrapped,
                        ..account
                    })
                    .await
            }
            Kind::DuplicatesOverwrite => {
                let key = account.key();
                self.inner
                    .write_raw(|s| s.accounts.retain(|a| a.key() != key));
                self.inner.link_account(account).await
            }
            Kind::OrphansAccepted if self.inner.get_user(&account.user_id).await?.is_none() => {
                let key = account.key();
                if self.inner.write_raw(|s| s.account(&key).is_some()) {
                    return Err(AdapterError::Conflict {
                        method: Method::LinkAccount,
                        key: nextauth_adapter::UniqueKey::AccountProvider,
                    });
                }
                self.inner.write_raw(|s| s.accounts.push(account.clone()));
                Ok(Some(account))
            }
            Kind::LinkCheckThenInsert => {
                let key = account.key();
                if self.inner.write_raw(|s| s.account(&key).is_some()) {
                    return Err(AdapterError::Conflict {
                        method: Method::LinkAccount,
                        key: nextauth_adapter::UniqueKey::AccountProvider,
                    });
                }
                gap().await;
                self.inner.write_raw(|s| s.accounts.push(account.clone()));
                Ok(Some(account))
            }
            _ => self.inner.link_account(account).await,
        }
    }

    async fn unlink_account(&self, key: &AccountKey) -> Result<()> {
        match self.kind {
            Kind::MissingRowsFail if self.inner.write_raw(|s| s.account(key).is_none()) => {
                Err(self.missing(Method::UnlinkAccount))
            }
            Kind::UnlinkRemovesAll => {
                self.inner.write_raw(|s| {
                    if let Some(owner) = s.account(key).map(|a| a.user_id.clone()) {
                        s.accounts.retain(|a| a.user_id != owner);
                    }
                });
                Ok(())
            }
            _ => self.inner.unlink_account(key).await,
        }
    }

    async fn create_session(&self, session: Session) -> Result<Session> {
        match self.kind {
            Kind::DuplicatesOverwrite => {
                let token = session.session_token.clone();
                self.inner
                    .write_raw(|s| s.sessions.retain(|x| x.session_token != token));
                self.inner.create_session(session).await
            }
            Kind::OneSessionPerUser => {
                let user_id = session.user_id.clone();
                self.inner
                    .write_raw(|s| s.sessions.retain(|x| x.user_id != user_id));
                self.inner.create_session(session).await
            }
            Kind::SessionReturnedOtherwise => {
                let stored = self.inner.create_session(session).await?;
                Ok(Session {
                    expires: stored.expires + chrono::Duration::seconds(1),
                    ..stored
                })
            }
            Kind::OrphansAccepted if self.inner.get_user(&session.user_id).await?.is_none() => {
                if self
                    .inner
                    .write_raw(|s| s.session(&session.session_token).is_some())
                {
                    return Err(AdapterError::Conflict {
                        method: Method::CreateSession,
                        key: nextauth_adapter::UniqueKey::SessionToken,
                    });
                }
                self.inner.write_raw(|s| s.sessions.push(session.clone()));
                Ok(session)
            }
            Kind::SessionSeconds => {
                let expires = TimestampPrecision::Second.apply(session.expires);
                self.inner
                    .create_session(Session { expires, ..session })
                    .await
            }
            _ => self.inner.create_session(session).await,
        }
    }

    async fn get_session_and_user(&self, session_token: &str) -> Result<Option<SessionAndUser>> {
        let found = self.inner.get_session_and_user(session_token).await?;
        Ok(match self.kind {
            Kind::DatabaseClockExpiry => found.filter(|f| f.session.expires >= chrono::Utc::now()),
            _ => found,
        })
    }

    async fn update_session(&self, patch: SessionPatch) -> Result<Option<Session>> {
        match self.kind {
            Kind::SessionUpdateUpserts => {
                let missing = self
                    .inner
                    .write_raw(|s| s.session(&patch.session_token).is_none());
                if missing {
                    let session = Session {
                        session_token: patch.session_token.clone(),
                        user_id: patch.user_id.clone().unwrap_or_default(),
                        expires: patch.expires.unwrap_or_default(),
                    };
                    self.inner.write_raw(|s| s.sessions.push(session.clone()));
                    return Ok(Some(session));
                }
                self.inner.update_session(patch).await
            }
            Kind::SessionUpdateDropsUser => Ok(self.inner.write_raw(|s| {
                let found = s
                    .sessions
                    .iter_mut()
                    .find(|x| x.session_token == patch.session_token)?;
                found.user_id = patch.user_id.clone().unwrap_or_default();
                if let Some(expires) = patch.expires {
                    found.expires = expires;
                }
                Some(found.clone())
            })),
            _ => self.inner.update_session(patch).await,
        }
    }

    async fn delete_session(&self, session_token: &str) -> Result<()> {
        match self.kind {
            Kind::MissingRowsFail
                if self.inner.write_raw(|s| s.session(session_token).is_none()) =>
            {
                Err(self.missing(Method::DeleteSession))
            }
            Kind::DeleteSessionAllOfUser => {
                self.inner.write_raw(|s| {
                    if let Some(owner) = s.session(session_token).map(|x| x.user_id.clone()) {
                        s.sessions.retain(|x| x.user_id != owner);
                    }
                });
                Ok(())
            }
            _ => self.inner.delete_session(session_token).await,
        }
    }

    async fn create_verification_token(
        &self,
        token: VerificationToken,
    ) -> Result<Option<VerificationToken>> {
        match self.kind {
            Kind::TokenRehashed => {
                let token = VerificationToken {
                    token: nextauth_adapter::formulas::hash_token(&token.token, ""),
                    ..token
                };
                self.inner.create_verification_token(token).await
            }
            _ => self.inner.create_verification_token(token).await,
        }
    }

    async fn use_verification_token(
        &self,
        key: &VerificationKey,
    ) -> Result<Option<VerificationToken>> {
        let find = |s: &nextauth_adapter_reference::authjs::Stored, by_identifier: bool| {
            s.verification_tokens.iter().position(|v| {
                v.token == key.token && (!by_identifier || v.identifier == key.identifier)
            })
        };
        match self.kind {
            Kind::TokenNotConsumed => Ok(self
                .inner
                .write_raw(|s| find(s, true).map(|i| s.verification_tokens[i].clone()))),
            Kind::TokenIgnoresIdentifier => Ok(self
                .inner
                .write_raw(|s| find(s, false).map(|i| s.verification_tokens.remove(i)))),
            Kind::WrongIdentifierConsumes => Ok(self.inner.write_raw(|s| {
                let removed = find(s, false).map(|i| s.verification_tokens.remove(i))?;
                (removed.identifier == key.identifier).then_some(removed)
            })),
            Kind::TokenMatchedByIdentifier => Ok(self.inner.write_raw(|s| {
                let i = s
                    .verification_tokens
                    .iter()
                    .position(|v| v.identifier == key.identifier)?;
                Some(s.verification_tokens.remove(i))
            })),
            Kind::DatabaseClockExpiry => Ok(self.inner.write_raw(|s| {
                let i = find(s, true)?;
                (s.verification_tokens[i].expires >= chrono::Utc::now())
                    .then(|| s.verification_tokens.remove(i))
            })),
            Kind::TokenGetThenDelete => {
                let found = self
                    .inner
                    .write_raw(|s| find(s, true).map(|i| s.verification_tokens[i].clone()));
                gap().await;
                self.inner.write_raw(|s| {
                    s.verification_tokens
                        .retain(|v| !(v.token == key.token && v.identifier == key.identifier));
                });
                Ok(found)
            }
            _ => self.inner.use_verification_token(key).await,
        }
    }

    async fn get_account(
        &self,
        provider_account_id: &str,
        provider: &str,
    ) -> Result<Option<Account>> {
        self.inner.get_account(provider_account_id, provider).await
    }

    async fn get_authenticator(&self, credential_id: &str) -> Result<Option<Authenticator>> {
        self.inner.get_authenticator(credential_id).await
    }

    async fn create_authenticator(&self, authenticator: Authenticator) -> Result<Authenticator> {
        match self.kind {
            Kind::DuplicatesOverwrite => {
                let id = authenticator.credential_id.clone();
                self.inner
                    .write_raw(|s| s.authenticators.retain(|a| a.credential_id != id));
                self.inner.create_authenticator(authenticator).await
            }
            Kind::TransportsDropped => {
                self.inner
                    .create_authenticator(Authenticator {
                        transports: None,
                        ..authenticator.clone()
                    })
                    .await?;
                Ok(authenticator)
            }
            _ => self.inner.create_authenticator(authenticator).await,
        }
    }

    async fn list_authenticators_by_user_id(&self, user_id: &str) -> Result<Vec<Authenticator>> {
        match self.kind {
            Kind::ListsEveryAuthenticator => Ok(self.inner.write_raw(|s| s.authenticators.clone())),
            _ => self.inner.list_authenticators_by_user_id(user_id).await,
        }
    }

    async fn update_authenticator_counter(
        &self,
        credential_id: &str,
        counter: u64,
    ) -> Result<Authenticator> {
        match self.kind {
            Kind::CounterNotStored => {
                let found = self.inner.get_authenticator(credential_id).await?;
                found
                    .map(|a| Authenticator { counter, ..a })
                    .ok_or_else(|| AdapterError::NotFound {
                        method: Method::UpdateAuthenticatorCounter,
                        entity: Entity::Authenticator,
                        id: credential_id.to_owned(),
                    })
            }
            _ => {
                self.inner
                    .update_authenticator_counter(credential_id, counter)
                    .await
            }
        }
    }
}

/// Broken Auth.js adapters with one defect, declaring every method.
#[derive(Debug, Clone, Copy)]
pub struct BrokenFactory {
    /// The defect every adapter has.
    pub defect: Defect,
}

impl BrokenFactory {
    /// Broken adapters with `defect`.
    pub fn new(defect: Defect) -> Self {
        BrokenFactory { defect }
    }
}

#[async_trait]
impl BackendFactory for BrokenFactory {
    fn name(&self) -> String {
        format!("{}{}", crate::broken::BROKEN_PREFIX, self.defect.name)
    }

    fn capabilities(&self) -> Capabilities {
        let methods = match self.defect.kind {
            Kind::DeclaresCoreOnly => MethodSet::CORE,
            Kind::DeclaresVerificationOnly => MethodSet::VERIFICATION,
            _ => MethodSet::ALL,
        };
        Capabilities {
            methods,
            ..Capabilities::FULL
        }
    }

    fn describe(&self) -> String {
        format!(
            "the Auth.js reference adapter, broken: {}",
            self.defect.summary
        )
    }

    async fn open(&self) -> std::result::Result<Fixture, BackendError> {
        let declared = self.capabilities();
        let actual = match self.defect.kind {
            Kind::IgnoresCoreId => Capabilities {
                user_id: IdSource::Adapter,
                ..declared
            },
            // Declares less than it implements: the reference underneath implements all.
            Kind::DeclaresCoreOnly | Kind::DeclaresVerificationOnly => Capabilities::FULL,
            _ => declared,
        };
        let broken = Arc::new(Broken {
            inner: ReferenceAdapter::with_capabilities(actual),
            kind: self.defect.kind,
            declared,
        });
        Ok(Fixture {
            adapter: broken.clone(),
            inspector: broken,
            teardown: None,
        })
    }
}

#[async_trait]
impl super::backend::Inspector for Broken {
    async fn stored(
        &self,
    ) -> std::result::Result<
        nextauth_adapter_reference::authjs::Stored,
        crate::inspector::InspectError,
    > {
        Ok(self.inner.stored())
    }
}
