//! What a rule is: a named, sourced, levelled check of one behaviour of a contract: the v3 one
//! or the Auth.js one ([`Profile`]).

use crate::context::Ctx;
use futures::future::BoxFuture;
use nextauth_adapter::authjs::{self, IdSource, MethodSet};
use nextauth_adapter::{
    AdapterError, Capabilities, DeleteUserSupport, ExpiredSessionHandling, TimestampRange,
    UnlinkAccountSupport, VerificationConsumption,
};
use serde::Serialize;
use std::fmt;

/// The part of the contract a rule is about; reports group rules by area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    /// The adapter as a whole: what it declares about itself.
    Adapter,
    /// `create_user`, `get_user*`, `update_user`, `delete_user`.
    Users,
    /// `link_account`, `unlink_account`, `get_user_by_provider_account_id`.
    Accounts,
    /// The four session methods and the rolling-expiry rule.
    Sessions,
    /// The three verification-request methods.
    Verification,
    /// Call sequences of v3 core: sign-in, callback, session read, sign-out.
    Flows,
    /// Fidelity of stored values: Unicode, lengths, large tokens, time precision.
    Data,
    /// Properties an attacker would exploit: token storage, exact lookups, wildcards.
    Security,
    /// Many calls at once: unique keys and single use under races.
    Concurrency,
    /// Random sequences compared with the reference adapter.
    Properties,
    /// Server-side faults injected into a live backend: killed connections, cancelled
    /// statements, an exhausted pool, a restarted server.
    Faults,
    /// Auth.js's WebAuthn credentials: the four authenticator methods.
    Authenticators,
}

impl Area {
    /// Every area, in report order.
    pub const ALL: [Area; 12] = [
        Area::Adapter,
        Area::Users,
        Area::Accounts,
        Area::Sessions,
        Area::Verification,
        Area::Flows,
        Area::Data,
        Area::Security,
        Area::Concurrency,
        Area::Properties,
        Area::Faults,
        Area::Authenticators,
    ];

    /// The area's name as in rule ids and reports.
    pub fn name(self) -> &'static str {
        match self {
            Area::Adapter => "adapter",
            Area::Users => "users",
            Area::Accounts => "accounts",
            Area::Sessions => "sessions",
            Area::Verification => "verification",
            Area::Flows => "flows",
            Area::Data => "data",
            Area::Security => "security",
            Area::Concurrency => "concurrency",
            Area::Properties => "properties",
            Area::Faults => "faults",
            Area::Authenticators => "authenticators",
        }
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How binding a rule is, in RFC 2119 terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    /// v3 core relies on it, or the adapter declared it: failing it breaks NextAuth or lies
    /// about the adapter. Conformance requires every applicable MUST rule to pass; a MUST rule
    /// about one value of a capability applies exactly when the adapter declares that value.
    Must,
    /// Hardening beyond v3 that no declaration promises (typed errors for odd input, clock
    /// discipline, …): counted in the hardening score, printed prominently when it fails, and
    /// failing the run only in strict mode (`NEXTAUTH_STRICT=1`, `nextauth-certify --strict`).
    Should,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
        })
    }
}

/// The declared capability a rule depends on. A rule whose requirement the backend's
/// [`Capabilities`] rule out is reported as not applicable, with the declaration as reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Requires {
    /// Applies to every adapter.
    Nothing,
    /// `delete_user` declared unsupported: the rule proves the claim by the error.
    DeleteUserUnsupported,
    /// `delete_user` implemented (user only or cascading).
    DeleteUserSupported,
    /// `delete_user` declared to delete the user row only.
    DeleteUserOnly,
    /// `delete_user` declared to cascade to accounts and sessions.
    DeleteUserCascade,
    /// `unlink_account` declared unsupported: the rule proves the claim by the error.
    UnlinkUnsupported,
    /// `unlink_account` implemented.
    UnlinkSupported,
    /// Expired sessions declared deleted on read.
    ExpiredSessionDeleted,
    /// Verification requests declared consumed by `get_verification_request`.
    VerificationConsumedOnGet,
    /// Verification requests declared consumed by `delete_verification_request` only (v3's
    /// adapters: the read keeps the row, core deletes it after). Unlike every other gate, a
    /// rule under it judges the declaration *with core* ([`Requires::judges_with_core`]): it
    /// is a SHOULD rule that any adapter declaring the value fails, the reference too.
    VerificationConsumedOnDelete,
    /// Every instant declared storable ([`TimestampRange::Full`]).
    FullTimestampRange,
    /// Instants declared limited to MySQL's `TIMESTAMP` range ([`TimestampRange::Unix32`]).
    Unix32TimestampRange,
    /// A fault injector for the adapter's connections: not a declaration of the adapter but
    /// what the backend offers ([`BackendFactory::fault_support`](crate::BackendFactory::fault_support)).
    FaultInjection,
    /// A server the suite may restart ([`FaultSupport::restart`](crate::faults::FaultSupport::restart)).
    ServerRestart,
    /// Auth.js: every one of these methods declared implemented.
    Implements(MethodSet),
    /// Auth.js: user ids declared issued by this side ([`IdSource`]).
    UserIds(IdSource),
    /// Every one of these.
    AllOf(&'static [Requires]),
}

impl Requires {
    /// Whether a rule under this gate judges what the declared value does together with v3
    /// core rather than whether the adapter keeps its declaration: such a rule is SHOULD (v3
    /// allows the value) and fails for every adapter declaring it, the reference included,
    /// since the failure is the declaration's own consequence (consumption on delete: core
    /// reads, then deletes, so two concurrent callbacks both sign in). Every other gated rule
    /// is MUST, and the reference passes it under every value.
    pub fn judges_with_core(self) -> bool {
        matches!(self, Requires::VerificationConsumedOnDelete)
    }

    /// Why the rule does not apply to an adapter declaring `caps`, or `None` if it applies.
    pub fn not_applicable(self, caps: &Capabilities) -> Option<String> {
        let declared = |what: &str| Some(format!("the adapter declares {what}"));
        match self {
            Requires::Nothing => None,
            Requires::DeleteUserUnsupported => match caps.delete_user {
                DeleteUserSupport::Unsupported => None,
                _ => declared("delete_user supported"),
            },
            Requires::DeleteUserSupported => match caps.delete_user {
                DeleteUserSupport::Unsupported => declared("delete_user unsupported"),
                _ => None,
            },
            Requires::DeleteUserOnly => match caps.delete_user {
                DeleteUserSupport::UserOnly => None,
                other => declared(&format!("delete_user {other:?}")),
            },
            Requires::DeleteUserCascade => match caps.delete_user {
                DeleteUserSupport::Cascade => None,
                other => declared(&format!("delete_user {other:?}")),
            },
            Requires::UnlinkUnsupported => match caps.unlink_account {
                UnlinkAccountSupport::Unsupported => None,
                UnlinkAccountSupport::Supported => declared("unlink_account supported"),
            },
            Requires::UnlinkSupported => match caps.unlink_account {
                UnlinkAccountSupport::Supported => None,
                UnlinkAccountSupport::Unsupported => declared("unlink_account unsupported"),
            },
            Requires::ExpiredSessionDeleted => match caps.expired_session {
                ExpiredSessionHandling::DeleteOnRead => None,
                ExpiredSessionHandling::KeepRow => declared("expired sessions kept on read"),
            },
            Requires::VerificationConsumedOnGet => match caps.verification_consumption {
                VerificationConsumption::OnGet => None,
                VerificationConsumption::OnDelete => {
                    declared("verification requests consumed on delete only")
                }
            },
            Requires::VerificationConsumedOnDelete => match caps.verification_consumption {
                VerificationConsumption::OnDelete => None,
                VerificationConsumption::OnGet => declared(
                    "verification requests consumed on get (concurrency.verification.redeemed-once holds it)",
                ),
            },
            Requires::FullTimestampRange => match caps.timestamp_range {
                TimestampRange::Full => None,
                TimestampRange::Unix32 => {
                    declared("timestamps limited to 1970-2038 (timestamp_range unix32)")
                }
            },
            Requires::Unix32TimestampRange => match caps.timestamp_range {
                TimestampRange::Unix32 => None,
                TimestampRange::Full => declared("every instant storable (timestamp_range full)"),
            },
            // What the backend offers, not what the adapter declares: see `not_supported`.
            Requires::FaultInjection | Requires::ServerRestart => None,
            // Declarations of the other profile's adapters.
            Requires::Implements(_) | Requires::UserIds(_) => None,
            Requires::AllOf(all) => all.iter().find_map(|r| r.not_applicable(caps)),
        }
    }

    /// Why the rule does not apply to an Auth.js adapter declaring `caps`, or `None` if it
    /// applies.
    pub fn not_applicable_authjs(self, caps: &authjs::Capabilities) -> Option<String> {
        match self {
            Requires::Implements(methods) => {
                let missing: Vec<_> = methods
                    .without(caps.methods)
                    .iter()
                    .map(|m| m.js_name())
                    .collect();
                (!missing.is_empty())
                    .then(|| format!("the adapter does not implement {}", missing.join(", ")))
            }
            Requires::UserIds(source) => (caps.user_id != source).then(|| {
                format!(
                    "the adapter declares user ids issued by {}",
                    match caps.user_id {
                        IdSource::Core => "core",
                        IdSource::Adapter => "the adapter",
                    }
                )
            }),
            Requires::AllOf(all) => all.iter().find_map(|r| r.not_applicable_authjs(caps)),
            _ => None,
        }
    }

    /// Why the backend cannot run the rule although the adapter's declaration allows it (a
    /// fault the backend cannot inject), or `None`.
    pub fn not_supported(self, support: &crate::faults::FaultSupport) -> Option<String> {
        let reason = match self {
            Requires::FaultInjection => &support.connections,
            Requires::ServerRestart => &support.restart,
            Requires::AllOf(all) => return all.iter().find_map(|r| r.not_supported(support)),
            _ => return None,
        };
        reason.clone().err()
    }
}

/// Why a rule failed: a sentence a person can act on, and, when the rule could tell, the
/// cause behind it (an id of [`crate::finding::CAUSES`]) if it is not the rule's usual one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// What was expected and what happened instead.
    pub message: String,
    /// The cause the rule diagnosed, overriding the cause the finding table gives the rule.
    pub cause: Option<&'static str>,
    /// Whether the failure is an adapter error the rule did not expect (a call that should
    /// have succeeded failed).
    pub unexpected_error: bool,
}

impl Failure {
    /// A failure with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            cause: None,
            unexpected_error: false,
        }
    }

    /// The same failure, diagnosed as `cause` (an id of [`crate::finding::CAUSES`]).
    pub fn because(mut self, cause: &'static str) -> Self {
        self.cause = Some(cause);
        self
    }

    /// The same failure with `cause`, unless it diagnosed one already (a precision
    /// difference).
    pub fn or_because(self, cause: &'static str) -> Self {
        match self.cause {
            Some(_) => self,
            None => self.because(cause),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<AdapterError> for Failure {
    fn from(e: AdapterError) -> Self {
        Failure {
            unexpected_error: true,
            ..Failure::new(format!("unexpected adapter error: {e}"))
        }
    }
}

impl From<Box<dyn std::error::Error + Send + Sync + 'static>> for Failure {
    fn from(e: Box<dyn std::error::Error + Send + Sync + 'static>) -> Self {
        Failure::new(format!("inspector failed: {e}"))
    }
}

/// What a rule's body returns.
pub type RuleResult = Result<(), Failure>;

/// A v3 rule's body: takes the rule's own fresh context.
pub type RuleFn = fn(Ctx) -> BoxFuture<'static, RuleResult>;

/// An Auth.js rule's body: takes the rule's own fresh context.
pub type AuthjsRuleFn = fn(crate::authjs::Ctx) -> BoxFuture<'static, RuleResult>;

/// The contract a rule checks, with the body that checks it.
#[derive(Clone, Copy)]
pub enum Body {
    /// A rule of the v3 contract.
    V3(RuleFn),
    /// A rule of the Auth.js contract.
    Authjs(AuthjsRuleFn),
}

/// The contract a run certifies against: NextAuth.js v3's adapter or Auth.js's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// NextAuth.js v3's fifteen-method adapter ([`nextauth_adapter::Adapter`]).
    #[default]
    V3,
    /// Auth.js's (`@auth/core`) adapter ([`nextauth_adapter::authjs::Adapter`]).
    Authjs,
}

impl Profile {
    /// Both profiles.
    pub const ALL: [Profile; 2] = [Profile::V3, Profile::Authjs];

    /// The profile's name on the command line and in reports: `v3`, `authjs`.
    pub fn name(self) -> &'static str {
        match self {
            Profile::V3 => "v3",
            Profile::Authjs => "authjs",
        }
    }

    /// The profile named `name`.
    pub fn named(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a rule is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// A scenario: runs beside the other scenarios on the suite's shared runtime.
    Scenario,
    /// A race: many tasks released at once, round after round. Runs alone on a runtime of its
    /// own with [`crate::execute::RACE_WORKER_THREADS`] workers, so that no other rule takes
    /// its threads and the tasks really overlap.
    Race,
}

/// One rule of the catalogue.
#[derive(Clone)]
pub struct Rule {
    /// Stable dotted id, e.g. `session.get.expired-is-none`; the test's name.
    pub id: &'static str,
    /// The area it belongs to.
    pub area: Area,
    /// MUST or SHOULD.
    pub level: Level,
    /// The declared capability it depends on.
    pub requires: Requires,
    /// Where the behaviour is specified: `;`-separated citations of `docs/specification.md`
    /// (`§3.13`, `G5`, `AJS#13`, `H7`, `cap:delete-user`) or public references
    /// (`next-auth#1644`); [`crate::sources`] resolves each one.
    pub source: &'static str,
    /// One sentence: what the rule checks.
    pub summary: &'static str,
    /// The session policy the rule's adapter is built with, in seconds (`max_age`,
    /// `update_age`); `None`: v3's defaults.
    pub session_policy: Option<(u32, u32)>,
    /// How it is run.
    pub kind: RuleKind,
    /// How many times the suite's per-rule time limit the rule gets ([`Rule::timeout`]): 1,
    /// or more for a rule that makes hundreds of calls one after another, so that a loaded
    /// machine's slowness is not taken for a hung adapter.
    pub time_scale: u32,
    /// The body, which also says the rule's profile.
    pub run: Body,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .field("area", &self.area)
            .field("level", &self.level)
            .field("requires", &self.requires)
            .field("source", &self.source)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Rule {
    /// A MUST rule of `area` of the v3 contract.
    pub fn must(
        area: Area,
        id: &'static str,
        source: &'static str,
        summary: &'static str,
        run: RuleFn,
    ) -> Self {
        Rule::of(area, id, source, summary, Body::V3(run))
    }

    /// A MUST rule of `area` of the Auth.js contract, applying to adapters that declare the
    /// ten methods core needs for database sessions ([`MethodSet::CORE`]) unless
    /// [`requires`](Self::requires) says otherwise.
    pub fn authjs_must(
        area: Area,
        id: &'static str,
        source: &'static str,
        summary: &'static str,
        run: AuthjsRuleFn,
    ) -> Self {
        Rule {
            requires: Requires::Implements(MethodSet::CORE),
            ..Rule::of(area, id, source, summary, Body::Authjs(run))
        }
    }

    /// A SHOULD rule of `area` of the Auth.js contract.
    pub fn authjs_should(
        area: Area,
        id: &'static str,
        source: &'static str,
        summary: &'static str,
        run: AuthjsRuleFn,
    ) -> Self {
        Rule {
            level: Level::Should,
            ..Rule::authjs_must(area, id, source, summary, run)
        }
    }

    fn of(
        area: Area,
        id: &'static str,
        source: &'static str,
        summary: &'static str,
        run: Body,
    ) -> Self {
        Rule {
            id,
            area,
            level: Level::Must,
            requires: Requires::Nothing,
            source,
            summary,
            session_policy: None,
            kind: RuleKind::Scenario,
            time_scale: 1,
            run,
        }
    }

    /// The time this rule gets when the suite gives each rule `limit`: `limit` times
    /// [`time_scale`](Self::time_scale).
    pub fn timeout(&self, limit: std::time::Duration) -> std::time::Duration {
        limit * self.time_scale
    }

    /// The same rule with `scale` times the suite's per-rule time limit: for a rule of
    /// hundreds of calls in a row, where an ordinary rule makes a few dozen.
    pub fn long(mut self, scale: u32) -> Self {
        self.time_scale = scale.max(1);
        self
    }

    /// The contract the rule checks.
    pub fn profile(&self) -> Profile {
        match self.run {
            Body::V3(_) => Profile::V3,
            Body::Authjs(_) => Profile::Authjs,
        }
    }

    /// A SHOULD rule of `area`.
    pub fn should(
        area: Area,
        id: &'static str,
        source: &'static str,
        summary: &'static str,
        run: RuleFn,
    ) -> Self {
        Rule {
            level: Level::Should,
            ..Rule::must(area, id, source, summary, run)
        }
    }

    /// Whether the rule's outcome can depend on how the backend stores and compares time, so
    /// that it is run again with a non-UTC database session time zone.
    pub fn is_time_sensitive(&self) -> bool {
        self.profile() == Profile::V3
            && (matches!(self.area, Area::Sessions | Area::Verification | Area::Flows)
                || self.id.starts_with("data.timestamps."))
    }

    /// The same rule, run as a race (alone, on a runtime of its own).
    pub fn race(mut self) -> Self {
        self.kind = RuleKind::Race;
        self
    }

    /// The same rule, depending on a declared capability.
    pub fn requires(mut self, requires: Requires) -> Self {
        self.requires = requires;
        self
    }

    /// The same rule, run with a session policy of `max_age` and `update_age` seconds.
    pub fn with_session_policy(mut self, max_age: u32, update_age: u32) -> Self {
        self.session_policy = Some((max_age, update_age));
        self
    }

    /// Why the rule does not apply to `caps`, or `None`.
    pub fn not_applicable(&self, caps: &Capabilities) -> Option<String> {
        self.requires.not_applicable(caps)
    }
}

/// Fails the rule with a formatted message unless the condition holds.
#[macro_export]
#[doc(hidden)]
macro_rules! check {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err($crate::Failure::new(format!($($msg)+)));
        }
    };
}

/// Fails the rule unless the two values are equal, showing both. When they differ only in
/// instants less than a second apart (a timestamp stored at another precision than returned),
/// the failure's cause is [`crate::finding::TIMESTAMP_PRECISION`].
///
/// Values whose renderings differ only in instants less than a millisecond apart count as
/// equal here. Every instant the harness gives outside the precision rules is a whole
/// millisecond, so such a difference can only come from an instant the database made itself
/// (a `created_at` from `DEFAULT CURRENT_TIMESTAMP` at microseconds, returned at
/// milliseconds), whose sub-millisecond part is chance: 1 row in 1,000 falls on a whole
/// millisecond. Those columns are judged once, on enough rows that chance cannot pass them,
/// by `data.timestamps.every-column-precision` ([`check_eq_exact!`] there).
#[macro_export]
#[doc(hidden)]
macro_rules! check_eq {
    ($left:expr, $right:expr, $($msg:tt)+) => {{
        let (left, right) = (&$left, &$right);
        if left != right {
            let (got, want) = (format!("{:?}", left), format!("{:?}", right));
            if !$crate::rule::differs_only_below_a_millisecond(&want, &got) {
                return Err($crate::rule::mismatch(format!($($msg)+), &want, &got));
            }
        }
    }};
}

/// [`check_eq!`] without its millisecond tolerance: for the rules that judge precision.
#[macro_export]
#[doc(hidden)]
macro_rules! check_eq_exact {
    ($left:expr, $right:expr, $($msg:tt)+) => {{
        let (left, right) = (&$left, &$right);
        if left != right {
            return Err($crate::rule::mismatch(
                format!($($msg)+),
                &format!("{:?}", right),
                &format!("{:?}", left),
            ));
        }
    }};
}

/// The failure of a comparison: `what: expected …, got …`, diagnosed as a precision finding
/// when the two renderings differ only in sub-second timestamps.
pub fn mismatch(what: String, expected: &str, got: &str) -> Failure {
    let failure = Failure::new(format!("{what}: expected {expected}, got {got}"));
    if differs_only_in_timestamps(expected, got) {
        failure.because(crate::finding::TIMESTAMP_PRECISION)
    } else {
        failure
    }
}

/// Whether two `Debug` renderings differ only in RFC 3339 instants less than a second apart.
pub fn differs_only_in_timestamps(a: &str, b: &str) -> bool {
    differs_only_in_instants_within(a, b, chrono::Duration::seconds(1))
}

/// Whether two `Debug` renderings differ only in RFC 3339 instants less than a millisecond
/// apart.
pub fn differs_only_below_a_millisecond(a: &str, b: &str) -> bool {
    differs_only_in_instants_within(a, b, chrono::Duration::milliseconds(1))
}

fn differs_only_in_instants_within(a: &str, b: &str, within: chrono::Duration) -> bool {
    let (mask_a, times_a) = split_instants(a);
    let (mask_b, times_b) = split_instants(b);
    mask_a == mask_b
        && times_a.len() == times_b.len()
        && times_a != times_b
        && times_a
            .iter()
            .zip(&times_b)
            .all(|(x, y)| (*x - *y).abs() < within)
}

/// The text with every instant (`2026-01-15T10:30:00.123456Z`) replaced by `@`, and the
/// instants in order.
fn split_instants(s: &str) -> (String, Vec<chrono::DateTime<chrono::Utc>>) {
    let bytes = s.as_bytes();
    let (mut masked, mut times) = (String::with_capacity(s.len()), Vec::new());
    let mut i = 0;
    while i < bytes.len() {
        if let Some(len) = instant_at(&bytes[i..])
            && let Ok(t) = chrono::DateTime::parse_from_rfc3339(&s[i..i + len])
        {
            times.push(t.with_timezone(&chrono::Utc));
            masked.push('@');
            i += len;
            continue;
        }
        let ch = s[i..].chars().next().unwrap_or(' ');
        masked.push(ch);
        i += ch.len_utf8();
    }
    (masked, times)
}

/// The length of an instant `dddd-dd-ddTdd:dd:dd[.d+]Z` at the start of `b`.
fn instant_at(b: &[u8]) -> Option<usize> {
    let shape = b"dddd-dd-ddTdd:dd:dd";
    if b.len() < shape.len() + 1 {
        return None;
    }
    for (x, want) in b.iter().zip(shape) {
        let ok = match want {
            b'd' => x.is_ascii_digit(),
            other => x == other,
        };
        if !ok {
            return None;
        }
    }
    let mut n = shape.len();
    if b.get(n) == Some(&b'.') {
        n += 1;
        while b.get(n).is_some_and(u8::is_ascii_digit) {
            n += 1;
        }
    }
    (b.get(n) == Some(&b'Z')).then_some(n + 1)
}

#[cfg(test)]
mod tests {
    use super::differs_only_in_timestamps;

    #[test]
    fn sub_second_timestamp_differences_are_told_apart() {
        let a = "Some(User { id: \"1\", created_at: 2026-01-15T10:30:00.512843Z })";
        let b = "Some(User { id: \"1\", created_at: 2026-01-15T10:30:00.512Z })";
        assert!(differs_only_in_timestamps(a, b));
        assert!(!differs_only_in_timestamps(a, a));
        let other_id = "Some(User { id: \"2\", created_at: 2026-01-15T10:30:00.512Z })";
        assert!(!differs_only_in_timestamps(a, other_id));
        let far = "Some(User { id: \"1\", created_at: 2026-01-15T10:31:00.512843Z })";
        assert!(!differs_only_in_timestamps(a, far));
    }
}
