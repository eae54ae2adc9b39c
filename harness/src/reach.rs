//! Reach: whether a user can meet a finding through the real core, and how.
//!
//! A rule checks one adapter method; whether its failure matters to anybody depends on what
//! core does with that method. Every rule whose cause is security or integrity has a [`Path`]
//! here, per profile: either the scenario through core in which a failure shows a
//! user-visible effect (core makes that call, with arguments that trigger the defect), or the
//! reason core never gets there, checked against core's source at [`core`]'s version. A test
//! keeps the table complete.
//!
//! A finding is *reached* when one of its failing rules has a scenario; its severity is then
//! the cause's, capped by what that scenario shows. A finding that no failing rule reaches is a
//! contract deviation, whatever its cause: the severity a maintainer can check by running the
//! scenario, never more. Scenarios that the real-core lanes run (`bridge/node/core/run.js` for
//! v3, `bridge/node/authjs/core/run.js` for Auth.js) are marked so; the others are core's call
//! sequences as the harness models them (`v3core.rs`, the flow and race rules).

use crate::finding::Severity;
use crate::rule::Profile;
use serde::Serialize;
use std::collections::BTreeMap;

/// The core each profile's reach is judged against, at the version checked.
pub fn core(profile: Profile) -> &'static str {
    match profile {
        Profile::V3 => "next-auth@3.29.10",
        Profile::Authjs => "@auth/core@0.41.3",
    }
}

/// The scenarios of the v3 real-core lane (`bridge/node/core/run.js`) that mirror a flow rule
/// (`flow.<scenario>`), which `certify/tests/real_core.rs` holds call for call to the rule.
pub const V3_LANE: &[&str] = &[
    "email.new-user",
    "email.link-used-twice",
    "oauth.first-sign-in",
    "oauth.returning-user",
    "oauth.link-while-signed-in",
    "session.read-rolls-expiry",
    "signout.with-cookie",
    "signout.without-cookie",
];

/// The v3 lane's scenarios in which users meet a finding, beyond the flows (`run.js
/// --scenario <name>`; `certify/tests/real_core.rs` holds each to its effect).
pub const V3_LANE_FINDINGS: &[&str] = &[
    "session.read-during-sign-out",
    "email.link-used-concurrently",
    "email.address-one-accent-away",
    "oauth.account-id-case",
];

/// The scenarios the Auth.js real-core lane runs (`bridge/node/authjs/core/run.js`).
pub const AUTHJS_LANE: &[&str] = &[
    "email.sign-in",
    "email.link-used-twice",
    "email.link-used-concurrently",
    "email.wrong-link-spends-right-one",
    "oauth.account-id-case",
    "oauth.first-sign-in-concurrently",
    "email.new-user-concurrently",
    "session.read-during-sign-out",
    "email.existing-user-verified",
];

/// Whether `profile`'s real-core lane runs `scenario`.
pub fn in_lane(profile: Profile, scenario: &str) -> bool {
    match profile {
        Profile::V3 => V3_LANE.contains(&scenario) || V3_LANE_FINDINGS.contains(&scenario),
        Profile::Authjs => AUTHJS_LANE.contains(&scenario),
    }
}

/// How core gets to a rule's defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// Core makes the failing call in `scenario`, where the failure shows `effect`; `cap`, when
    /// set, is the most a user can suffer there (the cause's severity otherwise).
    Through {
        /// The scenario, named as the real-core lanes and the flow rules name them.
        scenario: &'static str,
        /// What the user sees when the rule fails.
        effect: &'static str,
        /// The severity of that effect, when it is less than the cause's.
        cap: Option<Severity>,
    },
    /// Core never makes the failing call with arguments that trigger it: why.
    Unreached(&'static str),
}

const fn through(scenario: &'static str, effect: &'static str) -> Path {
    Path::Through {
        scenario,
        effect,
        cap: None,
    }
}

const fn capped(scenario: &'static str, effect: &'static str, cap: Severity) -> Path {
    Path::Through {
        scenario,
        effect,
        cap: Some(cap),
    }
}

/// A finding's reach, as reports record it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Reach {
    /// A user meets it: the scenario through core and what it shows.
    Reached {
        /// The scenario (`email.link-used-twice`, …).
        scenario: String,
        /// What the user sees.
        effect: &'static str,
        /// The rule whose failure reaches it.
        rule: String,
        /// The core, with its version.
        core: &'static str,
        /// Whether the real-core lane runs this scenario (otherwise it is core's call
        /// sequence as the harness models it).
        real_core_lane: bool,
        /// Whether the real-core lane ran this scenario on this very adapter and saw the
        /// effect ([`Lane`]); false when only the table says so.
        shown_by_lane: bool,
    },
    /// No user meets it through core.
    NotReached {
        /// Why, one line per distinct reason of its failing rules.
        reason: String,
        /// The core, with its version.
        core: &'static str,
    },
}

impl Reach {
    /// Whether a user meets it.
    pub fn is_reached(&self) -> bool {
        matches!(self, Reach::Reached { .. })
    }

    /// One line: `reached through <core>: <scenario> (<effect>)` or `not reached through
    /// <core>: <reason>`.
    pub fn line(&self) -> String {
        match self {
            Reach::Reached {
                scenario,
                effect,
                core,
                real_core_lane,
                shown_by_lane,
                ..
            } => format!(
                "reached through {core}: {scenario}{} ({effect})",
                if *shown_by_lane {
                    ", shown on this adapter by the real-core lane"
                } else if *real_core_lane {
                    ", a scenario of the real-core lane"
                } else {
                    ""
                }
            ),
            Reach::NotReached { reason, core } => format!("not reached through {core}: {reason}"),
        }
    }
}

/// What a real-core lane showed for one adapter: each scenario it ran there, and whether the
/// effect showed (`bridge/node/authjs/core/run.js` prints one line per scenario).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lane {
    /// The scenarios run, each with whether its effect showed.
    pub shown: BTreeMap<String, bool>,
}

/// The reach and the severity of a finding of cause `cause` (of `cause_severity`) whose failing
/// rules are `rules` (ids, possibly `tz-…::`-prefixed), in `profile`: the most serious of the
/// scenarios its rules reach, or why none does. Where `lane` ran a scenario on this adapter,
/// its observation decides: shown, the finding is reached there; not shown, that path is not.
pub fn judge(
    profile: Profile,
    cause: &str,
    cause_severity: Severity,
    rules: &[String],
    lane_run: Option<&Lane>,
) -> (Reach, Severity) {
    let not_reached = |reason: String| {
        (
            Reach::NotReached {
                reason,
                core: core(profile),
            },
            cause_severity.max(Severity::Contract),
        )
    };
    if cause == crate::finding::TIME_ZONE {
        return not_reached(TIME_ZONE.to_owned());
    }
    let mut best: Option<(Severity, Reach)> = None;
    let mut reasons: Vec<String> = Vec::new();
    let mut because = |why: String| {
        if !reasons.contains(&why) {
            reasons.push(why);
        }
    };
    for id in rules {
        let base = id.rsplit("::").next().unwrap_or(id);
        // A rule whose failure was diagnosed as another cause than its own has the path of
        // that diagnosis (`<rule>@<cause>`), never its own: an error is not an accepted session.
        let own = crate::finding::cause_of_rule(base).id == cause;
        let found = path(profile, &format!("{base}@{cause}"))
            .or_else(|| own.then(|| path(profile, base)).flatten());
        let (severity, scenario, effect) = match found {
            Some(Path::Through {
                scenario,
                effect,
                cap,
            }) => (
                cap.map_or(cause_severity, |c| c.max(cause_severity)),
                scenario.to_owned(),
                effect,
            ),
            Some(Path::Unreached(why)) => {
                because(why.to_owned());
                continue;
            }
            // A flow rule is core's own call sequence: its failure is that flow failing.
            None if base.starts_with("flow.") || base.starts_with("authjs.flows.") => (
                cause_severity,
                base.trim_start_matches("authjs.flows.")
                    .trim_start_matches("flow.")
                    .to_owned(),
                "this flow of core fails, or ends otherwise than core's own run of it",
            ),
            None => {
                because("no scenario through core is recorded for this rule".to_owned());
                continue;
            }
        };
        let shown_by_lane = match lane_run.and_then(|l| l.shown.get(&scenario)) {
            Some(true) => true,
            Some(false) => {
                because(format!(
                    "the real-core lane ran {scenario} on this adapter and it did not show ({effect})"
                ));
                continue;
            }
            None => false,
        };
        if best.as_ref().is_none_or(|(s, _)| severity < *s) {
            let real_core_lane = in_lane(profile, &scenario);
            best = Some((
                severity,
                Reach::Reached {
                    scenario,
                    effect,
                    rule: id.clone(),
                    core: core(profile),
                    real_core_lane,
                    shown_by_lane,
                },
            ));
        }
    }
    match best {
        Some((severity, reach)) => (reach, severity),
        None => not_reached(reasons.join("; ")),
    }
}

/// Why a finding that shows only in another session time zone is not reached.
const TIME_ZONE: &str = "shown only with the database session in another zone than UTC, judged against the database's own reading of the stored instants: core reads instants only through the adapter, so users meet it where something else reads the database (a cleanup job, a second application)";

/// `profile`'s table: groups of rules, each with its path through core.
pub fn table(profile: Profile) -> &'static [(&'static [&'static str], Path)] {
    match profile {
        Profile::V3 => V3,
        Profile::Authjs => AUTHJS,
    }
}

/// The path of rule `id` in `profile`, when the table has one.
pub fn path(profile: Profile, id: &str) -> Option<Path> {
    table(profile)
        .iter()
        .find(|(rules, _)| rules.contains(&id))
        .map(|(_, p)| *p)
}

// Reasons shared by several rules, v3 (next-auth v3.29.10: src/server/routes/*.js,
// src/server/lib/callback-handler.js).
const V3_NO_DELETE_USER: &str = "next-auth@3.29.10 never calls deleteUser (specification §3.6)";
const V3_NO_UNLINK: &str = "next-auth@3.29.10 never calls unlinkAccount (specification §3.8)";
const V3_SECRET: &str = "core passes options.secret to getVerificationRequest and deleteVerificationRequest, and to createVerificationRequest provider.secret || options.secret: an adapter that ignores the argument hashes with the one secret every call agrees on, and hashing with the argument would break every sign-in of an app whose e-mail provider has its own secret (specification G3)";
const V3_READ_THEN_DELETE: &str = "core deletes a sign-in request only with the identifier and token its read has just matched (routes/callback.js), so the delete removes that same row";
const V3_RANDOM_TOKENS: &str =
    "core's verification tokens are 32 random bytes: two requests never share one";
const V3_UPDATES_FOUND_USER: &str = "core updates only a user it has just read, with that user's own address (lib/callback-handler.js)";
const V3_MADE_USER: &str = "core links an account and creates a session only for a user it has just created or read (lib/callback-handler.js): a first sign-in's new user, the provider account's user, the e-mail's user, or a signed-in request's user, which counts as signed in only when getUser(session.userId) finds it (a stale cookie of a deleted user, or a JWT whose sub is gone, signs in afresh instead); and it never deletes users (no deleteUser call), so only an application deleting a user in the moment between that read and the write leaves such a row";
const V3_RANGE: &str =
    "core writes instants within max_age of its clock: none falls outside 1970-2038 before 2038";

/// v3: every security and integrity rule, with how next-auth@3.29.10 reaches it.
const V3: &[(&[&str], Path)] = &[
    // raw-token
    (
        &[
            "verification.create.stores-hash",
            "security.verification.raw-token-never-stored",
        ],
        through(
            "email.new-user",
            "every sign-in link's token is stored as sent: whoever reads the table can sign in as its user",
        ),
    ),
    // secret-ignored
    (
        &[
            "verification.create.uses-secret-argument",
            "verification.create.message",
            "verification.get.wrong-secret",
        ],
        Path::Unreached(V3_SECRET),
    ),
    // identifier-ignored
    (
        &[
            "verification.get.wrong-identifier",
            "security.verification.identifier-wildcards-literal",
            "flow.email.other-address-in-link",
        ],
        through(
            "email.other-address-in-link",
            "a link sent to one address, with another address written into its URL, signs in as that other address",
        ),
    ),
    (
        &[
            "verification.delete.wrong-identifier-kept",
            "verification.delete.identifier-case-as-declared",
        ],
        Path::Unreached(V3_READ_THEN_DELETE),
    ),
    // link-reuse
    (
        &[
            "verification.get.consumption-as-declared",
            "verification.get.single-use",
            "flow.email.link-used-twice",
        ],
        through("email.link-used-twice", "one sign-in link signs in twice"),
    ),
    (
        &[
            "concurrency.verification.redeemed-once",
            "concurrency.verification.redeemed-once-with-core",
        ],
        through(
            "email.link-used-concurrently",
            "one sign-in link used by two concurrent callbacks signs in twice",
        ),
    ),
    // expired-accepted
    (
        &[
            "session.get.expired-is-none",
            "flow.session.expired-cookie-cleared",
        ],
        through(
            "session.expired-cookie-cleared",
            "an expired session still signs its user in",
        ),
    ),
    (
        &[
            "verification.get.expired-is-none",
            "flow.email.expired-link",
        ],
        through(
            "email.expired-link",
            "an expired sign-in link still signs in",
        ),
    ),
    (
        &["concurrency.get-session.expired-reads"],
        through(
            "session.expired-read-concurrently",
            "an expired session read by concurrent requests signs its user in",
        ),
    ),
    // Failures a rule diagnoses as an error where none is due.
    (
        &[
            "data.unicode.round-trips@errors",
            "data.length.past-limit-refused@errors",
        ],
        capped(
            "oauth.first-sign-in",
            "a sign-in whose profile holds such a value fails",
            Severity::Contract,
        ),
    ),
    (
        &["concurrency.get-session.expired-reads@errors"],
        Path::Unreached(
            "core's session route catches the adapter's error, logs it and answers as signed out (routes/session.js)",
        ),
    ),
    (
        &[
            "concurrency.delete-session.same-token@errors",
            "session.delete.missing-is-noop",
            "session.delete.no-token-is-noop",
            "flow.signout.without-cookie",
            "flow.signout.stale-cookie",
        ],
        Path::Unreached(
            "core's sign-out swallows a failing getSession and logs a failing deleteSession, then clears the cookie and redirects as usual (routes/signout.js)",
        ),
    ),
    (
        &["user.get.foreign-id-is-none"],
        Path::Unreached(
            "core passes getUser only ids the adapter issued, and catches the error of a JWT's foreign `sub` (lib/callback-handler.js)",
        ),
    ),
    // inexact-lookup
    (
        &["user.get-by-email.declared-matching"],
        Path::Unreached(
            "core lower-cases the address before every getUserByEmail (routes/signin.js, lib/oauth/callback.js) except the e-mail callback's, whose address must first match a stored sign-in request: flow.email.callback-case-as-declared judges that path",
        ),
    ),
    (
        &["flow.email.callback-case-as-declared"],
        capped(
            "email.callback-case-as-declared",
            "a sign-in link whose address is re-cased in its URL is accepted; only the link's holder can do that, and it signs in to an account of the same mailbox",
            Severity::Contract,
        ),
    ),
    (
        &["security.session.prefix-does-not-match"],
        through(
            "session.forged-cookie",
            "a cookie holding a prefix of a session token reads that session: a short guess signs in as its user",
        ),
    ),
    (
        &["security.session.token-exact-on-every-axis"],
        Path::Unreached(
            "a cookie that differs from a session token only in case, a blank, an accent or width is as hard to guess as the token itself: only its holder can send it, and it reaches that holder's own session",
        ),
    ),
    (
        &["security.session.token-exact-on-every-axis@collateral"],
        Path::Unreached(
            "core passes updateSession only the session getSession has just returned for the cookie (routes/session.js), with the stored id and token, so an update keyed by the id alone never meets another token",
        ),
    ),
    (
        &["security.email.lookup-every-axis-as-declared"],
        through(
            "email.address-one-accent-away",
            "core lower-cases the address typed into the sign-in form and nothing more (routes/signin.js), so an address one blank, accent, full-width letter or normal form away from a stored one finds that user: the link mailed to the other address signs in to the stored user's account",
        ),
    ),
    (
        &["security.email.unique-every-axis-as-declared"],
        capped(
            "email.new-user",
            "a first sign-in whose address differs from a stored one only in a blank, an accent, width or normal form is refused with an error where the declaration holds them distinct (or, where it holds them one, makes a second user)",
            Severity::Integrity,
        ),
    ),
    (
        &["security.email.unique-every-axis-as-declared@inexact-lookup"],
        Path::Unreached(
            "the address's lookup folds the axis as the unique key does, and core looks an address up before it creates a user (routes/signin.js, routes/callback.js, lib/callback-handler.js): it finds the stored user and never makes the refused write; what users meet is that lookup (security.email.lookup-every-axis-as-declared)",
        ),
    ),
    (
        &["security.account.key-exact-on-every-axis"],
        through(
            "oauth.account-id-case",
            "core passes the provider's account id as the provider sends it (lib/oauth/callback.js): an account whose id differs from a linked one only in case, a blank, an accent, width or normal form signs in as the linked account's user",
        ),
    ),
    (
        &["security.verification.key-exact-on-every-axis"],
        Path::Unreached(
            "core passes the link's address and token as the link carries them (routes/callback.js): only the holder of a link can send a variant of them, and a variant reaches no request but the one the holder already has",
        ),
    ),
    (
        &["security.session.access-token-is-not-session-token"],
        through(
            "session.forged-cookie",
            "a session's access token, which core's session endpoint shows the browser, works as a session cookie",
        ),
    ),
    (
        &["security.email.wildcards-are-literal"],
        through(
            "email.wildcard-address",
            "an address holding SQL wildcards signs in as the user it matches",
        ),
    ),
    (
        &[
            "security.verification.token-prefix-does-not-match",
            "verification.get.wrong-token",
        ],
        through(
            "email.altered-link",
            "a sign-in link with another or a shortened token signs in",
        ),
    ),
    (
        &["account.get-user.other-provider"],
        through(
            "oauth.same-id-other-provider",
            "an account at one provider signs in as the user of another provider's account with the same id",
        ),
    ),
    (
        &["account.get-user.numeric-id-as-string"],
        capped(
            "oauth.returning-user",
            "a returning user whose provider sends a numeric id is not recognised: the sign-in fails",
            Severity::Contract,
        ),
    ),
    // wrong-user
    (
        &[
            "account.unlink.other-users-account-kept",
            "account.unlink.exactly-the-named-account",
            "account.unlink.later-reads-see-it",
        ],
        Path::Unreached(V3_NO_UNLINK),
    ),
    (
        &[
            "session.get.no-token-is-none",
            "session.get.no-token-is-none@errors",
        ],
        Path::Unreached(
            "core returns before getSession when there is no cookie (routes/session.js), and sign-out without a cookie discards the result and swallows errors (routes/signout.js)",
        ),
    ),
    (
        &["user.get-by-email.right-user"],
        through(
            "email.existing-user",
            "signing in with one address signs in as another user",
        ),
    ),
    (
        &["flow.oauth.linked-to-other-user"],
        through(
            "oauth.linked-to-other-user",
            "a provider account linked to one user signs in as another",
        ),
    ),
    (
        &["flow.oauth.email-clash-not-linked"],
        through(
            "oauth.email-clash-not-linked",
            "a provider account whose address another user has is linked to that user",
        ),
    ),
    (
        &["flow.email.switch-user-deletes-old-session"],
        through(
            "email.switch-user-deletes-old-session",
            "signing in as another user keeps the previous user's session",
        ),
    ),
    // weak-tokens
    (
        &[
            "session.create.tokens-are-64-hex",
            "session.create.tokens-distinct",
            "concurrency.create-session.distinct-tokens",
        ],
        through(
            "oauth.first-sign-in",
            "session cookies are short, or shared between sign-ins",
        ),
    ),
    // predictable-tokens
    (
        &["security.session.tokens-unpredictable"],
        through(
            "session.forged-cookie",
            "core puts the adapter's session token in the session cookie at every sign-in: whoever signs in and reads their own tokens (the cookie, and the access token core's session endpoint shows) can compute other users' cookies and sign in as them",
        ),
    ),
    // duplicates
    (
        &[
            "user.create.duplicate-email-conflict",
            "user.create.duplicate-email-writes-nothing",
            "concurrency.create-user.one-email",
        ],
        through(
            "email.new-user-concurrently",
            "two first sign-ins for one address at once make two users",
        ),
    ),
    (
        &[
            "user.update.email-clash-conflict",
            "concurrency.update-user.email-race",
        ],
        Path::Unreached(V3_UPDATES_FOUND_USER),
    ),
    (
        &[
            "account.link.duplicate-conflict",
            "account.link.duplicate-writes-nothing",
            "concurrency.link-account.one-account",
        ],
        through(
            "oauth.first-sign-in-concurrently",
            "two concurrent first sign-ins with one provider account link it twice",
        ),
    ),
    (
        &["verification.create.token-unique-globally"],
        Path::Unreached(V3_RANDOM_TOKENS),
    ),
    // lost-writes
    (
        &[
            "user.create.persisted",
            "user.create.every-field-stored",
            "account.link.persisted",
            "account.link.every-field-stored",
            "account.link.absent-tokens",
            "session.create.persisted",
        ],
        through(
            "oauth.first-sign-in",
            "a sign-in's user, account or session is not kept as core gave it",
        ),
    ),
    (
        &["account.link.compound-id"],
        through(
            "oauth.returning-user",
            "a returning user's provider account is not found by its compound id",
        ),
    ),
    (
        &[
            "user.update.writes-fields",
            "user.update.sets-email-verified",
        ],
        through(
            "email.existing-user",
            "an e-mail sign-in does not record the verified address",
        ),
    ),
    (
        &["session.update.after-due-time-extends"],
        through(
            "session.read-rolls-expiry",
            "an active session is not extended and expires under its user",
        ),
    ),
    (
        &["verification.create.every-field-stored"],
        through(
            "email.new-user",
            "a sign-in request is not kept as core made it",
        ),
    ),
    // orphans
    (
        &[
            "user.delete.cascades",
            "user.delete.later-reads-see-it",
            "account.get-user.orphan-is-none",
            "flow.session.deleted-user-leaves-no-session",
            "flow.oauth.sign-in-after-user-deleted",
        ],
        Path::Unreached(V3_NO_DELETE_USER),
    ),
    // orphan-writes
    (
        &[
            "account.link.missing-user-refused",
            "account.link.missing-user-refused@errors",
            "session.create.missing-user-refused",
            "session.create.missing-user-refused@errors",
        ],
        Path::Unreached(V3_MADE_USER),
    ),
    (
        &["verification.get.expired-row-deleted"],
        capped(
            "email.expired-link",
            "an expired sign-in request stays in its table",
            Severity::Integrity,
        ),
    ),
    // stale-reads
    (
        &[
            "session.delete.later-reads-see-it",
            "session.delete.removes",
        ],
        through("signout.with-cookie", "a signed-out session still signs in"),
    ),
    (
        &["verification.delete.removes"],
        through(
            "email.link-used-twice",
            "a used sign-in link signs in again",
        ),
    ),
    // collateral
    (
        &["user.update.others-untouched"],
        through(
            "email.existing-user",
            "a sign-in changes other users' records",
        ),
    ),
    (
        &["session.delete.others-untouched"],
        through("signout.with-cookie", "signing out ends other sessions"),
    ),
    (
        &["concurrency.delete-session.same-token"],
        through(
            "signout.concurrently",
            "two sign-outs of one session at once remove other sessions",
        ),
    ),
    (
        &[
            "verification.delete.others-untouched",
            "verification.create.several-pending",
        ],
        through(
            "email.new-user",
            "a sign-in or a new link request spends other pending links",
        ),
    ),
    (
        &[
            "account.link.same-id-other-provider",
            "user.create.distinct-ids",
        ],
        through(
            "oauth.first-sign-in",
            "a first sign-in overwrites or merges another user's records",
        ),
    ),
    (
        &["account.link.several-per-user"],
        through(
            "oauth.link-while-signed-in",
            "linking a second provider account removes the first",
        ),
    ),
    (
        &["user.create.several-without-email"],
        through(
            "oauth.no-email-profile",
            "a second user whose provider gives no address cannot sign up",
        ),
    ),
    (
        &["session.create.several-per-user"],
        through(
            "oauth.returning-user",
            "signing in on a second device ends the first",
        ),
    ),
    // data-fidelity
    (
        &[
            "user.create.fields-verbatim",
            "data.unicode.round-trips",
            "data.length.at-limit-round-trips",
            "data.length.past-limit-refused",
            "data.strings.sql-metacharacters",
            "data.strings.empty-vs-none",
        ],
        through(
            "oauth.first-sign-in",
            "a profile's name or address is stored otherwise than the provider sent it, or the sign-in fails on it",
        ),
    ),
    (
        &["data.unicode.normal-forms-distinct"],
        capped(
            "email.existing-user",
            "an address in another Unicode normal form (é as e and a combining accent) signs in to the account of the first spelling: one mailbox wherever mail is normalised (RFC 6532 asks for NFC), so in practice the same person",
            Severity::Contract,
        ),
    ),
    (
        &["data.strings.nul-refused"],
        Path::Unreached(
            "a NUL byte stored as given loses nothing; the rule asks every server for the refusal PostgreSQL gives",
        ),
    ),
    // resurrection
    (
        &["user.update.missing-is-not-found"],
        Path::Unreached(V3_UPDATES_FOUND_USER),
    ),
    (
        &["session.update.deleted-not-resurrected"],
        through(
            "session.read-during-sign-out",
            "a session read racing its sign-out brings the session back",
        ),
    ),
    // fault-half-written
    (
        &[
            "fault.kill.during-update",
            "fault.kill.during-create",
            "fault.kill.inside-cascade",
            "fault.statement.cancelled",
        ],
        through(
            "server-fault-during-sign-in",
            "a connection lost during a sign-in leaves part of it stored",
        ),
    ),
    // timestamp-range
    (
        &[
            "data.timestamps.far-future",
            "data.timestamps.pre-epoch-verified",
            "data.timestamps.outside-range-refused",
        ],
        Path::Unreached(V3_RANGE),
    ),
];

// Reasons shared by several rules, Auth.js (@auth/core 0.41.3: src/lib/actions/callback/*,
// src/lib/actions/session.ts, src/lib/actions/signout.ts).
const AUTHJS_NO_DELETE: &str = "@auth/core@0.41.3 never calls deleteUser or unlinkAccount";
const AUTHJS_RANDOM: &str = "core makes ids and session tokens with crypto.randomUUID() and sign-in tokens from random bytes: it never repeats one";
const AUTHJS_UPDATES_FOUND_USER: &str = "core updates only a user it has just read, with { id, emailVerified } (lib/actions/callback/handle-login.ts)";
const AUTHJS_MADE_USER: &str =
    "core links accounts and makes sessions only for a user it has just created or read";

/// Auth.js: every security and integrity rule, with how @auth/core@0.41.3 reaches it.
const AUTHJS: &[(&[&str], Path)] = &[
    // identifier-ignored, collateral: a wrong link spends the right one
    (
        &[
            "authjs.verification.use.wrong-identifier",
            "authjs.verification.use.removes-only-that-token",
            "authjs.verification.use.wrong-token@collateral",
            "authjs.security.verification.key-is-exact@collateral",
        ],
        through(
            "email.wrong-link-spends-right-one",
            "a callback with a wrong link for an address spends that address's real link",
        ),
    ),
    // link-reuse
    (
        &["authjs.verification.use.returns-once"],
        through("email.link-used-twice", "one sign-in link signs in twice"),
    ),
    (
        &["authjs.concurrency.verification.used-once"],
        through(
            "email.link-used-concurrently",
            "one sign-in link used by two concurrent callbacks signs in twice",
        ),
    ),
    (
        &["authjs.verification.create.duplicate-used-once"],
        Path::Unreached(AUTHJS_RANDOM),
    ),
    // inexact-lookup
    (
        &["authjs.security.lookups.exact"],
        through(
            "oauth.account-id-case",
            "a provider account id that differs from another user's only in letter case signs in as that user",
        ),
    ),
    (
        &["authjs.security.verification.key-is-exact"],
        Path::Unreached(
            "core hashes the link's token to lower-case hex before useVerificationToken (lib/actions/callback/index.ts, lib/utils/web.ts): a token differing in case or blanks never reaches the adapter",
        ),
    ),
    (
        &["authjs.accounts.key-is-both-parts"],
        through(
            "oauth.same-id-other-provider",
            "an account at one provider signs in as the user of another provider's account with the same id",
        ),
    ),
    (
        &["authjs.verification.use.wrong-token"],
        through(
            "email.altered-link",
            "a sign-in link with another token signs in",
        ),
    ),
    // duplicates
    (
        &[
            "authjs.users.create.email-unique",
            "authjs.concurrency.create-user.one-email",
        ],
        through(
            "email.new-user-concurrently",
            "two first sign-ins for one address at once make two users",
        ),
    ),
    (
        &[
            "authjs.accounts.link.unique",
            "authjs.concurrency.link-account.one-account",
        ],
        through(
            "oauth.first-sign-in-concurrently",
            "two concurrent first sign-ins with one provider account link it twice",
        ),
    ),
    (
        &[
            "authjs.users.create.core-id-unique",
            "authjs.sessions.create.token-unique",
            "authjs.concurrency.create-session.one-token",
        ],
        Path::Unreached(AUTHJS_RANDOM),
    ),
    (
        &["authjs.authenticators.create.credential-unique"],
        Path::Unreached(
            "credential ids are made at random by the authenticator; core never registers one twice",
        ),
    ),
    (
        &["authjs.users.update.email-conflict"],
        Path::Unreached(AUTHJS_UPDATES_FOUND_USER),
    ),
    // lost-writes
    (
        &["authjs.users.update.keeps-absent-fields"],
        through(
            "email.existing-user-verified",
            "an e-mail sign-in of an existing user erases the fields core did not pass",
        ),
    ),
    (
        &["authjs.users.update.returns-stored"],
        capped(
            "email.existing-user-verified",
            "core gets back a user missing the fields it did not pass (the stored user is whole): with JWT sessions the token lacks the user's name and picture",
            Severity::Contract,
        ),
    ),
    (
        &["authjs.users.update.null-clears"],
        Path::Unreached("core never sets a user's field to null through updateUser"),
    ),
    (
        &[
            "authjs.sessions.update.keeps-absent-fields",
            "authjs.sessions.update.expires",
        ],
        through(
            "session.rolling-extension",
            "a session read breaks the session or does not extend it",
        ),
    ),
    (
        &["authjs.authenticators.counter.updated"],
        through(
            "webauthn.authenticate",
            "an authenticator's counter is not advanced: a cloned authenticator goes unnoticed",
        ),
    ),
    // orphans
    (
        &[
            "authjs.users.delete.cascades",
            "authjs.users.delete.missing-is-harmless",
            "authjs.accounts.unlink.missing-is-harmless",
            "authjs.accounts.unlink.removes-that-account",
        ],
        Path::Unreached(AUTHJS_NO_DELETE),
    ),
    (
        &[
            "authjs.accounts.link.missing-user-refused",
            "authjs.sessions.create.missing-user-refused",
        ],
        Path::Unreached(AUTHJS_MADE_USER),
    ),
    // collateral
    (
        &[
            "authjs.sessions.delete.removes-that-session",
            "authjs.sessions.delete.missing-is-harmless",
        ],
        through("sign-out", "signing out ends other sessions"),
    ),
    // data-fidelity
    (
        &[
            "authjs.users.create.stored-as-given",
            "authjs.accounts.link.stored-as-given",
            "authjs.sessions.create.stored-as-given",
            "authjs.verification.create.stored-as-given",
            "authjs.authenticators.create.stored-as-given",
            "authjs.data.strings.hostile-round-trip",
        ],
        through(
            "oauth.first-sign-in",
            "a profile, account or session is stored otherwise than core gave it",
        ),
    ),
    (
        &["authjs.users.create.without-email"],
        capped(
            "oauth.no-email-profile",
            "a user whose provider gives no address cannot sign up",
            Severity::Contract,
        ),
    ),
    (
        &["authjs.data.expires-at.past-2038"],
        Path::Unreached(
            "providers give access tokens that expire within hours or days: none expires after 2038 before 2038",
        ),
    ),
    // resurrection
    (
        &["authjs.users.update.missing-inserts-nothing"],
        Path::Unreached(AUTHJS_UPDATES_FOUND_USER),
    ),
    (
        &["authjs.sessions.update.missing-inserts-nothing"],
        through(
            "session.read-during-sign-out",
            "a session read racing its sign-out brings the session back",
        ),
    ),
];
