//! Deliberately broken adapters: the reference adapter with exactly one behaviour broken.
//!
//! They prove that the catalogue's rules can fail. Each defect is one small type that
//! overrides only the methods it breaks ([`Fault`]; every other call goes to the reference
//! underneath), listed once in [`DEFECTS`] with the rules that must catch it. The harness's
//! own tests run the whole catalogue against every defect and assert those rules fail, and
//! that each defect is caught by a named rule, not only by the property test. Most defects
//! are bugs real v3 adapters shipped (specification §10); the races are the check-then-write
//! gaps of real adapters. `nextauth-certify --broken <defect>` certifies one, to show what a
//! failure looks like.

use crate::axes::Axis;
use crate::backend::{BackendError, BackendFactory, Fixture};
use crate::inspector::{InspectError, Inspector, Stored};
use crate::properties::levels::like;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use nextauth_adapter::limits::StringLimit;
use nextauth_adapter::{
    Account, Adapter, AdapterConfig, AdapterError, Capabilities, DeleteUserSupport, EmailProvider,
    Entity, ExpiredSessionHandling, FieldLimits, Method, NewAccount, NewUser, Result, Session,
    SessionPolicy, TimestampPrecision, TimestampRange, UniqueKey, User, VerificationConsumption,
    VerificationMessage, VerificationRequest, formulas,
};
use nextauth_adapter_reference::{ReferenceAdapter, Snapshot, Storage};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// How every deliberately broken adapter's backend name starts (`broken-<defect>`), of either
/// profile: what lets a run tell a demonstration from a real adapter (its regressions are
/// kept apart, [`crate::properties::PropertyConfig::regressions_for`]).
pub const BROKEN_PREFIX: &str = "broken-";

/// One deliberately broken behaviour, as listed in [`DEFECTS`].
#[derive(Clone, Copy)]
pub struct Defect {
    /// The name on the command line, e.g. `raw-verification-token`.
    pub name: &'static str,
    /// What is broken, and where real adapters shipped it.
    pub summary: &'static str,
    /// The rules that must fail against it.
    pub caught_by: &'static [&'static str],
    make: fn() -> Box<dyn Fault>,
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
    /// Every defect.
    pub fn all() -> &'static [Defect] {
        DEFECTS
    }

    /// The defect named `name`.
    pub fn from_name(name: &str) -> Option<Defect> {
        DEFECTS.iter().copied().find(|d| d.name == name)
    }

    /// The defect named `name`, for tests that name a defect they know exists.
    ///
    /// # Panics
    /// If no defect has that name.
    pub fn named(name: &str) -> Defect {
        Defect::from_name(name).unwrap_or_else(|| panic!("no deliberately broken adapter {name:?}"))
    }

    /// The defect's name.
    pub fn name(self) -> &'static str {
        self.name
    }

    /// The rules that must fail against this defect.
    pub fn caught_by(self) -> &'static [&'static str] {
        self.caught_by
    }

    /// Whether the defect is a race: caught only when calls overlap.
    pub fn is_race(self) -> bool {
        self.name.starts_with("racy-")
    }

    /// What an adapter with this defect declares when its factory is asked to declare
    /// `requested` (a defect of a declared choice declares that choice).
    pub fn declares(self, requested: Capabilities) -> Capabilities {
        (self.make)().declares(requested)
    }
}

macro_rules! defects {
    ($($name:literal => $fault:expr, [$($rule:literal),* $(,)?], $summary:literal;)*) => {
        /// Every deliberately broken adapter: its name, what it breaks, the rules that catch it.
        pub static DEFECTS: &[Defect] = &[$(Defect {
            name: $name,
            summary: $summary,
            caught_by: &[$($rule),*],
            make: || Box::new($fault),
        }),*];
    };
}

defects! {
    "expired-session-returned" => ExpiredSessionReturned, ["session.get.expired-is-none"],
        "get_session returns sessions past their expiry (dynamodb 0.4, G23)";
    "expiry-inclusive" => ExpiryInclusive, ["session.get.valid-at-expiry"],
        "a session whose expiry equals now is treated as expired (>= instead of >)";
    "raw-verification-token" => RawVerificationToken, ["verification.create.stores-hash", "security.verification.raw-token-never-stored"],
        "the verification token is stored raw instead of hashed";
    "verification-identifier-ignored" => VerificationIdentifierIgnored, ["verification.get.wrong-identifier", "flow.email.other-address-in-link"],
        "get_verification_request ignores the identifier (Prisma 3.0–3.2, upstash; G4)";
    "update-due-inclusive" => UpdateDueInclusive, ["session.update.at-due-time-not-due"],
        "update_session is due at exactly the due time (>= instead of >)";
    "delete-user-leaves-sessions" => DeleteUserLeavesSessions, ["user.delete.cascades"],
        "declares a cascading delete_user but leaves the user's sessions";
    "duplicate-email-accepted" => DuplicateEmailAccepted, ["user.create.duplicate-email-conflict", "user.create.duplicate-email-writes-nothing"],
        "a second user with an existing email is stored";
    "email-case-folded" => EmailCaseFolded, ["user.get-by-email.declared-matching"],
        "declares exact email matching but folds case on lookup";
    "force-extends" => ForceExtends, ["session.update.force-not-due-unchanged"],
        "update_session(force) extends a session that is not due (prisma-0.x, fauna, …)";
    "delete-missing-session-fails" => DeleteMissingSessionFails, ["session.delete.missing-is-noop", "flow.signout.stale-cookie"],
        "delete_session of a missing token fails (Prisma P2025, next-auth#4495)";
    "unknown-session-fails" => UnknownSessionFails, ["session.get.unknown-is-none"],
        "get_session of an unknown token fails instead of returning none (fauna 0.2, G23)";
    "update-user-upserts" => UpdateUserUpserts, ["user.update.missing-is-not-found"],
        "update_user of a missing id inserts it (TypeORM save)";
    "expired-verification-kept" => ExpiredVerificationKept, ["verification.get.expired-row-deleted"],
        "an expired verification request gives none but stays stored";
    "secret-argument-ignored" => SecretArgumentIgnored, ["verification.create.uses-secret-argument"],
        "the verification hash uses a fixed application secret, not the argument (G3)";
    "duplicate-account-accepted" => DuplicateAccountAccepted, ["account.link.duplicate-conflict"],
        "a provider account can be linked twice";
    "unlink-ignores-user" => UnlinkIgnoresUser, ["account.unlink.other-users-account-kept"],
        "unlink_account ignores the user id (Prisma, §3.8)";
    "short-session-tokens" => ShortSessionTokens, ["session.create.tokens-are-64-hex"],
        "session tokens are 32 hex characters (16 random bytes), not 64";
    "counter-session-tokens" => CounterTokens::default(), ["security.session.tokens-unpredictable"],
        "session and access tokens count up by one from a random 64-hex start: they look like SHA-256 output and never repeat, but one sign-in's cookie gives away the next ones";
    "clock-session-tokens" => ClockTokens::default(), ["security.session.tokens-unpredictable"],
        "tokens are the clock's microseconds and a sequence number followed by a hash of both (an ObjectId- or UUIDv1-style id used as a secret): 64 distinct hex digits, all computable from the time of sign-in";
    "low-entropy-session-tokens" => LowEntropyTokens::default(), ["security.session.tokens-unpredictable", "concurrency.create-session.distinct-tokens"],
        "each token is SHA-256 of a single byte (from a generator with a fixed seed): 64 hex digits that look random, but only 256 tokens exist, so anyone can try every cookie, and a unique index refuses sessions with a Conflict once tokens repeat";
    "silent-truncation" => SilentTruncation, ["data.length.past-limit-refused"],
        "overlong values are silently cut to the column (MySQL without strict mode)";
    "utf16-units-uncounted" => Misdeclared { declared: |c| { c.limits.varchar = StringLimit::utf16(255); c.limits.image = StringLimit::utf16(255); }, actual: |c| { c.limits.varchar = StringLimit::chars(255); c.limits.image = StringLimit::chars(255); } }, ["data.length.past-limit-refused"],
        "declares SQL Server's NVARCHAR(255) (255 UTF-16 code units) but counts characters, so 128 emoji pass its check and the server would refuse or cut them";
    "extension-not-stored" => ExtensionNotStored, ["session.update.after-due-time-extends", "flow.session.read-rolls-expiry"],
        "an extended expiry is written into the argument but never stored";
    "foreign-user-id-fails" => ForeignUserIdFails, ["user.get.foreign-id-is-none"],
        "get_user of a non-numeric id fails (Prisma \"Provided String, expected Int\", G11)";
    "email-lookup-like" => EmailLookupLike, ["security.email.wildcards-are-literal"],
        "get_user_by_email treats % and _ as wildcards (a LIKE lookup)";
    "provider-ignored" => ProviderIgnored, ["account.get-user.other-provider"],
        "get_user_by_provider_account_id ignores the provider";
    "no-token-matches-first" => NoTokenMatchesFirst, ["session.get.no-token-is-none"],
        "get_session(None) returns the first session (TypeORM findOne({x: undefined}))";
    "seconds-declared-micro" => SecondsDeclaredMicro, ["data.timestamps.precision-as-declared"],
        "declares microsecond timestamps but stores whole seconds";
    "update-age-ignored" => UpdateAgeIgnored, ["session.update.not-due-is-none"],
        "update_session extends on every read, ignoring update_age";
    "sender-called-twice" => SenderCalledTwice, ["verification.create.sends-once"],
        "the verification e-mail is sent twice";
    "every-third-update-extends" => EveryThirdUpdateExtends::default(), ["session.update.repeated-reads-never-extend-early"],
        "update_session extends on every third call even when not due: a sequence-dependent defect";
    "racy-create-user" => RacyCreateUser, ["concurrency.create-user.one-email"],
        "create_user checks the e-mail, then inserts in a second step (check-then-insert)";
    "racy-link-account" => RacyLinkAccount, ["concurrency.link-account.one-account"],
        "link_account checks the provider account, then inserts in a second step";
    "racy-consume" => RacyConsume, ["concurrency.verification.redeemed-once"],
        "declares consumption on get, but consumes with a read followed by a delete (an .await between them)";
    "consumed-on-delete" => Misdeclared { declared: |c| c.verification_consumption = VerificationConsumption::OnDelete, actual: |c| c.verification_consumption = VerificationConsumption::OnDelete }, ["concurrency.verification.redeemed-once-with-core"],
        "declares and does consumption on delete, as next-auth@3's adapters do: with core's read-then-delete, two concurrent callbacks both sign in with one link";
    "racy-email-update" => RacyEmailUpdate, ["concurrency.update-user.email-race"],
        "update_user checks the new e-mail is free, then writes it in a second step";
    "create-drops-email-verified" => CreateDropsEmailVerified, ["user.create.every-field-stored"],
        "create_user returns email_verified but does not store it";
    "link-drops-token-expiry" => LinkDropsTokenExpiry, ["account.link.every-field-stored"],
        "link_account returns access_token_expires but does not store it";
    "coarse-timestamps-outside-sessions" => CoarseTimestampsOutsideSessions, ["data.timestamps.every-column-precision"],
        "declares microseconds, stores sessions so, but users, accounts and verification requests in whole seconds";
    "one-account-per-user" => OneAccountPerUser, ["flow.oauth.link-while-signed-in"],
        "link_account replaces the user's earlier account (accounts modelled one per user), so linking a second provider while signed in loses the first";
    "unlink-removes-provider-accounts" => UnlinkRemovesProviderAccounts, ["account.unlink.exactly-the-named-account"],
        "unlink_account removes every account of the user at that provider, not only the named one";
    "stale-user-cache" => StaleUserCache::default(), ["user.delete.later-reads-see-it"],
        "a read-through user cache that delete_user does not clear";
    "stale-session-cache" => StaleSessionCache::default(), ["session.delete.later-reads-see-it"],
        "a read-through session cache that delete_session does not clear";
    "stale-account-cache" => StaleAccountCache::default(), ["account.unlink.later-reads-see-it"],
        "a read-through provider-account cache that unlink_account does not clear";
    "session-policy-ignored" => SessionPolicyIgnored, ["session.create.honours-policy", "session.update.honours-policy"],
        "sessions follow v3's default max_age and update_age whatever the configured policy";
    "capabilities-misdeclared" => CapabilitiesMisdeclared, ["adapter.capabilities.match-declaration"],
        "capabilities() says delete_user deletes the user only, while the factory (and the behaviour) say it cascades";
    "user-only-cascades" => Misdeclared { declared: |c| c.delete_user = DeleteUserSupport::UserOnly, actual: |c| c.delete_user = DeleteUserSupport::Cascade }, ["user.delete.as-declared"],
        "declares a user-only delete_user but removes the user's accounts and sessions too";
    "keep-row-deletes" => Misdeclared { declared: |c| c.expired_session = ExpiredSessionHandling::KeepRow, actual: |c| c.expired_session = ExpiredSessionHandling::DeleteOnRead }, ["session.get.expired-row-as-declared"],
        "declares that expired sessions are kept, but reading one deletes it";
    "empty-display-name" => EmptyDisplayName, ["adapter.display-name.present"],
        "display_name() is empty, so core's error logs name no adapter";
    "on-delete-consumes-on-get" => Misdeclared { declared: |c| c.verification_consumption = VerificationConsumption::OnDelete, actual: |c| c.verification_consumption = VerificationConsumption::OnGet }, ["verification.get.consumption-as-declared"],
        "declares consumption on delete, but get already removes the request";
    "delete-identifier-case-folded" => DeleteIdentifierCaseFolded, ["verification.delete.identifier-case-as-declared"],
        "declares exact e-mail matching but deletes a verification request whatever the identifier's case (the seed's Prisma tables on MySQL, utf8mb4_unicode_ci)";
    "unix32-stores-anything" => Misdeclared { declared: |c| c.timestamp_range = TimestampRange::Unix32, actual: |c| c.timestamp_range = TimestampRange::Full }, ["data.timestamps.outside-range-refused"],
        "declares MySQL TIMESTAMP's 1970-2038 range but stores instants outside it (a DATETIME column behind a TIMESTAMP declaration)";
    "orphans-accepted" => OrphansAccepted, ["account.link.missing-user-refused", "session.create.missing-user-refused"],
        "link_account and create_session write an account or a session for a user nobody has (no foreign key, no check: every v3 adapter of the documented schemas)";
    "link-keeps-fine-token-expiry" => LinkKeepsFineTokenExpiry, ["data.timestamps.given-instants-at-precision"],
        "link_account stores and returns access_token_expires as given, finer than the declared precision (found by cargo mutants over the reference)";
    "keys-case-folded" => Folds { axes: &[Axis::Case], keys: Keys { email: false, accounts: true, sessions: true, identifiers: false } }, ["security.account.key-exact-on-every-axis", "security.session.token-exact-on-every-axis"],
        "provider account ids and session tokens are looked up whatever their letter case (a case-insensitive collation on those columns: the seed's Prisma tables on MySQL, SQL Server's default), while e-mail matching stays exact as declared";
    "keys-blanks-trimmed" => Folds { axes: &[Axis::LeadingBlank, Axis::TrailingBlank], keys: Keys::ALL }, ["security.email.lookup-every-axis-as-declared", "security.account.key-exact-on-every-axis", "security.session.token-exact-on-every-axis", "security.verification.key-exact-on-every-axis"],
        "every lookup ignores blanks around the key (a TRIM() in the query, or a PAD SPACE collation's = for trailing ones): \"a@x.org \" finds a@x.org's user, \"<token> \" the session";
    "keys-unicode-folded" => Folds { axes: &[Axis::Accent, Axis::Width, Axis::NormalForm], keys: Keys::ALL }, ["security.email.lookup-every-axis-as-declared", "security.account.key-exact-on-every-axis", "security.session.token-exact-on-every-axis", "security.verification.key-exact-on-every-axis"],
        "every lookup folds accents, full-width forms and normal forms (an accent- and width-insensitive collation, or keys normalised with NFKD before comparing): jose@x.org finds josé@x.org's user";
    "email-unique-pad-space" => EmailUniquePadSpace, ["security.email.unique-every-axis-as-declared"],
        "declares exact e-mail matching, but the unique key on users.email ignores trailing blanks (utf8mb4_bin, a PAD SPACE collation): \"a@x.org \" is a Conflict beside a@x.org";
    "full-range-stops-at-2038" => Misdeclared { declared: |c| c.timestamp_range = TimestampRange::Full, actual: |c| c.timestamp_range = TimestampRange::Unix32 }, ["data.timestamps.far-future", "data.timestamps.pre-epoch-verified"],
        "declares every instant storable but refuses those outside 1970-2038 (TIMESTAMP columns behind the default declaration)";
}

/// What a broken adapter is built on: the reference adapter underneath, the storage it owns
/// (and the reference works over), the configuration and the declared capabilities.
pub struct Base {
    /// The reference adapter that does everything the fault does not override.
    pub inner: Arc<ReferenceAdapter>,
    /// The rows underneath: a fault that stores what no method would (a raw token, a row a
    /// check should have refused) writes them here directly.
    pub storage: Storage,
    /// The configuration the adapter was built with.
    pub config: AdapterConfig,
    /// What the adapter declares.
    pub declared: Capabilities,
}

impl Base {
    fn now(&self) -> DateTime<Utc> {
        self.config.clock.now()
    }

    /// `t` at the declared precision.
    fn at_precision(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        self.declared.timestamp_precision.apply(t)
    }

    fn snapshot(&self) -> Snapshot {
        self.storage.snapshot()
    }

    /// Rewrites the stored copy of `written` (the row of `table` with its id) with `change`
    /// and returns it; `written` itself when the row is gone.
    fn rewrite<T: Record>(
        &self,
        written: T,
        table: fn(&mut Snapshot) -> &mut Vec<T>,
        change: impl FnOnce(&mut T),
    ) -> T {
        self.storage.edit(
            |rows| match table(rows).iter_mut().find(|r| r.id() == written.id()) {
                Some(row) => {
                    change(row);
                    row.clone()
                }
                None => written,
            },
        )
    }

    fn next_id<T>(rows: &[T], id: impl Fn(&T) -> &str) -> String {
        let max = rows
            .iter()
            .filter_map(|r| id(r).parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        (max + 1).to_string()
    }

    /// Inserts a user without checking its e-mail.
    fn insert_user(&self, profile: NewUser) -> User {
        let now = self.at_precision(self.now());
        self.storage.edit(|rows| {
            let user = User {
                id: Base::next_id(&rows.users, |u| &u.id),
                name: profile.name,
                email: profile.email,
                email_verified: profile.email_verified.map(|_| now),
                image: profile.image,
                created_at: now,
                updated_at: now,
            };
            rows.users.push(user.clone());
            user
        })
    }

    /// Inserts an account without checking its compound id.
    fn insert_account(&self, account: NewAccount) -> Account {
        let now = self.at_precision(self.now());
        self.storage.edit(|rows| {
            let a = account.into_account(Base::next_id(&rows.accounts, |a| &a.id), now);
            rows.accounts.push(a.clone());
            a
        })
    }

    /// Inserts a session for `user` without checking that the user exists.
    fn insert_session(&self, user: &User) -> Session {
        let expires = self.at_precision(self.config.session.expires_from(self.now()));
        let now = self.at_precision(self.now());
        self.storage.edit(|rows| {
            let s = Session {
                id: Base::next_id(&rows.sessions, |s| &s.id),
                user_id: user.id.clone(),
                expires,
                session_token: formulas::random_token(),
                access_token: formulas::random_token(),
                created_at: now,
                updated_at: now,
            };
            rows.sessions.push(s.clone());
            s
        })
    }

    /// Extends the stored session to now + max_age, bypassing checks.
    fn extend(&self, session: &mut Session) -> Option<Session> {
        let expires = self.at_precision(self.config.session.expires_from(self.now()));
        let now = self.at_precision(self.now());
        self.storage.edit(|rows| {
            let s = rows.sessions.iter_mut().find(|s| s.id == session.id)?;
            s.expires = expires;
            s.updated_at = now;
            *session = s.clone();
            Some(s.clone())
        })
    }
}

/// A stored record, known by its id.
trait Record: Clone {
    fn id(&self) -> &str;
}

macro_rules! records {
    ($($t:ty),*) => {$(
        impl Record for $t {
            fn id(&self) -> &str {
                &self.id
            }
        }
    )*};
}

records!(User, Account, Session, VerificationRequest);

/// One deliberately broken behaviour: overrides the methods it breaks; every method it does
/// not override forwards to the reference underneath.
#[async_trait]
#[allow(missing_docs)]
pub trait Fault: Send + Sync {
    /// What the adapter declares when its factory is asked to declare `requested`.
    fn declares(&self, requested: Capabilities) -> Capabilities {
        requested
    }
    /// How the reference underneath behaves, given what the adapter declares.
    fn behaves(&self, declared: Capabilities) -> Capabilities {
        declared
    }
    /// The configuration the reference underneath is built with.
    fn inner_config(&self, config: AdapterConfig) -> AdapterConfig {
        config
    }
    /// What the adapter's `capabilities()` returns.
    fn capabilities(&self, b: &Base) -> Capabilities {
        b.declared
    }
    /// What the adapter's `display_name()` returns.
    fn display_name(&self) -> &'static str {
        "broken"
    }
    /// The secret the verification methods hash with, given the argument.
    fn secret<'a>(&self, secret: &'a str) -> &'a str {
        secret
    }
    async fn create_user(&self, b: &Base, profile: NewUser) -> Result<User> {
        b.inner.create_user(profile).await
    }
    async fn get_user(&self, b: &Base, id: &str) -> Result<Option<User>> {
        b.inner.get_user(id).await
    }
    async fn get_user_by_email(&self, b: &Base, email: Option<&str>) -> Result<Option<User>> {
        b.inner.get_user_by_email(email).await
    }
    async fn get_user_by_provider_account_id(
        &self,
        b: &Base,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<Option<User>> {
        b.inner
            .get_user_by_provider_account_id(provider_id, provider_account_id)
            .await
    }
    async fn update_user(&self, b: &Base, user: &User) -> Result<User> {
        b.inner.update_user(user).await
    }
    async fn delete_user(&self, b: &Base, user_id: &str) -> Result<()> {
        b.inner.delete_user(user_id).await
    }
    async fn link_account(&self, b: &Base, account: NewAccount) -> Result<Account> {
        b.inner.link_account(account).await
    }
    async fn unlink_account(
        &self,
        b: &Base,
        user_id: &str,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<()> {
        b.inner
            .unlink_account(user_id, provider_id, provider_account_id)
            .await
    }
    async fn create_session(&self, b: &Base, user: &User) -> Result<Session> {
        b.inner.create_session(user).await
    }
    async fn get_session(&self, b: &Base, token: Option<&str>) -> Result<Option<Session>> {
        b.inner.get_session(token).await
    }
    async fn update_session(
        &self,
        b: &Base,
        session: &mut Session,
        force: bool,
    ) -> Result<Option<Session>> {
        b.inner.update_session(session, force).await
    }
    async fn delete_session(&self, b: &Base, token: Option<&str>) -> Result<()> {
        b.inner.delete_session(token).await
    }
    async fn create_verification_request(
        &self,
        b: &Base,
        identifier: &str,
        url: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<VerificationRequest> {
        b.inner
            .create_verification_request(identifier, url, token, secret, provider)
            .await
    }
    async fn get_verification_request(
        &self,
        b: &Base,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<Option<VerificationRequest>> {
        b.inner
            .get_verification_request(identifier, token, secret, provider)
            .await
    }
    async fn delete_verification_request(
        &self,
        b: &Base,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<()> {
        b.inner
            .delete_verification_request(identifier, token, secret, provider)
            .await
    }
}

// ---- The defects ---------------------------------------------------------------------------

struct ExpiredSessionReturned;
#[async_trait]
impl Fault for ExpiredSessionReturned {
    async fn get_session(&self, b: &Base, token: Option<&str>) -> Result<Option<Session>> {
        match token {
            Some(t) => Ok(b
                .snapshot()
                .sessions
                .into_iter()
                .find(|s| s.session_token == t)),
            None => b.inner.get_session(None).await,
        }
    }
}

struct ExpiryInclusive;
#[async_trait]
impl Fault for ExpiryInclusive {
    async fn get_session(&self, b: &Base, token: Option<&str>) -> Result<Option<Session>> {
        let found = token.and_then(|t| {
            b.snapshot()
                .sessions
                .into_iter()
                .find(|s| s.session_token == t)
        });
        match found {
            Some(s) if b.now() >= s.expires => Ok(None),
            _ => b.inner.get_session(token).await,
        }
    }
}

struct RawVerificationToken;
#[async_trait]
impl Fault for RawVerificationToken {
    async fn create_verification_request(
        &self,
        b: &Base,
        identifier: &str,
        url: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<VerificationRequest> {
        let created = b
            .inner
            .create_verification_request(identifier, url, token, secret, provider)
            .await?;
        Ok(b.rewrite(
            created,
            |rows| &mut rows.verification_requests,
            |v| v.token = token.to_owned(),
        ))
    }
    async fn get_verification_request(
        &self,
        b: &Base,
        identifier: &str,
        token: &str,
        _secret: &str,
        _provider: &EmailProvider,
    ) -> Result<Option<VerificationRequest>> {
        let now = b.now();
        let consume = b.declared.verification_consumption == VerificationConsumption::OnGet;
        Ok(b.storage.edit(|rows| {
            let at = rows
                .verification_requests
                .iter()
                .position(|v| v.identifier == identifier && v.token == token)?;
            let found = rows.verification_requests[at].clone();
            if now > found.expires || consume {
                rows.verification_requests.remove(at);
            }
            (now <= found.expires).then_some(found)
        }))
    }
    async fn delete_verification_request(
        &self,
        b: &Base,
        identifier: &str,
        token: &str,
        _secret: &str,
        _provider: &EmailProvider,
    ) -> Result<()> {
        b.storage.edit(|rows| {
            rows.verification_requests
                .retain(|v| !(v.identifier == identifier && v.token == token))
        });
        Ok(())
    }
}

struct VerificationIdentifierIgnored;
#[async_trait]
impl Fault for VerificationIdentifierIgnored {
    async fn get_verification_request(
        &self,
        b: &Base,
        _identifier: &str,
        token: &str,
        secret: &str,
        _provider: &EmailProvider,
    ) -> Result<Option<VerificationRequest>> {
        let hash = formulas::hash_token(token, secret);
        let now = b.now();
        Ok(b.snapshot()
            .verification_requests
            .into_iter()
            .find(|v| v.token == hash)
            .filter(|v| now <= v.expires))
    }
}

struct UpdateDueInclusive;
#[async_trait]
impl Fault for UpdateDueInclusive {
    async fn update_session(
        &self,
        b: &Base,
        session: &mut Session,
        force: bool,
    ) -> Result<Option<Session>> {
        if b.now() == b.config.session.update_due(session.expires) {
            return Ok(b.extend(session));
        }
        b.inner.update_session(session, force).await
    }
}

struct DeleteUserLeavesSessions;
#[async_trait]
impl Fault for DeleteUserLeavesSessions {
    async fn delete_user(&self, b: &Base, user_id: &str) -> Result<()> {
        b.storage.edit(|rows| {
            rows.users.retain(|u| u.id != user_id);
            rows.accounts.retain(|a| a.user_id != user_id);
        });
        Ok(())
    }
}

struct DuplicateEmailAccepted;
#[async_trait]
impl Fault for DuplicateEmailAccepted {
    async fn create_user(&self, b: &Base, profile: NewUser) -> Result<User> {
        Ok(b.insert_user(profile))
    }
}

struct EmailCaseFolded;
#[async_trait]
impl Fault for EmailCaseFolded {
    async fn get_user_by_email(&self, b: &Base, email: Option<&str>) -> Result<Option<User>> {
        let Some(email) = email.filter(|e| !e.is_empty()) else {
            return b.inner.get_user_by_email(email).await;
        };
        Ok(b.snapshot().users.into_iter().find(|u| {
            u.email
                .as_deref()
                .is_some_and(|e| e.to_lowercase() == email.to_lowercase())
        }))
    }
}

struct ForceExtends;
#[async_trait]
impl Fault for ForceExtends {
    async fn update_session(
        &self,
        b: &Base,
        session: &mut Session,
        force: bool,
    ) -> Result<Option<Session>> {
        if force {
            return Ok(b.extend(session));
        }
        b.inner.update_session(session, force).await
    }
}

struct DeleteMissingSessionFails;
#[async_trait]
impl Fault for DeleteMissingSessionFails {
    async fn delete_session(&self, b: &Base, token: Option<&str>) -> Result<()> {
        let exists =
            token.is_some_and(|t| b.snapshot().sessions.iter().any(|s| s.session_token == t));
        if !exists {
            return Err(AdapterError::NotFound {
                method: Method::DeleteSession,
                entity: Entity::Session,
                id: token.unwrap_or("undefined").to_owned(),
            });
        }
        b.inner.delete_session(token).await
    }
}

struct UnknownSessionFails;
#[async_trait]
impl Fault for UnknownSessionFails {
    async fn get_session(&self, b: &Base, token: Option<&str>) -> Result<Option<Session>> {
        match (token, b.inner.get_session(token).await?) {
            (Some(t), None) => Err(AdapterError::NotFound {
                method: Method::GetSession,
                entity: Entity::Session,
                id: t.to_owned(),
            }),
            (_, found) => Ok(found),
        }
    }
}

struct UpdateUserUpserts;
#[async_trait]
impl Fault for UpdateUserUpserts {
    async fn update_user(&self, b: &Base, user: &User) -> Result<User> {
        match b.inner.update_user(user).await {
            Err(AdapterError::NotFound { .. }) => {
                let u = user.clone();
                b.storage.edit(|rows| rows.users.push(u.clone()));
                Ok(user.clone())
            }
            other => other,
        }
    }
}

struct ExpiredVerificationKept;
#[async_trait]
impl Fault for ExpiredVerificationKept {
    async fn get_verification_request(
        &self,
        b: &Base,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<Option<VerificationRequest>> {
        let hash = formulas::hash_token(token, secret);
        let found = b
            .snapshot()
            .verification_requests
            .into_iter()
            .find(|v| v.identifier == identifier && v.token == hash);
        match found {
            Some(v) if b.now() > v.expires => Ok(None),
            _ => {
                b.inner
                    .get_verification_request(identifier, token, secret, provider)
                    .await
            }
        }
    }
}

/// The secret [`SecretArgumentIgnored`] hashes with instead of the argument.
const APP_SECRET: &str = "the-app-secret";

struct SecretArgumentIgnored;
#[async_trait]
impl Fault for SecretArgumentIgnored {
    fn secret<'a>(&self, _secret: &'a str) -> &'a str {
        APP_SECRET
    }
}

struct DeleteIdentifierCaseFolded;
#[async_trait]
impl Fault for DeleteIdentifierCaseFolded {
    async fn delete_verification_request(
        &self,
        b: &Base,
        identifier: &str,
        token: &str,
        secret: &str,
        _provider: &EmailProvider,
    ) -> Result<()> {
        let hash = formulas::hash_token(token, secret);
        let folded = identifier.to_lowercase();
        b.storage.edit(|rows| {
            rows.verification_requests
                .retain(|v| !(v.token == hash && v.identifier.to_lowercase() == folded))
        });
        Ok(())
    }
}

struct DuplicateAccountAccepted;
#[async_trait]
impl Fault for DuplicateAccountAccepted {
    async fn link_account(&self, b: &Base, account: NewAccount) -> Result<Account> {
        Ok(b.insert_account(account))
    }
}

struct UnlinkIgnoresUser;
#[async_trait]
impl Fault for UnlinkIgnoresUser {
    async fn unlink_account(
        &self,
        b: &Base,
        _user_id: &str,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<()> {
        // Unlinks whoever owns the account.
        let owner = b
            .snapshot()
            .accounts
            .into_iter()
            .find(|a| a.provider_id == provider_id && a.provider_account_id == provider_account_id)
            .map(|a| a.user_id);
        match owner {
            Some(owner) => {
                b.inner
                    .unlink_account(&owner, provider_id, provider_account_id)
                    .await
            }
            None => Ok(()),
        }
    }
}

struct ShortSessionTokens;
#[async_trait]
impl Fault for ShortSessionTokens {
    async fn create_session(&self, b: &Base, user: &User) -> Result<Session> {
        let session = b.inner.create_session(user).await?;
        let short = session.session_token[..32].to_owned();
        Ok(b.rewrite(
            session,
            |rows| &mut rows.sessions,
            |s| s.session_token = short,
        ))
    }
}

/// Rewrites the tokens of the session just created with `tokens` (session token, access token).
fn retoken(b: &Base, session: Session, tokens: (String, String)) -> Session {
    b.rewrite(
        session,
        |rows| &mut rows.sessions,
        |s| (s.session_token, s.access_token) = tokens,
    )
}

/// `hex` plus one, as a 64-digit big-endian hex number (mod 16^64).
fn hex_plus_one(hex: &str) -> String {
    let mut digits: Vec<u32> = hex.chars().filter_map(|c| c.to_digit(16)).collect();
    for d in digits.iter_mut().rev() {
        *d = (*d + 1) % 16;
        if *d != 0 {
            break;
        }
    }
    digits
        .into_iter()
        .filter_map(|d| char::from_digit(d, 16))
        .collect()
}

/// Tokens from a counter: a random start, then one more each time.
#[derive(Default)]
struct CounterTokens {
    last: Mutex<Option<String>>,
}

impl CounterTokens {
    fn next(&self) -> String {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let next = match last.as_deref() {
            Some(t) => hex_plus_one(t),
            None => formulas::random_token(),
        };
        *last = Some(next.clone());
        next
    }
}

#[async_trait]
impl Fault for CounterTokens {
    async fn create_session(&self, b: &Base, user: &User) -> Result<Session> {
        let session = b.inner.create_session(user).await?;
        let tokens = (self.next(), self.next());
        Ok(retoken(b, session, tokens))
    }
}

/// Tokens from the clock: its microseconds, a sequence number, and a hash of both.
#[derive(Default)]
struct ClockTokens {
    seq: AtomicU32,
}

impl ClockTokens {
    fn next(&self, now: DateTime<Utc>) -> String {
        let micros = now.timestamp_micros() as u64;
        let seq = self.seq.fetch_add(1, Ordering::Relaxed);
        let tail = formulas::hash_token(&format!("{micros}:{seq}"), "");
        format!("{micros:016x}{seq:08x}{}", &tail[..40])
    }
}

#[async_trait]
impl Fault for ClockTokens {
    async fn create_session(&self, b: &Base, user: &User) -> Result<Session> {
        let session = b.inner.create_session(user).await?;
        let tokens = (self.next(b.now()), self.next(b.now()));
        Ok(retoken(b, session, tokens))
    }
}

/// Tokens with one byte of entropy, from a splitmix64 generator whose seed is fixed, so that
/// every run of a rule draws the same bytes and fails the same way.
struct LowEntropyTokens {
    state: Mutex<u64>,
}

impl Default for LowEntropyTokens {
    fn default() -> Self {
        LowEntropyTokens {
            state: Mutex::new(0x2545_f491_4f6c_dd1d),
        }
    }
}

impl LowEntropyTokens {
    fn next(&self) -> String {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        let byte = (z ^ (z >> 31)) as u8;
        formulas::hash_token(&format!("{byte:02x}"), "")
    }
}

#[async_trait]
impl Fault for LowEntropyTokens {
    async fn create_session(&self, b: &Base, user: &User) -> Result<Session> {
        let session = b.inner.create_session(user).await?;
        let (token, access) = (self.next(), self.next());
        // As a unique index would: a token another session holds refuses the insert.
        b.storage.edit(|rows| {
            let taken = |key: UniqueKey, t: &str| {
                rows.sessions
                    .iter()
                    .filter(|s| s.id != session.id)
                    .any(|s| match key {
                        UniqueKey::SessionToken => s.session_token == t,
                        _ => s.access_token == t,
                    })
                    .then_some(key)
            };
            let clash = taken(UniqueKey::SessionToken, &token)
                .or_else(|| taken(UniqueKey::SessionAccessToken, &access));
            let row = rows.sessions.iter().position(|s| s.id == session.id);
            match (clash, row) {
                (Some(key), row) => {
                    if let Some(i) = row {
                        rows.sessions.remove(i);
                    }
                    Err(AdapterError::Conflict {
                        method: Method::CreateSession,
                        key,
                    })
                }
                (None, Some(i)) => {
                    let s = &mut rows.sessions[i];
                    (s.session_token, s.access_token) = (token, access);
                    Ok(s.clone())
                }
                (None, None) => Ok(session.clone()),
            }
        })
    }
}

struct SilentTruncation;

fn truncate(s: Option<String>) -> Option<String> {
    s.map(|s| s.chars().take(255).collect())
}

#[async_trait]
impl Fault for SilentTruncation {
    fn behaves(&self, declared: Capabilities) -> Capabilities {
        Capabilities {
            limits: FieldLimits {
                varchar: nextauth_adapter::limits::StringLimit::UNLIMITED,
                image: nextauth_adapter::limits::StringLimit::UNLIMITED,
                text: nextauth_adapter::limits::StringLimit::UNLIMITED,
            },
            ..declared
        }
    }
    async fn create_user(&self, b: &Base, profile: NewUser) -> Result<User> {
        let p = NewUser {
            name: truncate(profile.name),
            email: truncate(profile.email),
            image: truncate(profile.image),
            ..profile
        };
        b.inner.create_user(p).await
    }
    async fn link_account(&self, b: &Base, account: NewAccount) -> Result<Account> {
        let a = NewAccount {
            provider_id: account.provider_id.chars().take(255).collect(),
            provider_account_id: account.provider_account_id.chars().take(255).collect(),
            provider_type: account.provider_type.chars().take(255).collect(),
            ..account
        };
        b.inner.link_account(a).await
    }
}

struct ExtensionNotStored;
#[async_trait]
impl Fault for ExtensionNotStored {
    async fn update_session(
        &self,
        b: &Base,
        session: &mut Session,
        force: bool,
    ) -> Result<Option<Session>> {
        let policy = b.config.session;
        if policy.is_update_due(session.expires, b.now()) {
            session.expires = b.at_precision(policy.expires_from(b.now()));
            return Ok(Some(session.clone()));
        }
        b.inner.update_session(session, force).await
    }
}

struct ForeignUserIdFails;
#[async_trait]
impl Fault for ForeignUserIdFails {
    async fn get_user(&self, b: &Base, id: &str) -> Result<Option<User>> {
        if id.parse::<u64>().is_err() {
            return Err(AdapterError::backend(
                Method::GetUser,
                "broken",
                format!("Provided String {id:?}, expected Int"),
            ));
        }
        b.inner.get_user(id).await
    }
}

struct EmailLookupLike;
#[async_trait]
impl Fault for EmailLookupLike {
    async fn get_user_by_email(&self, b: &Base, email: Option<&str>) -> Result<Option<User>> {
        let Some(email) = email.filter(|e| !e.is_empty()) else {
            return b.inner.get_user_by_email(email).await;
        };
        Ok(b.snapshot()
            .users
            .into_iter()
            .find(|u| u.email.as_deref().is_some_and(|e| like(e, email))))
    }
}

struct ProviderIgnored;
#[async_trait]
impl Fault for ProviderIgnored {
    async fn get_user_by_provider_account_id(
        &self,
        b: &Base,
        _provider_id: &str,
        provider_account_id: &str,
    ) -> Result<Option<User>> {
        let rows = b.snapshot();
        let Some(a) = rows
            .accounts
            .iter()
            .find(|a| a.provider_account_id == provider_account_id)
        else {
            return Ok(None);
        };
        Ok(rows.users.into_iter().find(|u| u.id == a.user_id))
    }
}

struct NoTokenMatchesFirst;
#[async_trait]
impl Fault for NoTokenMatchesFirst {
    async fn get_session(&self, b: &Base, token: Option<&str>) -> Result<Option<Session>> {
        match token {
            None => Ok(b.snapshot().sessions.into_iter().next()),
            Some(_) => b.inner.get_session(token).await,
        }
    }
}

struct SecondsDeclaredMicro;
#[async_trait]
impl Fault for SecondsDeclaredMicro {
    fn behaves(&self, declared: Capabilities) -> Capabilities {
        Capabilities {
            timestamp_precision: TimestampPrecision::Second,
            ..declared
        }
    }
}

struct UpdateAgeIgnored;
#[async_trait]
impl Fault for UpdateAgeIgnored {
    async fn update_session(
        &self,
        b: &Base,
        session: &mut Session,
        _force: bool,
    ) -> Result<Option<Session>> {
        Ok(b.extend(session))
    }
}

struct SenderCalledTwice;
#[async_trait]
impl Fault for SenderCalledTwice {
    async fn create_verification_request(
        &self,
        b: &Base,
        identifier: &str,
        url: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<VerificationRequest> {
        let created = b
            .inner
            .create_verification_request(identifier, url, token, secret, provider)
            .await?;
        let _ = provider
            .sender
            .send(VerificationMessage {
                identifier: identifier.to_owned(),
                url: url.to_owned(),
                token: token.to_owned(),
                base_url: b.config.base_url.clone(),
                provider_id: provider.id.clone(),
            })
            .await;
        Ok(created)
    }
}

#[derive(Default)]
struct EveryThirdUpdateExtends {
    calls: AtomicU32,
}
#[async_trait]
impl Fault for EveryThirdUpdateExtends {
    async fn update_session(
        &self,
        b: &Base,
        session: &mut Session,
        force: bool,
    ) -> Result<Option<Session>> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if n.is_multiple_of(3) && !b.config.session.is_update_due(session.expires, b.now()) {
            return Ok(b.extend(session));
        }
        b.inner.update_session(session, force).await
    }
}

/// The gap between a racy adapter's check and its write: one trip to the database.
async fn round_trip() {
    tokio::task::yield_now().await;
}

struct RacyCreateUser;
#[async_trait]
impl Fault for RacyCreateUser {
    async fn create_user(&self, b: &Base, profile: NewUser) -> Result<User> {
        if profile.email.is_some()
            && b.inner
                .get_user_by_email(profile.email.as_deref())
                .await?
                .is_some()
        {
            return Err(AdapterError::Conflict {
                method: Method::CreateUser,
                key: UniqueKey::UserEmail,
            });
        }
        round_trip().await;
        Ok(b.insert_user(profile))
    }
}

/// `link_account`'s Conflict when the provider account is linked already (read from the
/// reference's storage, as the defects that bypass the reference's own insert need it).
fn refuse_a_taken_account(b: &Base, account: &NewAccount) -> Result<()> {
    let compound = formulas::compound_id(&account.provider_id, &account.provider_account_id);
    if b.snapshot()
        .accounts
        .iter()
        .any(|a| a.compound_id == compound)
    {
        return Err(AdapterError::Conflict {
            method: Method::LinkAccount,
            key: UniqueKey::AccountCompoundId,
        });
    }
    Ok(())
}

struct RacyLinkAccount;
#[async_trait]
impl Fault for RacyLinkAccount {
    async fn link_account(&self, b: &Base, account: NewAccount) -> Result<Account> {
        refuse_a_taken_account(b, &account)?;
        round_trip().await;
        Ok(b.insert_account(account))
    }
}

struct RacyConsume;
#[async_trait]
impl Fault for RacyConsume {
    fn behaves(&self, declared: Capabilities) -> Capabilities {
        Capabilities {
            verification_consumption: VerificationConsumption::OnDelete,
            ..declared
        }
    }
    async fn get_verification_request(
        &self,
        b: &Base,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<Option<VerificationRequest>> {
        let found = b
            .inner
            .get_verification_request(identifier, token, secret, provider)
            .await?;
        if found.is_some() {
            round_trip().await;
            b.inner
                .delete_verification_request(identifier, token, secret, provider)
                .await?;
        }
        Ok(found)
    }
}

struct RacyEmailUpdate;
#[async_trait]
impl Fault for RacyEmailUpdate {
    async fn update_user(&self, b: &Base, user: &User) -> Result<User> {
        if let Some(holder) = b.inner.get_user_by_email(user.email.as_deref()).await?
            && holder.id != user.id
        {
            return Err(AdapterError::Conflict {
                method: Method::UpdateUser,
                key: UniqueKey::UserEmail,
            });
        }
        round_trip().await;
        let now = b.at_precision(b.now());
        let written = b.storage.edit(|rows| {
            let row = rows.users.iter_mut().find(|u| u.id == user.id)?;
            row.name = user.name.clone();
            row.email = user.email.clone();
            row.image = user.image.clone();
            row.email_verified = user.email_verified.map(|t| b.at_precision(t));
            row.updated_at = now;
            Some(row.clone())
        });
        written.ok_or_else(|| AdapterError::NotFound {
            method: Method::UpdateUser,
            entity: Entity::User,
            id: user.id.clone(),
        })
    }
}

struct CreateDropsEmailVerified;
#[async_trait]
impl Fault for CreateDropsEmailVerified {
    async fn create_user(&self, b: &Base, profile: NewUser) -> Result<User> {
        let verified = profile.email_verified.map(|_| b.at_precision(b.now()));
        let stored = b
            .inner
            .create_user(NewUser {
                email_verified: None,
                ..profile
            })
            .await?;
        Ok(User {
            email_verified: verified,
            ..stored
        })
    }
}

struct LinkDropsTokenExpiry;
#[async_trait]
impl Fault for LinkDropsTokenExpiry {
    async fn link_account(&self, b: &Base, account: NewAccount) -> Result<Account> {
        let expires = account.access_token_expires;
        let stored = b
            .inner
            .link_account(NewAccount {
                access_token_expires: None,
                ..account
            })
            .await?;
        Ok(Account {
            access_token_expires: expires,
            ..stored
        })
    }
}

struct OrphansAccepted;
#[async_trait]
impl Fault for OrphansAccepted {
    async fn link_account(&self, b: &Base, account: NewAccount) -> Result<Account> {
        match b.inner.link_account(account.clone()).await {
            Err(AdapterError::NotFound {
                entity: Entity::User,
                ..
            }) => {
                refuse_a_taken_account(b, &account)?;
                Ok(b.insert_account(NewAccount {
                    access_token_expires: account.access_token_expires.map(|t| b.at_precision(t)),
                    ..account
                }))
            }
            other => other,
        }
    }
    async fn create_session(&self, b: &Base, user: &User) -> Result<Session> {
        match b.inner.create_session(user).await {
            Err(AdapterError::NotFound {
                entity: Entity::User,
                ..
            }) => Ok(b.insert_session(user)),
            other => other,
        }
    }
}

struct LinkKeepsFineTokenExpiry;
#[async_trait]
impl Fault for LinkKeepsFineTokenExpiry {
    async fn link_account(&self, b: &Base, account: NewAccount) -> Result<Account> {
        let given = account.access_token_expires;
        let stored = b.inner.link_account(account).await?;
        Ok(b.rewrite(
            stored,
            |rows| &mut rows.accounts,
            |a| a.access_token_expires = given,
        ))
    }
}

struct CoarseTimestampsOutsideSessions;

fn seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    TimestampPrecision::Second.apply(t)
}

#[async_trait]
impl Fault for CoarseTimestampsOutsideSessions {
    async fn create_user(&self, b: &Base, profile: NewUser) -> Result<User> {
        let u = b.inner.create_user(profile).await?;
        Ok(b.rewrite(
            u,
            |rows| &mut rows.users,
            |row| {
                row.email_verified = row.email_verified.map(seconds);
                row.created_at = seconds(row.created_at);
                row.updated_at = seconds(row.updated_at);
            },
        ))
    }
    async fn link_account(&self, b: &Base, account: NewAccount) -> Result<Account> {
        let a = b.inner.link_account(account).await?;
        Ok(b.rewrite(
            a,
            |rows| &mut rows.accounts,
            |row| {
                row.access_token_expires = row.access_token_expires.map(seconds);
                row.created_at = seconds(row.created_at);
                row.updated_at = seconds(row.updated_at);
            },
        ))
    }
    async fn create_verification_request(
        &self,
        b: &Base,
        identifier: &str,
        url: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<VerificationRequest> {
        let v = b
            .inner
            .create_verification_request(identifier, url, token, secret, provider)
            .await?;
        Ok(b.rewrite(
            v,
            |rows| &mut rows.verification_requests,
            |row| {
                row.expires = seconds(row.expires);
                row.created_at = seconds(row.created_at);
                row.updated_at = seconds(row.updated_at);
            },
        ))
    }
}

struct OneAccountPerUser;
#[async_trait]
impl Fault for OneAccountPerUser {
    async fn link_account(&self, b: &Base, account: NewAccount) -> Result<Account> {
        // The user's earlier accounts are replaced by the new one.
        for a in b.snapshot().accounts {
            if a.user_id == account.user_id {
                b.inner
                    .unlink_account(&a.user_id, &a.provider_id, &a.provider_account_id)
                    .await?;
            }
        }
        b.inner.link_account(account).await
    }
}

struct UnlinkRemovesProviderAccounts;
#[async_trait]
impl Fault for UnlinkRemovesProviderAccounts {
    async fn unlink_account(
        &self,
        b: &Base,
        user_id: &str,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<()> {
        let named = b.snapshot().accounts.into_iter().any(|a| {
            a.user_id == user_id
                && a.provider_id == provider_id
                && a.provider_account_id == provider_account_id
        });
        if !named {
            return Ok(());
        }
        // Unlinks every account of the user at that provider.
        for a in b.snapshot().accounts {
            if a.user_id == user_id && a.provider_id == provider_id {
                b.inner
                    .unlink_account(user_id, provider_id, &a.provider_account_id)
                    .await?;
            }
        }
        Ok(())
    }
}

#[derive(Default)]
struct StaleUserCache {
    by_id: Mutex<HashMap<String, User>>,
    by_email: Mutex<HashMap<String, User>>,
}

impl StaleUserCache {
    fn remember(&self, u: &User) {
        self.by_id
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(u.id.clone(), u.clone());
        if let Some(e) = &u.email {
            self.by_email
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(e.clone(), u.clone());
        }
    }
}

#[async_trait]
impl Fault for StaleUserCache {
    async fn get_user(&self, b: &Base, id: &str) -> Result<Option<User>> {
        if let Some(u) = self.by_id.lock().unwrap_or_else(|p| p.into_inner()).get(id) {
            return Ok(Some(u.clone()));
        }
        let found = b.inner.get_user(id).await?;
        if let Some(u) = &found {
            self.remember(u);
        }
        Ok(found)
    }
    async fn get_user_by_email(&self, b: &Base, email: Option<&str>) -> Result<Option<User>> {
        if let Some(e) = email
            && let Some(u) = self
                .by_email
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(e)
        {
            return Ok(Some(u.clone()));
        }
        let found = b.inner.get_user_by_email(email).await?;
        if let Some(u) = &found {
            self.remember(u);
        }
        Ok(found)
    }
    async fn update_user(&self, b: &Base, user: &User) -> Result<User> {
        let updated = b.inner.update_user(user).await?;
        self.by_email
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, u| u.id != updated.id);
        self.remember(&updated);
        Ok(updated)
    }
}

#[derive(Default)]
struct StaleSessionCache {
    by_token: Mutex<HashMap<String, Session>>,
}

#[async_trait]
impl Fault for StaleSessionCache {
    async fn get_session(&self, b: &Base, token: Option<&str>) -> Result<Option<Session>> {
        if let Some(t) = token {
            let cached = self
                .by_token
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(t)
                .cloned();
            if let Some(s) = cached
                && b.now() <= s.expires
            {
                return Ok(Some(s));
            }
        }
        let found = b.inner.get_session(token).await?;
        if let Some(s) = &found {
            self.by_token
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(s.session_token.clone(), s.clone());
        }
        Ok(found)
    }
    async fn update_session(
        &self,
        b: &Base,
        session: &mut Session,
        force: bool,
    ) -> Result<Option<Session>> {
        let r = b.inner.update_session(session, force).await?;
        if let Some(s) = &r {
            self.by_token
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(s.session_token.clone(), s.clone());
        }
        Ok(r)
    }
}

#[derive(Default)]
struct StaleAccountCache {
    owners: Mutex<HashMap<(String, String), String>>,
}

#[async_trait]
impl Fault for StaleAccountCache {
    async fn get_user_by_provider_account_id(
        &self,
        b: &Base,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<Option<User>> {
        let key = (provider_id.to_owned(), provider_account_id.to_owned());
        let cached = self
            .owners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned();
        if let Some(owner) = cached {
            return b.inner.get_user(&owner).await;
        }
        let found = b
            .inner
            .get_user_by_provider_account_id(provider_id, provider_account_id)
            .await?;
        if let Some(u) = &found {
            self.owners
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key, u.id.clone());
        }
        Ok(found)
    }
}

struct SessionPolicyIgnored;
#[async_trait]
impl Fault for SessionPolicyIgnored {
    fn inner_config(&self, config: AdapterConfig) -> AdapterConfig {
        AdapterConfig {
            session: SessionPolicy::default(),
            ..config
        }
    }
}

struct CapabilitiesMisdeclared;
#[async_trait]
impl Fault for CapabilitiesMisdeclared {
    fn capabilities(&self, b: &Base) -> Capabilities {
        Capabilities {
            delete_user: DeleteUserSupport::UserOnly,
            ..b.declared
        }
    }
}

struct EmptyDisplayName;
#[async_trait]
impl Fault for EmptyDisplayName {
    fn display_name(&self) -> &'static str {
        ""
    }
}

/// A declared choice the adapter does not keep: it declares one setting (`declared` applied to
/// what its factory was asked to declare) while the reference underneath behaves by another
/// (`actual` applied to the declaration).
struct Misdeclared {
    declared: fn(&mut Capabilities),
    actual: fn(&mut Capabilities),
}

#[async_trait]
impl Fault for Misdeclared {
    fn declares(&self, mut requested: Capabilities) -> Capabilities {
        (self.declared)(&mut requested);
        requested
    }
    fn behaves(&self, mut declared: Capabilities) -> Capabilities {
        (self.actual)(&mut declared);
        declared
    }
}

// ---- The adapter and its factory -----------------------------------------------------------

/// The reference adapter with one [`Defect`].
pub struct BrokenAdapter {
    base: Base,
    fault: Box<dyn Fault>,
}

impl BrokenAdapter {
    /// A broken adapter declaring `declared` (the reference underneath behaves as declared,
    /// except for the defect).
    pub fn new(config: AdapterConfig, declared: Capabilities, defect: Defect) -> Self {
        let fault = (defect.make)();
        let storage = Storage::new();
        let inner = ReferenceAdapter::over(
            storage.clone(),
            fault.inner_config(config.clone()),
            fault.behaves(declared),
        );
        BrokenAdapter {
            base: Base {
                inner: Arc::new(inner),
                storage,
                config,
                declared,
            },
            fault,
        }
    }
}

#[async_trait]
impl Adapter for BrokenAdapter {
    fn display_name(&self) -> &str {
        self.fault.display_name()
    }
    fn capabilities(&self) -> Capabilities {
        self.fault.capabilities(&self.base)
    }
    async fn create_user(&self, profile: NewUser) -> Result<User> {
        self.fault.create_user(&self.base, profile).await
    }
    async fn get_user(&self, id: &str) -> Result<Option<User>> {
        self.fault.get_user(&self.base, id).await
    }
    async fn get_user_by_email(&self, email: Option<&str>) -> Result<Option<User>> {
        self.fault.get_user_by_email(&self.base, email).await
    }
    async fn get_user_by_provider_account_id(
        &self,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<Option<User>> {
        self.fault
            .get_user_by_provider_account_id(&self.base, provider_id, provider_account_id)
            .await
    }
    async fn update_user(&self, user: &User) -> Result<User> {
        self.fault.update_user(&self.base, user).await
    }
    async fn delete_user(&self, user_id: &str) -> Result<()> {
        self.fault.delete_user(&self.base, user_id).await
    }
    async fn link_account(&self, account: NewAccount) -> Result<Account> {
        self.fault.link_account(&self.base, account).await
    }
    async fn unlink_account(
        &self,
        user_id: &str,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<()> {
        self.fault
            .unlink_account(&self.base, user_id, provider_id, provider_account_id)
            .await
    }
    async fn create_session(&self, user: &User) -> Result<Session> {
        self.fault.create_session(&self.base, user).await
    }
    async fn get_session(&self, session_token: Option<&str>) -> Result<Option<Session>> {
        self.fault.get_session(&self.base, session_token).await
    }
    async fn update_session(&self, session: &mut Session, force: bool) -> Result<Option<Session>> {
        self.fault.update_session(&self.base, session, force).await
    }
    async fn delete_session(&self, session_token: Option<&str>) -> Result<()> {
        self.fault.delete_session(&self.base, session_token).await
    }
    async fn create_verification_request(
        &self,
        identifier: &str,
        url: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<VerificationRequest> {
        self.fault
            .create_verification_request(
                &self.base,
                identifier,
                url,
                token,
                self.fault.secret(secret),
                provider,
            )
            .await
    }
    async fn get_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<Option<VerificationRequest>> {
        self.fault
            .get_verification_request(
                &self.base,
                identifier,
                token,
                self.fault.secret(secret),
                provider,
            )
            .await
    }
    async fn delete_verification_request(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<()> {
        self.fault
            .delete_verification_request(
                &self.base,
                identifier,
                token,
                self.fault.secret(secret),
                provider,
            )
            .await
    }
}

#[async_trait]
impl Inspector for BrokenAdapter {
    async fn stored(&self) -> std::result::Result<Stored, InspectError> {
        self.base.inner.stored().await
    }
}

/// A backend of [`BrokenAdapter`]s with one defect.
#[derive(Debug, Clone, Copy)]
pub struct BrokenFactory {
    /// The defect every adapter has.
    pub defect: Defect,
    /// What the adapters are asked to declare (a defect of a declared choice changes that
    /// choice: see [`Defect::declares`]).
    pub capabilities: Capabilities,
}

impl BrokenFactory {
    /// Broken adapters with `defect`, declaring the hardened capabilities.
    pub fn new(defect: Defect) -> Self {
        BrokenFactory {
            defect,
            capabilities: Capabilities::HARDENED,
        }
    }

    /// Broken adapters with the defect named `name`.
    ///
    /// # Panics
    /// If no defect has that name.
    pub fn named(name: &str) -> Self {
        BrokenFactory::new(Defect::named(name))
    }
}

#[async_trait]
impl BackendFactory for BrokenFactory {
    fn name(&self) -> String {
        format!("{BROKEN_PREFIX}{}", self.defect.name)
    }

    fn capabilities(&self) -> Capabilities {
        self.defect.declares(self.capabilities)
    }

    fn describe(&self) -> String {
        format!(
            "reference adapter with the deliberate defect {}: {}",
            self.defect.name, self.defect.summary
        )
    }

    async fn open(&self, config: AdapterConfig) -> std::result::Result<Fixture, BackendError> {
        let adapter = Arc::new(BrokenAdapter::new(config, self.capabilities(), self.defect));
        Ok(Fixture {
            adapter: adapter.clone(),
            inspector: adapter,
            teardown: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defect_names_are_unique_and_kebab_case() {
        let mut names: Vec<&str> = DEFECTS.iter().map(|d| d.name).collect();
        for n in &names {
            assert!(
                n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{n}"
            );
            assert_eq!(Defect::from_name(n).map(|d| d.name), Some(*n));
        }
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before, "duplicate defect names");
    }
}

/// Which keys a [`Folds`] defect's lookups fold.
#[derive(Clone, Copy)]
struct Keys {
    email: bool,
    accounts: bool,
    sessions: bool,
    identifiers: bool,
}

impl Keys {
    const ALL: Keys = Keys {
        email: true,
        accounts: true,
        sessions: true,
        identifiers: true,
    };
}

/// Lookups of `keys` that ignore `axes`: a key is taken for the stored one it equals once
/// both are folded (as a collation ignoring those axes compares), then the reference
/// underneath is asked with the stored spelling.
struct Folds {
    axes: &'static [Axis],
    keys: Keys,
}

impl Folds {
    fn same(&self, a: &str, b: &str) -> bool {
        Axis::fold_all(self.axes, a) == Axis::fold_all(self.axes, b)
    }

    fn email(&self, b: &Base, given: &str) -> String {
        b.snapshot()
            .users
            .into_iter()
            .filter_map(|u| u.email)
            .find(|e| self.keys.email && !given.is_empty() && self.same(e, given))
            .unwrap_or_else(|| given.to_owned())
    }

    fn account(&self, b: &Base, provider_id: &str, id: &str) -> (String, String) {
        b.snapshot()
            .accounts
            .into_iter()
            .find(|a| {
                self.keys.accounts
                    && self.same(&a.provider_id, provider_id)
                    && self.same(&a.provider_account_id, id)
            })
            .map_or_else(
                || (provider_id.to_owned(), id.to_owned()),
                |a| (a.provider_id, a.provider_account_id),
            )
    }

    fn token(&self, b: &Base, given: Option<&str>) -> Option<String> {
        let given = given?;
        Some(
            b.snapshot()
                .sessions
                .into_iter()
                .map(|s| s.session_token)
                .find(|t| self.keys.sessions && self.same(t, given))
                .unwrap_or_else(|| given.to_owned()),
        )
    }

    fn identifier(&self, b: &Base, given: &str, token: &str, secret: &str) -> String {
        let hash = formulas::hash_token(token, secret);
        b.snapshot()
            .verification_requests
            .into_iter()
            .find(|v| self.keys.identifiers && v.token == hash && self.same(&v.identifier, given))
            .map_or_else(|| given.to_owned(), |v| v.identifier)
    }
}

#[async_trait]
impl Fault for Folds {
    async fn get_user_by_email(&self, b: &Base, email: Option<&str>) -> Result<Option<User>> {
        let email = email.map(|e| self.email(b, e));
        b.inner.get_user_by_email(email.as_deref()).await
    }
    async fn get_user_by_provider_account_id(
        &self,
        b: &Base,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<Option<User>> {
        let (p, id) = self.account(b, provider_id, provider_account_id);
        b.inner.get_user_by_provider_account_id(&p, &id).await
    }
    async fn unlink_account(
        &self,
        b: &Base,
        user_id: &str,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<()> {
        let (p, id) = self.account(b, provider_id, provider_account_id);
        b.inner.unlink_account(user_id, &p, &id).await
    }
    async fn get_session(&self, b: &Base, token: Option<&str>) -> Result<Option<Session>> {
        let token = self.token(b, token);
        b.inner.get_session(token.as_deref()).await
    }
    async fn update_session(
        &self,
        b: &Base,
        session: &mut Session,
        force: bool,
    ) -> Result<Option<Session>> {
        if let Some(token) = self.token(b, Some(&session.session_token)) {
            session.session_token = token;
        }
        b.inner.update_session(session, force).await
    }
    async fn delete_session(&self, b: &Base, token: Option<&str>) -> Result<()> {
        let token = self.token(b, token);
        b.inner.delete_session(token.as_deref()).await
    }
    async fn get_verification_request(
        &self,
        b: &Base,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<Option<VerificationRequest>> {
        let identifier = self.identifier(b, identifier, token, secret);
        b.inner
            .get_verification_request(&identifier, token, secret, provider)
            .await
    }
    async fn delete_verification_request(
        &self,
        b: &Base,
        identifier: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<()> {
        let identifier = self.identifier(b, identifier, token, secret);
        b.inner
            .delete_verification_request(&identifier, token, secret, provider)
            .await
    }
}

/// A unique key on `users.email` that ignores trailing blanks, as `utf8mb4_bin` does: a write
/// of an address another user has up to trailing blanks is a `Conflict`.
struct EmailUniquePadSpace;

impl EmailUniquePadSpace {
    fn clash(b: &Base, method: Method, user_id: Option<&str>, email: Option<&str>) -> Result<()> {
        let Some(email) = email else {
            return Ok(());
        };
        let padded = |e: &str| e.trim_end_matches(' ').to_owned();
        let taken = b.snapshot().users.into_iter().any(|u| {
            Some(u.id.as_str()) != user_id
                && u.email
                    .as_deref()
                    .is_some_and(|e| padded(e) == padded(email))
        });
        if taken {
            return Err(AdapterError::Conflict {
                method,
                key: UniqueKey::UserEmail,
            });
        }
        Ok(())
    }
}

#[async_trait]
impl Fault for EmailUniquePadSpace {
    async fn create_user(&self, b: &Base, profile: NewUser) -> Result<User> {
        Self::clash(b, Method::CreateUser, None, profile.email.as_deref())?;
        b.inner.create_user(profile).await
    }
    async fn update_user(&self, b: &Base, user: &User) -> Result<User> {
        Self::clash(b, Method::UpdateUser, Some(&user.id), user.email.as_deref())?;
        b.inner.update_user(user).await
    }
}
