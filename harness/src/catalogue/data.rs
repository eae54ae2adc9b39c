//! Rules on the fidelity of stored values: Unicode, lengths, large tokens, empty strings,
//! far-future instants and timestamp precision.

use super::body;
use crate::context::Ctx;
use crate::rule::{Area, Failure, Requires, Rule, RuleResult};
use crate::{check, check_eq, check_eq_exact};
use chrono::{DateTime, Duration, TimeZone, Utc};
use nextauth_adapter::limits::LARGE_TOKEN_CHARS;
use nextauth_adapter::{AdapterError, ErrorKind, NewAccount, NewUser, User};

pub(super) fn rules() -> Vec<Rule> {
    const A: Area = Area::Data;
    vec![
        Rule::must(
            A,
            "data.unicode.round-trips",
            "H4",
            "emoji, right-to-left, combining and Turkish dotted-I names and addresses round-trip exactly",
            body!(unicode_round_trips),
        ),
        Rule::must(
            A,
            "data.unicode.normal-forms-distinct",
            "G1; H4",
            "NFC and NFD spellings of an address are stored as given, not normalised",
            body!(normal_forms),
        ),
        Rule::must(
            A,
            "data.length.at-limit-round-trips",
            "§7.1 VARCHAR(255)",
            "values exactly at their column's declared limit round-trip",
            body!(at_limit),
        ),
        Rule::must(
            A,
            "data.length.past-limit-refused",
            "§7.1; H5; next-auth#160",
            "a value one character past its column is InvalidInput naming the field, and nothing is stored (no truncation)",
            body!(past_limit),
        ),
        Rule::must(
            A,
            "data.tokens.large-access-token",
            "H3",
            "an 8,192-character JWT access token and a 4,096-character refresh token round-trip",
            body!(large_tokens),
        ),
        Rule::must(
            A,
            "data.strings.sql-metacharacters",
            "H4",
            "quotes, backslashes, semicolons, comment markers and wildcards are stored verbatim",
            body!(metacharacters),
        ),
        Rule::must(
            A,
            "data.strings.empty-vs-none",
            "H2",
            "an empty name is stored as empty, an absent one as absent",
            body!(empty_vs_none),
        ),
        Rule::should(
            A,
            "data.strings.nul-refused",
            "H5",
            "a NUL character is InvalidInput, never silently cut",
            body!(nul_refused),
        ),
        Rule::must(
            A,
            "data.timestamps.precision-as-declared",
            "§8.4; G13; cap:timestamp-precision",
            "instants round-trip within the declared precision, sub-second parts included",
            body!(precision),
        ),
        Rule::must(
            A,
            "data.timestamps.every-column-precision",
            "§2; §8.4; G13; cap:timestamp-precision",
            "every timestamp column of every table (email_verified, access_token_expires, expires, created_at, updated_at) holds a sub-second instant at the declared precision, neither coarser nor rounded away",
            body!(every_column_precision),
        ),
        Rule::must(
            A,
            "data.timestamps.given-instants-at-precision",
            "§3.5; §3.7; §3.11; §8.4; G13; cap:timestamp-precision",
            "an instant finer than the declared precision is stored and returned at it, never finer: access_token_expires given to link_account, email_verified given to create_user and update_user, and the expiries create_session, update_session and create_verification_request compute from a clock finer than declared",
            body!(given_instants_at_precision),
        ),
        Rule::must(
            A,
            "data.timestamps.far-future",
            "G21 (2038); cap:timestamp-range",
            "an expiry past 2038 is stored and compared correctly",
            body!(far_future),
        )
        .with_session_policy(1_000_000_000, 86_400)
        .requires(Requires::FullTimestampRange),
        Rule::must(
            A,
            "data.timestamps.pre-epoch-verified",
            "G13; cap:timestamp-range",
            "an email_verified instant in 1969 round-trips through update_user",
            body!(pre_epoch),
        )
        .requires(Requires::FullTimestampRange),
        Rule::must(
            A,
            "data.timestamps.outside-range-refused",
            "G21 (2038); cap:timestamp-range",
            "an instant outside the declared 1970-2038 range (an email_verified in 1969, an expiry past 2038, any write once the clock is past 2038) is InvalidInput naming the field, and nothing is written",
            body!(outside_range_refused),
        )
        .with_session_policy(1_000_000_000, 86_400)
        .requires(Requires::Unix32TimestampRange),
    ]
}

const SAMPLES: &[(&str, &str)] = &[
    ("Zoë 😀 Ünïcödé", "zoe.😀@example.com"),
    ("مرحبا بالعالم", "عربي@مثال.com"),
    ("İstanbul ıi", "istanbul.İı@example.com"),
    ("e\u{0301}cole", "e\u{0301}cole@example.com"),
    ("漢字かなカナ", "漢字@例え.jp"),
];

async fn unicode_round_trips(c: Ctx) -> RuleResult {
    for (name, email) in SAMPLES {
        let u = c
            .adapter
            .create_user(NewUser {
                name: Some((*name).into()),
                email: Some((*email).into()),
                image: Some(format!("https://example.com/{name}")),
                email_verified: None,
            })
            .await
            // Refused, nothing stored or mangled: the sign-in fails, an error where none is due.
            .map_err(|e| {
                Failure::new(format!("create_user with the name {name:?} failed: {e}"))
                    .because("errors")
            })?;
        let stored = c
            .inspector
            .user(&u.id)
            .await?
            .ok_or_else(|| Failure::new("user not stored"))?;
        check_eq!(stored.name.as_deref(), Some(*name), "stored name");
        check_eq!(stored.email.as_deref(), Some(*email), "stored email");
        let found = c.adapter.get_user_by_email(Some(email)).await?;
        check_eq!(
            found.map(|f| f.id),
            Some(u.id.clone()),
            "lookup by {email:?}"
        );
    }
    let u = c.user().await?;
    let a = c
        .adapter
        .link_account(NewAccount {
            provider_account_id: "ünï-😀".into(),
            ..c.new_account(&u, "ex")
        })
        .await?;
    check_eq!(
        c.adapter
            .get_user_by_provider_account_id("ex", "ünï-😀")
            .await?
            .map(|x| x.id),
        Some(u.id.clone()),
        "account lookup by a Unicode id"
    );
    check_eq!(
        c.inspector
            .account(&a.compound_id)
            .await?
            .map(|x| x.provider_account_id),
        Some("ünï-😀".to_owned()),
        "stored provider_account_id"
    );
    Ok(())
}

async fn normal_forms(c: Ctx) -> RuleResult {
    let nfc = "caf\u{e9}@example.com";
    let nfd = "cafe\u{301}@example.com";
    let u = c
        .adapter
        .create_user(NewUser {
            email: Some(nfd.into()),
            ..NewUser::default()
        })
        .await?;
    check_eq!(
        c.inspector.user(&u.id).await?.and_then(|s| s.email),
        Some(nfd.to_owned()),
        "stored NFD address"
    );
    let v = c
        .adapter
        .create_user(NewUser {
            email: Some(nfc.into()),
            ..NewUser::default()
        })
        .await;
    match v {
        Ok(v) => check_eq!(
            c.inspector.user(&v.id).await?.and_then(|s| s.email),
            Some(nfc.to_owned()),
            "stored NFC address"
        ),
        Err(e) if e.kind() == ErrorKind::Conflict => {
            // A collation that folds the two spellings treats them as one key; that is only
            // honest if the adapter declared a matching that does.
            let nfd = "e\u{0301}cole.nf@example.com";
            check!(
                c.caps.email_matching.same(nfc, nfd),
                "the NFC and NFD spellings were one key, but the declared {:?} matching holds them distinct: {e}",
                c.caps.email_matching
            );
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

fn at(n: usize) -> String {
    "é".repeat(n)
}

async fn at_limit(c: Ctx) -> RuleResult {
    let limits = c.caps.limits;
    let Some(n) = limits.varchar.max_chars else {
        return Ok(());
    };
    let email = format!("{}@x.io", "a".repeat(n - 5));
    let u = c
        .adapter
        .create_user(NewUser {
            name: Some(at(n)),
            email: Some(email.clone()),
            image: None,
            email_verified: None,
        })
        .await?;
    let stored = c
        .inspector
        .user(&u.id)
        .await?
        .ok_or_else(|| Failure::new("user not stored"))?;
    check_eq!(
        stored.name.as_ref().map(|s| s.chars().count()),
        Some(n),
        "stored name length"
    );
    check_eq!(stored.email, Some(email), "stored email");
    let a = c
        .adapter
        .link_account(NewAccount {
            provider_account_id: "9".repeat(n),
            ..c.new_account(&u, "github")
        })
        .await?;
    check_eq!(
        c.inspector
            .account(&a.compound_id)
            .await?
            .map(|x| x.provider_account_id.len()),
        Some(n),
        "stored provider_account_id length"
    );
    // A column counting UTF-16 code units (SQL Server's NVARCHAR) holds half as many
    // characters outside the Basic Multilingual Plane: exactly that many are stored.
    if let Some(units) = limits.varchar.max_utf16 {
        let name = "😀".repeat(units / 2);
        let emoji = c
            .adapter
            .create_user(NewUser {
                name: Some(name.clone()),
                ..NewUser::default()
            })
            .await?;
        check_eq!(
            c.inspector.user(&emoji.id).await?.and_then(|x| x.name),
            Some(name),
            "stored name of {} emoji ({} UTF-16 code units)",
            units / 2,
            units / 2 * 2
        );
    }
    Ok(())
}

async fn past_limit(c: Ctx) -> RuleResult {
    let Some(n) = c.caps.limits.varchar.max_chars else {
        return Ok(());
    };
    let long_email = format!("{}@x.io", "a".repeat(n - 4));
    check_eq!(long_email.chars().count(), n + 1, "sample length");
    match c
        .adapter
        .create_user(NewUser {
            email: Some(long_email),
            ..NewUser::default()
        })
        .await
    {
        Err(nextauth_adapter::AdapterError::InvalidInput { field, .. }) => {
            // Refused, nothing stored: naming another field is the error's shape only.
            if field != "email" {
                return Err(Failure::new(format!(
                    "field named by the error: expected \"email\", got {field:?}"
                ))
                .because("errors"));
            }
        }
        Err(other) => {
            // Refused, but not as InvalidInput: nothing was stored or truncated.
            return Err(Failure::new(format!(
                "a {}-character email gave {other:?}, expected InvalidInput",
                n + 1
            ))
            .because("errors"));
        }
        Ok(stored) => {
            return Err(Failure::new(format!(
                "a {}-character email was accepted ({stored:?}), expected InvalidInput",
                n + 1
            )));
        }
    }
    match c
        .adapter
        .create_user(NewUser {
            name: Some(at(n + 1)),
            ..NewUser::default()
        })
        .await
    {
        Err(e) if e.kind() == ErrorKind::InvalidInput => {}
        Err(other) => {
            return Err(Failure::new(format!(
                "a {}-character name gave {other:?}, expected InvalidInput",
                n + 1
            ))
            .because("errors"));
        }
        Ok(stored) => {
            return Err(Failure::new(format!(
                "a {}-character name was accepted ({stored:?}), expected InvalidInput",
                n + 1
            )));
        }
    }
    if let Some(units) = c.caps.limits.varchar.max_utf16 {
        let emoji = units / 2 + 1;
        match c
            .adapter
            .create_user(NewUser {
                name: Some("😀".repeat(emoji)),
                ..NewUser::default()
            })
            .await
        {
            Err(e) if e.kind() == ErrorKind::InvalidInput => {}
            other => {
                return Err(Failure::new(format!(
                    "a name of {emoji} emoji ({} UTF-16 code units, the declared limit {units}) gave {other:?}, expected InvalidInput",
                    emoji * 2
                )));
            }
        }
    }
    let u = c.user().await?;
    match c
        .adapter
        .link_account(NewAccount {
            provider_account_id: "9".repeat(n + 1),
            ..c.new_account(&u, "github")
        })
        .await
    {
        Err(e) if e.kind() == ErrorKind::InvalidInput => {}
        other => {
            return Err(Failure::new(format!(
                "a {}-character provider_account_id gave {other:?}, expected InvalidInput",
                n + 1
            )));
        }
    }
    let stored = c.stored().await?;
    check_eq!(stored.users.len(), 1, "users stored");
    check_eq!(stored.accounts.len(), 0, "accounts stored");
    Ok(())
}

/// A JWT-shaped token of exactly `chars` characters.
fn jwt(chars: usize) -> String {
    const HEAD: &str = "eyJhbGciOiJSUzI1NiJ9.";
    const TAIL: &str = ".c2lnbmF0dXJl";
    let payload: String = (0..chars.saturating_sub(HEAD.len() + TAIL.len()))
        .map(|i| {
            char::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[i % 64])
        })
        .collect();
    format!("{HEAD}{payload}{TAIL}")
}

async fn large_tokens(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let access = jwt(LARGE_TOKEN_CHARS);
    let refresh = jwt(LARGE_TOKEN_CHARS / 2);
    check_eq!(access.len(), LARGE_TOKEN_CHARS, "the sample token's length");
    // Refused: the token columns are too narrow (the rule's usual cause). Stored otherwise
    // than given: a fidelity defect, diagnosed below.
    let a = c
        .adapter
        .link_account(NewAccount {
            access_token: Some(access.clone()),
            refresh_token: Some(refresh.clone()),
            ..c.new_account(&u, "google")
        })
        .await?;
    let stored = c
        .inspector
        .account(&a.compound_id)
        .await?
        .ok_or_else(|| Failure::new("account not stored"))?;
    if stored.access_token.as_deref() != Some(access.as_str()) {
        return Err(Failure::new(format!(
            "the {}-byte access token did not round-trip (stored {} bytes)",
            access.len(),
            stored.access_token.map_or(0, |t| t.len())
        ))
        .because("data-fidelity"));
    }
    if stored.refresh_token.as_deref() != Some(refresh.as_str()) {
        return Err(Failure::new("the refresh token did not round-trip").because("data-fidelity"));
    }
    Ok(())
}

async fn metacharacters(c: Ctx) -> RuleResult {
    let nasty = [
        "O'Brien \"the\" `tick`",
        "back\\slash\\\\ and %percent_ underscore",
        "'; DROP TABLE users; --",
        "/* comment */ $1 ? :name",
    ];
    for (i, name) in nasty.iter().enumerate() {
        let email = format!("q'{i}%_\\@example.com");
        let u = c
            .adapter
            .create_user(NewUser {
                name: Some((*name).into()),
                email: Some(email.clone()),
                ..NewUser::default()
            })
            .await?;
        let stored = c
            .inspector
            .user(&u.id)
            .await?
            .ok_or_else(|| Failure::new("user not stored"))?;
        check_eq!(stored.name.as_deref(), Some(*name), "stored name");
        check_eq!(
            c.adapter
                .get_user_by_email(Some(&email))
                .await?
                .map(|x| x.id),
            Some(u.id.clone()),
            "lookup of {email:?}"
        );
    }
    check_eq!(c.stored().await?.users.len(), nasty.len(), "users stored");
    Ok(())
}

async fn empty_vs_none(c: Ctx) -> RuleResult {
    let a = c
        .adapter
        .create_user(NewUser {
            name: Some(String::new()),
            image: None,
            ..c.profile()
        })
        .await?;
    let stored = c
        .inspector
        .user(&a.id)
        .await?
        .ok_or_else(|| Failure::new("user not stored"))?;
    check_eq!(stored.name, Some(String::new()), "stored empty name");
    check_eq!(stored.image, None, "stored absent image");
    let updated = c
        .adapter
        .update_user(&User {
            name: None,
            image: Some(String::new()),
            ..stored
        })
        .await?;
    check_eq!(updated.name, None, "name after update to none");
    check_eq!(
        updated.image,
        Some(String::new()),
        "image after update to empty"
    );
    Ok(())
}

async fn nul_refused(c: Ctx) -> RuleResult {
    match c
        .adapter
        .create_user(NewUser {
            name: Some("a\0b".into()),
            ..NewUser::default()
        })
        .await
    {
        Err(e) if e.kind() == ErrorKind::InvalidInput => {}
        Ok(u) => {
            let stored = c.inspector.user(&u.id).await?.and_then(|s| s.name);
            return Err(Failure::new(format!(
                "a name with NUL was accepted and stored as {stored:?}"
            )));
        }
        Err(e) => {
            return Err(Failure::new(format!(
                "a name with NUL gave {e}, expected InvalidInput"
            )));
        }
    }
    check_eq!(c.stored().await?.users.len(), 0, "users stored");
    Ok(())
}

async fn precision(c: Ctx) -> RuleResult {
    c.advance(Duration::nanoseconds(123_456_789));
    let u = c.user().await?;
    let s = c.session(&u).await?;
    let want = c.stored_instant(c.now() + c.config.session.max_age());
    let stored = c
        .inspector
        .session(&s.session_token)
        .await?
        .ok_or_else(|| Failure::new("session not stored"))?;
    c.check_instant(
        stored.expires,
        want,
        "stored session expiry with a sub-second clock",
    )?;
    c.check_instant(s.expires, want, "returned session expiry")?;
    check_eq_exact!(
        c.adapter
            .get_session(Some(&s.session_token))
            .await?
            .map(|x| x.expires),
        Some(stored.expires),
        "expiry read back by get_session"
    );
    Ok(())
}

/// Fails unless `stored` is `written` at the declared precision, naming `what`.
fn stored_at_precision(
    c: &Ctx,
    stored: chrono::DateTime<Utc>,
    written: chrono::DateTime<Utc>,
    what: &str,
) -> RuleResult {
    c.check_instant(stored, c.stored_instant(written), what)
        .map_err(|f| f.because(crate::finding::TIMESTAMP_PRECISION))
}

async fn every_column_precision(c: Ctx) -> RuleResult {
    // An instant with a part below every precision: 123 ms, 456 µs, 789 ns.
    c.advance(Duration::nanoseconds(123_456_789));
    let t = c.now();
    let u = c
        .adapter
        .create_user(NewUser {
            email_verified: Some(t),
            ..c.profile()
        })
        .await?;
    let a = c
        .adapter
        .link_account(NewAccount {
            access_token_expires: Some(t + Duration::hours(1)),
            ..c.new_account(&u, "github")
        })
        .await?;
    let s = c.session(&u).await?;
    let (_, v) = c.verification("precision@example.com").await?;
    let stored = c.stored().await?;
    let user = stored
        .users
        .iter()
        .find(|x| x.id == u.id)
        .ok_or_else(|| Failure::new("user not stored"))?;
    let account = stored
        .accounts
        .iter()
        .find(|x| x.compound_id == a.compound_id)
        .ok_or_else(|| Failure::new("account not stored"))?;
    let session = stored
        .sessions
        .iter()
        .find(|x| x.session_token == s.session_token)
        .ok_or_else(|| Failure::new("session not stored"))?;
    let request = stored
        .verification_requests
        .iter()
        .find(|x| x.token == v.token)
        .ok_or_else(|| Failure::new("verification request not stored"))?;
    let verified = user
        .email_verified
        .ok_or_else(|| Failure::new("users.email_verified not stored"))?;
    stored_at_precision(&c, verified, t, "users.email_verified")?;
    let expiry = account
        .access_token_expires
        .ok_or_else(|| Failure::new("accounts.access_token_expires not stored"))?;
    stored_at_precision(
        &c,
        expiry,
        t + Duration::hours(1),
        "accounts.access_token_expires",
    )?;
    stored_at_precision(
        &c,
        session.expires,
        t + c.config.session.max_age(),
        "sessions.expires",
    )?;
    stored_at_precision(
        &c,
        request.expires,
        t + c.provider.max_age,
        "verification_requests.expires",
    )?;
    // created_at / updated_at: when they come from the adapter's clock (they should), they
    // are stored at the declared precision; either way they are stored as returned.
    let created: [(&str, chrono::DateTime<Utc>, chrono::DateTime<Utc>); 8] = [
        ("users.created_at", user.created_at, u.created_at),
        ("users.updated_at", user.updated_at, u.updated_at),
        ("accounts.created_at", account.created_at, a.created_at),
        ("accounts.updated_at", account.updated_at, a.updated_at),
        ("sessions.created_at", session.created_at, s.created_at),
        ("sessions.updated_at", session.updated_at, s.updated_at),
        (
            "verification_requests.created_at",
            request.created_at,
            v.created_at,
        ),
        (
            "verification_requests.updated_at",
            request.updated_at,
            v.updated_at,
        ),
    ];
    for (column, stored_at, returned) in created {
        if (stored_at - t).abs() < Duration::seconds(1) {
            stored_at_precision(&c, stored_at, t, column)?;
        }
        check_eq_exact!(
            stored_at,
            returned,
            "{column} as stored against as returned"
        );
    }
    Ok(())
}

/// Fails unless `stored`, the instant `column` holds, and `returned`, what the adapter gave
/// back for it, are one instant at the declared precision (nothing finer) and within its
/// tolerance of one of `written`, the instants it may have been written from.
fn at_declared_precision(
    c: &Ctx,
    column: &str,
    stored: chrono::DateTime<Utc>,
    returned: chrono::DateTime<Utc>,
    written: &[chrono::DateTime<Utc>],
) -> RuleResult {
    let precision = c.caps.timestamp_precision;
    let fail = |f: Failure| f.because(crate::finding::TIMESTAMP_PRECISION);
    if !precision.holds(stored) {
        return Err(fail(Failure::new(format!(
            "{column}: stored {stored:?}, finer than the declared {precision:?} (expected {:?})",
            c.stored_instant(stored)
        ))));
    }
    check_eq_exact!(returned, stored, "{column} as returned against as stored");
    let tolerance = precision.tolerance();
    if !written
        .iter()
        .any(|w| (stored - c.stored_instant(*w)).abs() <= tolerance)
    {
        return Err(fail(Failure::new(format!(
            "{column}: stored {stored:?}, expected {:?} at the declared {precision:?} (± {tolerance})",
            written
                .iter()
                .map(|w| c.stored_instant(*w))
                .collect::<Vec<_>>()
        ))));
    }
    Ok(())
}

/// The instant a write stored and the one it returned, both present, or a `lost-writes`
/// failure saying `what` lost which.
fn kept_and_returned(
    what: &str,
    stored: Option<DateTime<Utc>>,
    returned: Option<DateTime<Utc>>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), Failure> {
    match (stored, returned) {
        (Some(kept), Some(returned)) => Ok((kept, returned)),
        _ => Err(
            Failure::new(format!("{what}: stored {stored:?}, returned {returned:?}"))
                .because("lost-writes"),
        ),
    }
}

async fn given_instants_at_precision(c: Ctx) -> RuleResult {
    // Every instant below has a part finer than any precision: 123 ms, 456 µs, 789 ns.
    c.advance(Duration::nanoseconds(123_456_789));
    let t = c.now();
    let not_found = |what: &str| Failure::new(format!("{what} not stored"));
    // create_user: email_verified is the clock's now (SHOULD) or the instant given.
    let given = t - Duration::hours(2);
    let u = c
        .adapter
        .create_user(NewUser {
            email_verified: Some(given),
            ..c.profile()
        })
        .await?;
    let stored = c
        .inspector
        .user(&u.id)
        .await?
        .ok_or_else(|| not_found("user"))?;
    let (kept, returned) = kept_and_returned(
        "create_user with email_verified",
        stored.email_verified,
        u.email_verified,
    )?;
    at_declared_precision(
        &c,
        "users.email_verified (create_user)",
        kept,
        returned,
        &[t, given],
    )?;
    // update_user: email_verified is stored as given.
    let given = t - Duration::days(1);
    let updated = c
        .adapter
        .update_user(&User {
            email_verified: Some(given),
            ..stored
        })
        .await?;
    let stored = c
        .inspector
        .user(&u.id)
        .await?
        .ok_or_else(|| not_found("user"))?;
    let (kept, returned) = kept_and_returned(
        "update_user with email_verified",
        stored.email_verified,
        updated.email_verified,
    )?;
    at_declared_precision(
        &c,
        "users.email_verified (update_user)",
        kept,
        returned,
        &[given],
    )?;
    let read = c
        .adapter
        .get_user(&u.id)
        .await?
        .and_then(|x| x.email_verified);
    check_eq_exact!(read, Some(kept), "email_verified read back by get_user");
    // link_account: access_token_expires is stored as given.
    let given = t + Duration::hours(1);
    let a = c
        .adapter
        .link_account(NewAccount {
            access_token_expires: Some(given),
            ..c.new_account(&updated, "github")
        })
        .await?;
    let stored = c
        .inspector
        .account(&a.compound_id)
        .await?
        .ok_or_else(|| not_found("account"))?;
    let (kept, returned) = kept_and_returned(
        "link_account with access_token_expires",
        stored.access_token_expires,
        a.access_token_expires,
    )?;
    at_declared_precision(
        &c,
        "accounts.access_token_expires",
        kept,
        returned,
        &[given],
    )?;
    // create_session, create_verification_request: expiries from the clock.
    let s = c.session(&updated).await?;
    let stored = c
        .inspector
        .session(&s.session_token)
        .await?
        .ok_or_else(|| not_found("session"))?;
    at_declared_precision(
        &c,
        "sessions.expires (create_session)",
        stored.expires,
        s.expires,
        &[t + c.config.session.max_age()],
    )?;
    let (_, v) = c.verification("given-precision@example.com").await?;
    let kept = c
        .stored()
        .await?
        .verification_requests
        .into_iter()
        .find(|x| x.token == v.token)
        .ok_or_else(|| not_found("verification request"))?;
    at_declared_precision(
        &c,
        "verification_requests.expires",
        kept.expires,
        v.expires,
        &[t + c.provider.max_age],
    )?;
    // update_session: the extension, in the row, the result and the argument.
    c.advance(Duration::days(2));
    let mut held = s;
    let extended = c
        .adapter
        .update_session(&mut held, false)
        .await?
        .ok_or_else(|| Failure::new("update_session of a due session returned none"))?;
    let stored = c
        .inspector
        .session(&held.session_token)
        .await?
        .ok_or_else(|| not_found("session"))?;
    let want = c.now() + c.config.session.max_age();
    at_declared_precision(
        &c,
        "sessions.expires (update_session)",
        stored.expires,
        extended.expires,
        &[want],
    )?;
    check_eq_exact!(
        held.expires,
        stored.expires,
        "the argument's expires after update_session against as stored"
    );
    Ok(())
}

async fn far_future(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let s = c.session(&u).await?;
    let y2038 = Utc
        .with_ymd_and_hms(2038, 1, 19, 3, 14, 8)
        .single()
        .ok_or_else(|| Failure::new("bad date"))?;
    check!(
        s.expires > y2038,
        "the session's expiry {:?} is not past 2038",
        s.expires
    );
    c.set_now(y2038 + Duration::days(3650));
    check!(
        c.adapter
            .get_session(Some(&s.session_token))
            .await?
            .is_some(),
        "a session expiring in {} was not valid in 2048",
        s.expires.format("%Y")
    );
    Ok(())
}

async fn pre_epoch(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let when = Utc
        .with_ymd_and_hms(1969, 7, 20, 20, 17, 40)
        .single()
        .ok_or_else(|| Failure::new("bad date"))?;
    let updated = c
        .adapter
        .update_user(&User {
            email_verified: Some(when),
            ..u
        })
        .await?;
    check_eq!(updated.email_verified, Some(when), "email_verified in 1969");
    Ok(())
}

/// The instants a `TIMESTAMP` column cannot hold are refused, naming the field, and change
/// nothing; the last instant it holds is still stored.
async fn outside_range_refused(c: Ctx) -> RuleResult {
    fn refused<T: std::fmt::Debug>(
        got: Result<T, AdapterError>,
        field: &str,
        what: &str,
    ) -> RuleResult {
        match got {
            Err(AdapterError::InvalidInput { field: named, .. }) if named == field => Ok(()),
            other => Err(Failure::new(format!(
                "{what} gave {other:?}, expected InvalidInput naming {field}"
            ))),
        }
    }
    let instant = |y, mo, d, h, mi, s| {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
            .single()
            .ok_or_else(|| Failure::new("bad date"))
    };
    let u = c.user().await?;
    let last = instant(2038, 1, 19, 3, 14, 7)?;
    let kept = c
        .adapter
        .update_user(&User {
            email_verified: Some(last),
            ..u.clone()
        })
        .await?;
    check_eq!(
        kept.email_verified,
        Some(last),
        "the last instant of the range (2038-01-19 03:14:07) as email_verified"
    );
    refused(
        c.adapter
            .update_user(&User {
                email_verified: Some(instant(1969, 7, 20, 20, 17, 40)?),
                ..kept.clone()
            })
            .await,
        "email_verified",
        "an email_verified in 1969",
    )?;
    // The rule's policy gives sessions a max age of ~31 years: past 2038.
    refused(
        c.adapter.create_session(&kept).await,
        "expires",
        "a session expiring after 2038",
    )?;
    refused(
        c.adapter
            .link_account(NewAccount {
                access_token_expires: Some(instant(2040, 1, 1, 0, 0, 0)?),
                ..c.new_account(&kept, "github")
            })
            .await,
        "access_token_expires",
        "an access token expiring in 2040",
    )?;
    c.set_now(last + Duration::days(1));
    refused(
        c.adapter.create_user(c.profile()).await,
        "created_at",
        "create_user once the clock is past 2038",
    )?;
    let stored = c.stored().await?;
    check_eq!(stored.users.len(), 1, "users stored");
    check_eq!(
        stored.users[0].email_verified,
        kept.email_verified,
        "email_verified after the refused update"
    );
    check_eq!(
        stored.users[0].updated_at,
        kept.updated_at,
        "updated_at after the refused update"
    );
    check_eq!(stored.sessions.len(), 0, "sessions stored");
    check_eq!(stored.accounts.len(), 0, "accounts stored");
    Ok(())
}
