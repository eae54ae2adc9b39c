//! Findings: failing rules grouped by cause, each with a severity and what to fix.
//!
//! Every rule of the catalogue is listed under exactly one cause here (a test keeps it so):
//! the cause a failure of that rule usually has. A rule that can tell a more specific cause
//! from what it saw says so on its [`Failure`](crate::Failure) (for example, records that
//! differ only in sub-second timestamps are a precision finding, whatever the rule).

use serde::Serialize;
use std::fmt;

/// How much a finding matters, most serious first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Tokens, secrets, identifiers, single use, the wrong user: someone signs in who should
    /// not, or a credential leaks.
    Security,
    /// Lost, duplicated or orphaned data; unique keys.
    Integrity,
    /// Return values and errors other than the contract's: NextAuth misbehaves, data is safe.
    Contract,
    /// Timestamps finer or coarser than declared, or written by another clock.
    Precision,
}

impl Severity {
    /// The severity as reports print it.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Security => "security",
            Severity::Integrity => "integrity",
            Severity::Contract => "contract",
            Severity::Precision => "precision",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A cause of failing rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cause {
    /// Stable id, e.g. `secret-ignored`.
    pub id: &'static str,
    /// How much it matters.
    pub severity: Severity,
    /// What is wrong, in one line.
    pub title: &'static str,
    /// What to change.
    pub fix: &'static str,
    /// The rules whose failures usually have this cause.
    #[serde(skip)]
    pub rules: &'static [&'static str],
}

/// The id of the cause a record comparison reports when the records differ only in
/// sub-second parts of their timestamps.
pub const TIMESTAMP_PRECISION: &str = "timestamp-precision";

/// The id of the cause a fault rule reports when the call after a fault fails: the adapter
/// did not recover.
pub const FAULT_NOT_RECOVERED: &str = "fault-not-recovered";

/// The id of the cause of a failure to set up or tear down the backend (connect, make or drop
/// a namespace, read with the inspector, inject a fault). Such a failure checked nothing about
/// the adapter: the rule is reported as not run, never as a finding, and the run cannot
/// certify.
pub const SETUP: &str = "setup";

/// The causes whose rules judge errors themselves (a refused value, a call after a fault): for
/// them an unexpected adapter error is the defect itself; for every other rule it is the
/// `errors` cause (a call the rule needed failed, say in its setup).
pub const ERRORS_ARE_THEIR_OWN: &[&str] = &[
    "token-width",
    "data-fidelity",
    "timestamp-range",
    SETUP,
    "fault-half-written",
    FAULT_NOT_RECOVERED,
];

/// The id of the cause a rule failing only in the second time zone reports
/// ([`crate::suite::SECOND_TIME_ZONE`]; it passed in UTC).
pub const TIME_ZONE: &str = "time-zone";

/// Every cause, each with the rules it groups.
pub const CAUSES: &[Cause] = &[
    Cause {
        id: "raw-token",
        severity: Severity::Security,
        title: "Verification tokens are stored raw",
        fix: "store only sha256_hex(token + secret) and compare hashes; never write the raw token",
        rules: &[
            "verification.create.stores-hash",
            "security.verification.raw-token-never-stored",
        ],
    },
    Cause {
        id: "secret-ignored",
        severity: Severity::Security,
        title: "The secret argument is ignored when hashing verification tokens",
        fix: "hash with the `secret` argument of each call, as the contract says; but next-auth@3.29.10 passes provider.secret || options.secret to create and options.secret to get and delete (specification G3), so with v3 core this is safe only together with a core that passes one secret: an adapter that honours the argument breaks every e-mail sign-in of an app whose e-mail provider has its own secret",
        rules: &[
            "verification.create.uses-secret-argument",
            "verification.create.message",
            "verification.get.wrong-secret",
        ],
    },
    Cause {
        id: "identifier-ignored",
        severity: Severity::Security,
        title: "A sign-in link is redeemed without matching its e-mail address",
        fix: "look verification requests up by identifier AND hashed token, with `=` (never LIKE)",
        rules: &[
            "verification.get.wrong-identifier",
            "verification.delete.wrong-identifier-kept",
            "security.verification.identifier-wildcards-literal",
            "flow.email.other-address-in-link",
            "authjs.verification.use.wrong-identifier",
        ],
    },
    Cause {
        id: "link-reuse",
        severity: Severity::Security,
        title: "A sign-in link can be used more than once",
        fix: "consume the request in the read that returns it (DELETE … RETURNING, or a transaction that locks the row) and declare consumption on get: v3 core reads, then deletes, and signs in whatever the delete did, so with consumption on delete two concurrent callbacks both sign in",
        rules: &[
            "verification.get.consumption-as-declared",
            "verification.get.single-use",
            "concurrency.verification.redeemed-once",
            "concurrency.verification.redeemed-once-with-core",
            "flow.email.link-used-twice",
            "authjs.verification.use.returns-once",
            "authjs.verification.create.duplicate-used-once",
            "authjs.concurrency.verification.used-once",
        ],
    },
    Cause {
        id: "expired-accepted",
        severity: Severity::Security,
        title: "Expired sessions or sign-in links are still accepted",
        fix: "treat a row as expired when the adapter clock's now > expires (strictly), and compare instants, not strings",
        rules: &[
            "session.get.expired-is-none",
            "verification.get.expired-is-none",
            "concurrency.get-session.expired-reads",
            "flow.email.expired-link",
            "flow.session.expired-cookie-cleared",
        ],
    },
    Cause {
        id: "inexact-lookup",
        severity: Severity::Security,
        title: "Lookups match more than the exact key",
        fix: "compare tokens, addresses and ids with `=` on the whole value, in a collation that ignores nothing (PostgreSQL and SQLite defaults, MariaDB utf8mb4_nopad_bin, MySQL 8 utf8mb4_0900_bin, or a byte comparison after the query where the server pads): no LIKE, no prefix, no TRIM, no folding of case, accents, width or normal form unless declared",
        rules: &[
            "user.get-by-email.declared-matching",
            "verification.delete.identifier-case-as-declared",
            "security.session.prefix-does-not-match",
            "security.session.token-exact-on-every-axis",
            "security.email.lookup-every-axis-as-declared",
            "security.account.key-exact-on-every-axis",
            "security.verification.key-exact-on-every-axis",
            "security.session.access-token-is-not-session-token",
            "security.email.wildcards-are-literal",
            "security.verification.token-prefix-does-not-match",
            "verification.get.wrong-token",
            "account.get-user.other-provider",
            "account.get-user.numeric-id-as-string",
            "flow.email.callback-case-as-declared",
            "authjs.security.lookups.exact",
            "authjs.security.verification.key-is-exact",
            "authjs.accounts.key-is-both-parts",
            "authjs.verification.use.wrong-token",
        ],
    },
    Cause {
        id: "wrong-user",
        severity: Severity::Security,
        title: "An operation reads or changes another user's data",
        fix: "key every lookup and delete on its full key, the user id included; never fall back to the first row",
        rules: &[
            "account.unlink.other-users-account-kept",
            "session.get.no-token-is-none",
            "user.get-by-email.right-user",
            "flow.oauth.linked-to-other-user",
            "flow.oauth.email-clash-not-linked",
            "flow.email.switch-user-deletes-old-session",
        ],
    },
    Cause {
        id: "weak-tokens",
        severity: Severity::Security,
        title: "Session tokens are short or shared",
        fix: "draw each session token and access token as 32 bytes from a CSPRNG, written as 64 lowercase hex characters",
        rules: &[
            "session.create.tokens-are-64-hex",
            "session.create.tokens-distinct",
            "concurrency.create-session.distinct-tokens",
        ],
    },
    Cause {
        id: "predictable-tokens",
        severity: Severity::Security,
        title: "Session tokens can be predicted from other tokens",
        fix: "draw each session token and access token as 32 bytes from the operating system's CSPRNG (getrandom, crypto.randomBytes) and write them as 64 lowercase hex characters; never a counter, the clock, an id, a hash of any of these, or a generator seeded with a constant or with little entropy",
        rules: &["security.session.tokens-unpredictable"],
    },
    Cause {
        id: "duplicates",
        severity: Severity::Integrity,
        title: "Unique keys are not enforced",
        fix: "a unique index on every key the contract names (users.email; the provider account: v3's accounts.compound_id, Auth.js's (provider, providerAccountId); session tokens; verification tokens), checked by the statement that writes (not check-then-insert), its violation mapped to Conflict",
        rules: &[
            "user.create.duplicate-email-conflict",
            "user.create.duplicate-email-writes-nothing",
            "user.update.email-clash-conflict",
            "security.email.unique-every-axis-as-declared",
            "account.link.duplicate-conflict",
            "account.link.duplicate-writes-nothing",
            "verification.create.token-unique-globally",
            "concurrency.create-user.one-email",
            "concurrency.link-account.one-account",
            "concurrency.update-user.email-race",
            "authjs.users.create.email-unique",
            "authjs.users.create.core-id-unique",
            "authjs.accounts.link.unique",
            "authjs.sessions.create.token-unique",
            "authjs.authenticators.create.credential-unique",
            "authjs.concurrency.create-user.one-email",
            "authjs.concurrency.link-account.one-account",
            "authjs.concurrency.create-session.one-token",
            "authjs.users.update.email-conflict",
        ],
    },
    Cause {
        id: "lost-writes",
        severity: Severity::Integrity,
        title: "A write is returned but not stored, or stored differently",
        fix: "write every field the method takes and return what was stored, read back or from RETURNING",
        rules: &[
            "user.create.persisted",
            "user.create.every-field-stored",
            "user.update.writes-fields",
            "user.update.sets-email-verified",
            "account.link.persisted",
            "account.link.every-field-stored",
            "account.link.compound-id",
            "account.link.absent-tokens",
            "session.create.persisted",
            "session.update.after-due-time-extends",
            "verification.create.every-field-stored",
            "authjs.users.update.keeps-absent-fields",
            "authjs.users.update.null-clears",
            "authjs.sessions.update.keeps-absent-fields",
            "authjs.sessions.update.expires",
            "authjs.authenticators.counter.updated",
            "authjs.users.update.returns-stored",
        ],
    },
    Cause {
        id: "orphans",
        severity: Severity::Integrity,
        title: "Deleting leaves rows behind, or removes rows it should keep",
        fix: "delete exactly what the declaration says, in one transaction: the user alone, or the user with its accounts and sessions",
        rules: &[
            "user.delete.cascades",
            "account.get-user.orphan-is-none",
            "account.unlink.exactly-the-named-account",
            "verification.get.expired-row-deleted",
            "flow.session.deleted-user-leaves-no-session",
            "flow.oauth.sign-in-after-user-deleted",
            "authjs.users.delete.cascades",
            "authjs.accounts.link.missing-user-refused",
            "authjs.sessions.create.missing-user-refused",
        ],
    },
    Cause {
        id: "orphan-writes",
        severity: Severity::Integrity,
        title: "Accounts and sessions are written for a user nobody has: rows nothing reaches (an orphan account makes every later sign-in with its provider account find no user, create one and fail to link it again; an orphan session is nobody's; a cascading delete_user never removes either)",
        fix: "refuse them with NotFound on the user and write nothing: a foreign key from accounts.user_id and sessions.user_id to users.id (its violation mapped to NotFound), or a check that the user exists before the insert, in the same transaction",
        rules: &[
            "account.link.missing-user-refused",
            "session.create.missing-user-refused",
        ],
    },
    Cause {
        id: "stale-reads",
        severity: Severity::Integrity,
        title: "Reads after a delete still see the deleted rows",
        fix: "invalidate (or do not keep) any cache of users, sessions or accounts when they are deleted",
        rules: &[
            "user.delete.later-reads-see-it",
            "session.delete.later-reads-see-it",
            "account.unlink.later-reads-see-it",
            "session.delete.removes",
            "verification.delete.removes",
        ],
    },
    Cause {
        id: "collateral",
        severity: Severity::Integrity,
        title: "An operation changes rows it does not name",
        fix: "scope every UPDATE and DELETE by the row's key",
        rules: &[
            "user.update.others-untouched",
            "session.delete.others-untouched",
            "verification.delete.others-untouched",
            "verification.create.several-pending",
            "account.link.same-id-other-provider",
            "account.link.several-per-user",
            "user.create.several-without-email",
            "user.create.distinct-ids",
            "session.create.several-per-user",
            "concurrency.delete-session.same-token",
            "authjs.accounts.unlink.removes-that-account",
            "authjs.sessions.delete.removes-that-session",
            "authjs.verification.use.removes-only-that-token",
            "authjs.users.delete.missing-is-harmless",
            "authjs.accounts.unlink.missing-is-harmless",
            "authjs.sessions.delete.missing-is-harmless",
        ],
    },
    Cause {
        id: "token-width",
        severity: Severity::Contract,
        title: "OAuth tokens of several kilobytes are refused",
        fix: "store refresh and access tokens in TEXT columns (MySQL's TEXT holds 65,535 bytes): providers issue JWT access tokens of several kilobytes, and an 8,192-character one must fit",
        rules: &["data.tokens.large-access-token", "authjs.data.tokens.large"],
    },
    Cause {
        id: "data-fidelity",
        severity: Severity::Integrity,
        title: "Values are not stored exactly as given",
        fix: "store strings verbatim (utf8mb4 end to end, no normalisation, no trimming) and refuse values past their column with InvalidInput naming the field instead of truncating",
        rules: &[
            "user.create.fields-verbatim",
            "data.unicode.round-trips",
            "data.unicode.normal-forms-distinct",
            "data.length.at-limit-round-trips",
            "data.length.past-limit-refused",
            "data.strings.sql-metacharacters",
            "data.strings.empty-vs-none",
            "data.strings.nul-refused",
            "authjs.users.create.stored-as-given",
            "authjs.accounts.link.stored-as-given",
            "authjs.sessions.create.stored-as-given",
            "authjs.verification.create.stored-as-given",
            "authjs.authenticators.create.stored-as-given",
            "authjs.data.strings.hostile-round-trip",
            "authjs.data.expires-at.past-2038",
            "authjs.users.create.without-email",
        ],
    },
    Cause {
        id: "resurrection",
        severity: Severity::Integrity,
        title: "An update brings back or creates a row that does not exist",
        fix: "update with UPDATE … WHERE id, never an upsert; a missing user is NotFound, a missing session stays missing",
        rules: &[
            "user.update.missing-is-not-found",
            "session.update.deleted-not-resurrected",
            "authjs.users.update.missing-inserts-nothing",
            "authjs.sessions.update.missing-inserts-nothing",
        ],
    },
    Cause {
        id: "declaration",
        severity: Severity::Contract,
        title: "The adapter does not do what it declares",
        fix: "declare the capabilities the adapter really has (an unsupported method returns the Unsupported error and changes nothing), or implement the declared behaviour",
        rules: &[
            "adapter.capabilities.match-declaration",
            "adapter.display-name.present",
            "user.delete.as-declared",
            "account.unlink.as-declared",
            "session.get.expired-row-as-declared",
            "session.get.expired-row-deleted",
            "authjs.adapter.capabilities.match-declaration",
            "authjs.adapter.methods.core-declared",
            "authjs.adapter.methods.verification-declared",
            "authjs.adapter.methods.deletion-declared",
            "authjs.adapter.methods.declared-implemented",
            "authjs.adapter.methods.undeclared-unsupported",
            "authjs.users.create.keeps-core-id",
            "authjs.users.get-by-email.declared-matching",
        ],
    },
    Cause {
        id: "errors",
        severity: Severity::Contract,
        title: "An error where none is due, or the wrong error",
        fix: "missing rows give none or a no-op, ids no backend issues give none, a failing sender gives Delivery, bad arguments give InvalidInput",
        rules: &[
            "user.get.unknown-id",
            "user.get.foreign-id-is-none",
            "user.get-by-email.unknown",
            "user.get-by-email.none-or-empty",
            "account.get-user.unknown",
            "session.get.unknown-is-none",
            "session.get.empty-token-is-none",
            "session.get.jwt-string-is-none",
            "session.delete.missing-is-noop",
            "session.delete.no-token-is-noop",
            "verification.create.send-failure-is-error",
            "verification.create.non-positive-max-age-refused",
            "verification.delete.missing-is-noop",
            "flow.signout.without-cookie",
            "flow.signout.stale-cookie",
            "authjs.users.update.missing-is-not-found",
        ],
    },
    Cause {
        id: "return-values",
        severity: Severity::Contract,
        title: "Methods return other records than they stored or found",
        fix: "return the stored record, with the arguments' values",
        rules: &[
            "user.create.returns-record",
            "user.get.existing",
            "user.get-by-email.existing",
            "user.update.returns-stored",
            "account.link.returns-record",
            "account.get-user.by-provider-account",
            "session.create.returns-record",
            "session.get.valid",
            "verification.get.valid",
            "authjs.users.get.by-id",
            "authjs.users.get-by-email.found-and-missing",
            "authjs.accounts.get-user-by-account.found-and-missing",
            "authjs.accounts.get-account.by-both-parts",
            "authjs.sessions.get.with-user",
            "authjs.authenticators.get.found-and-missing",
            "authjs.authenticators.list.exactly-the-users",
            "authjs.users.create.issues-id-when-core-gives-none",
        ],
    },
    Cause {
        id: "session-expiry",
        severity: Severity::Contract,
        title: "The rolling session expiry is computed wrongly",
        fix: "expires = now + max_age; due when now > expires − max_age + update_age (strictly); force stores without extending; use the configured session policy",
        rules: &[
            "session.create.expires-after-max-age",
            "session.create.honours-policy",
            "session.get.valid-at-expiry",
            "session.update.not-due-is-none",
            "session.update.not-due-writes-nothing",
            "session.update.at-due-time-not-due",
            "session.update.mutates-argument",
            "session.update.force-not-due-unchanged",
            "session.update.throttled-after-extension",
            "session.update.repeated-reads-never-extend-early",
            "session.update.update-age-zero-rolls-every-read",
            "session.update.update-age-beyond-max-age-never-rolls",
            "session.update.honours-policy",
            "verification.create.expires-after-max-age",
            "verification.get.valid-at-expiry",
            "flow.session.read-rolls-expiry",
        ],
    },
    Cause {
        id: "delivery",
        severity: Severity::Contract,
        title: "The verification e-mail is not sent as v3 sends it",
        fix: "store the request, then call the provider's sender exactly once with the raw token, the url and the base url",
        rules: &["verification.create.sends-once"],
    },
    Cause {
        id: "flows",
        severity: Severity::Contract,
        title: "A sign-in, session or sign-out flow of v3 core fails",
        fix: "see the failing method-level rules listed with it; a flow failure alone means a call sequence core makes breaks",
        rules: &[
            "flow.oauth.first-sign-in",
            "flow.oauth.returning-user",
            "flow.oauth.link-while-signed-in",
            "flow.oauth.already-linked-no-writes",
            "flow.oauth.no-email-profile",
            "flow.email.new-user",
            "flow.email.existing-user",
            "flow.signout.with-cookie",
            "flow.jwt.oauth-link-with-string-sub",
            "authjs.flows.oauth.first-sign-in",
            "authjs.flows.oauth.returning-user",
            "authjs.flows.oauth.linking-while-signed-in",
            "authjs.flows.oauth.same-email-refused",
            "authjs.flows.email.first-sign-in",
            "authjs.flows.email.existing-user-verified",
            "authjs.flows.email.expired-link-refused",
            "authjs.flows.session.rolling-extension",
            "authjs.flows.session.expired-deleted",
            "authjs.flows.sign-out",
            "authjs.flows.webauthn.register-and-authenticate",
        ],
    },
    Cause {
        id: "differential",
        severity: Severity::Contract,
        title: "Random call sequences diverge from the reference",
        fix: "read the trace: it shows the shortest sequence after which the adapter and the reference differ; usually a symptom of another finding",
        rules: &[
            crate::properties::PROPERTY_ID,
            "authjs.property.differential.sequences",
        ],
    },
    Cause {
        id: "fault-half-written",
        severity: Severity::Integrity,
        title: "A call cut short by a server-side fault leaves part of its work stored, or says it succeeded when nothing was stored",
        fix: "run every multi-statement operation in one transaction (or one statement), so that a killed connection or a cancelled statement rolls all of it back; return the driver's error as Backend, never a made-up success",
        rules: &[
            "fault.kill.during-update",
            "fault.kill.during-create",
            "fault.kill.inside-cascade",
            "fault.statement.cancelled",
        ],
    },
    Cause {
        id: FAULT_NOT_RECOVERED,
        severity: Severity::Contract,
        title: "The adapter does not recover from a lost connection, a busy pool or a restarted server",
        fix: "use a connection pool that checks a connection before handing it out and replaces dead ones, lets calls queue when every connection is busy, and reports a call that cannot reach the server as a Backend error within a bounded time",
        rules: &[
            "fault.kill.between-calls",
            "fault.pool.exhausted",
            "fault.server.restart",
        ],
    },
    Cause {
        id: "decides-expiry",
        severity: Severity::Contract,
        title: "The Auth.js adapter decides expiry, which is core's job",
        fix: "return sessions and verification tokens as stored, expired or not, and remove a used token whatever its expiry: core compares expires with its own clock (strictly) and deletes what it finds expired",
        rules: &[
            "authjs.sessions.get.expired-returned",
            "authjs.verification.use.expired-returned-and-removed",
        ],
    },
    Cause {
        id: TIME_ZONE,
        severity: Severity::Integrity,
        title: "Stored instants depend on the database session's time zone",
        fix: "keep every connection's session in UTC (`SET time_zone = '+00:00'` on connect), or store instants in columns that do not convert through the session's zone (DATETIME, timestamptz)",
        rules: &[],
    },
    Cause {
        id: SETUP,
        severity: Severity::Contract,
        title: "The backend could not be set up or torn down",
        fix: "check the server is reachable and the suite's namespace can be created and dropped",
        rules: &[],
    },
    Cause {
        id: TIMESTAMP_PRECISION,
        severity: Severity::Precision,
        title: "Timestamps are stored finer or coarser than declared, or returned otherwise than stored",
        fix: "store every instant at the declared precision (truncate before writing) and return what was stored; declare the precision the storage really has",
        rules: &[
            "data.timestamps.precision-as-declared",
            "data.timestamps.every-column-precision",
            "data.timestamps.given-instants-at-precision",
            "authjs.data.timestamps.declared-precision",
            "authjs.sessions.expires.boundary-kept",
            "authjs.verification.expires.boundary-kept",
        ],
    },
    Cause {
        id: "timestamp-range",
        severity: Severity::Integrity,
        title: "Instants outside what the timestamp columns hold are mishandled, or the range is misdeclared",
        fix: "declare the range the columns really hold (timestamp_range unix32 for MySQL TIMESTAMP columns) and refuse instants outside it with InvalidInput before writing, or widen the columns to DATETIME(6)",
        rules: &[
            "data.timestamps.far-future",
            "data.timestamps.pre-epoch-verified",
            "data.timestamps.outside-range-refused",
        ],
    },
    Cause {
        id: "clock",
        severity: Severity::Precision,
        title: "Timestamps come from another clock than the adapter's",
        fix: "take created_at, updated_at and email_verified from the injected clock, not the database's now()",
        rules: &[
            "user.create.email-verified-none",
            "user.create.email-verified-is-now",
            "user.create.timestamps-from-clock",
            "user.update.bumps-updated-at",
            "user.update.clears-email-verified",
        ],
    },
];

/// The cause with this id.
pub fn cause(id: &str) -> Option<&'static Cause> {
    CAUSES.iter().find(|c| c.id == id)
}

/// The cause a failure of `rule_id` usually has; the `differential` cause for a rule the
/// table does not list (a test keeps every rule listed).
pub fn cause_of_rule(rule_id: &str) -> &'static Cause {
    let base = rule_id.rsplit("::").next().unwrap_or(rule_id);
    CAUSES
        .iter()
        .find(|c| c.rules.contains(&base))
        .or_else(|| cause("differential"))
        .unwrap_or(&CAUSES[0])
}
