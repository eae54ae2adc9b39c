//! Rules for `create_session`, `get_session`, `update_session` and `delete_session`.

use super::body;
use crate::context::Ctx;
use crate::rule::{Area, Failure, Requires, Rule, RuleResult};
use crate::{check, check_eq};
use chrono::Duration;
use nextauth_adapter::{ErrorKind, ExpiredSessionHandling, formulas};

pub(super) fn rules() -> Vec<Rule> {
    const A: Area = Area::Sessions;
    vec![
        Rule::must(
            A,
            "session.create.returns-record",
            "§3.9; AJS#5",
            "create_session returns a session of the user",
            body!(create_returns_record),
        ),
        Rule::must(
            A,
            "session.create.tokens-are-64-hex",
            "§3.9; §4",
            "session_token and access_token are 64 lowercase hex characters",
            body!(create_tokens_hex),
        ),
        Rule::must(
            A,
            "session.create.tokens-distinct",
            "§2; §3.9",
            "tokens differ between sessions and between the two tokens of one session",
            body!(create_tokens_distinct),
        ),
        Rule::must(
            A,
            "session.create.expires-after-max-age",
            "§3.9; §4",
            "expires is now + max_age",
            body!(create_expires),
        ),
        Rule::must(
            A,
            "session.create.honours-policy",
            "§3.9; §4",
            "with a session policy of max_age 2 hours, expires is now + 2 hours",
            body!(create_honours_policy),
        )
        .with_session_policy(7200, 600),
        Rule::must(
            A,
            "session.create.persisted",
            "§3.9; AJS#5",
            "the returned session is what the inspector reads back",
            body!(create_persisted),
        ),
        Rule::must(
            A,
            "session.create.several-per-user",
            "§5.4 step 10; G17",
            "a user can hold several sessions at once",
            body!(create_several),
        ),
        Rule::should(
            A,
            "session.create.missing-user-refused",
            "§2; §3.9; G8; H8",
            "create_session for a user nobody has (an id never issued, or a deleted user's) is NotFound on the user and writes no orphan session",
            body!(create_missing_user),
        ),
        Rule::must(
            A,
            "session.get.valid",
            "§3.10; AJS#6",
            "get_session of a live token returns its session",
            body!(get_valid),
        ),
        Rule::must(
            A,
            "session.get.unknown-is-none",
            "§3.10; AJS#6",
            "an unknown token gives none",
            body!(get_unknown),
        ),
        Rule::must(
            A,
            "session.get.no-token-is-none",
            "§3.10; §5.6; adapters#187",
            "get_session(None), as sign-out without a cookie calls it, gives none",
            body!(get_none),
        ),
        Rule::must(
            A,
            "session.get.empty-token-is-none",
            "§3.10; G20",
            "get_session(\"\") gives none",
            body!(get_empty),
        ),
        Rule::must(
            A,
            "session.get.jwt-string-is-none",
            "§5.7; G20",
            "get_session of a JWT string (over 255 characters) gives none, not an error",
            body!(get_jwt),
        ),
        Rule::must(
            A,
            "session.get.valid-at-expiry",
            "§3.10; G6",
            "a session whose expiry equals now is still valid (strict >)",
            body!(get_at_expiry),
        ),
        Rule::must(
            A,
            "session.get.expired-is-none",
            "§3.10; G6; G23 (dynamodb)",
            "one clock step past its expiry (1 µs at microsecond precision) a session gives none",
            body!(get_expired),
        ),
        Rule::must(
            A,
            "session.get.expired-row-as-declared",
            "§3.10; G6; cap:expired-session",
            "an expired session's row is deleted or kept, as the adapter declares",
            body!(get_expired_row_as_declared),
        ),
        Rule::must(
            A,
            "session.get.expired-row-deleted",
            "§3.10; G6; cap:expired-session",
            "declared delete-on-read, reading an expired session deletes its row and no other",
            body!(get_expired_deleted),
        )
        .requires(Requires::ExpiredSessionDeleted),
        Rule::must(
            A,
            "session.update.not-due-is-none",
            "§3.11; AJS#8",
            "update_session of a fresh session without force returns none",
            body!(update_not_due),
        ),
        Rule::must(
            A,
            "session.update.not-due-writes-nothing",
            "§3.11; G7",
            "a not-due update_session without force stores nothing",
            body!(update_not_due_writes_nothing),
        ),
        Rule::must(
            A,
            "session.update.at-due-time-not-due",
            "§3.11; §4; G7",
            "exactly at the due time (expires − max_age + update_age) a session is not due",
            body!(update_at_due_time),
        ),
        Rule::must(
            A,
            "session.update.after-due-time-extends",
            "§3.11; §4; G7; G24 (#640)",
            "one clock step after the due time (1 µs at microsecond precision), expires becomes now + max_age, stored and returned",
            body!(update_after_due),
        ),
        Rule::must(
            A,
            "session.update.mutates-argument",
            "§3.11; §5.5",
            "update_session writes the new expiry into its argument, which core reads",
            body!(update_mutates),
        ),
        Rule::must(
            A,
            "session.update.force-not-due-unchanged",
            "§3.11",
            "force on a not-due session stores it with its expiry unchanged and returns it",
            body!(update_force_not_due),
        ),
        Rule::must(
            A,
            "session.update.throttled-after-extension",
            "§3.11; G7",
            "after an extension, reads within update_age do not extend again",
            body!(update_throttled),
        ),
        Rule::must(
            A,
            "session.update.repeated-reads-never-extend-early",
            "§3.11; G7",
            "twelve reads an hour apart within update_age never extend the session nor change the stored row",
            body!(update_repeated_reads),
        ),
        Rule::must(
            A,
            "session.update.honours-policy",
            "§3.11; §4",
            "with max_age 2 hours and update_age 10 minutes, the session is due one step after 10 minutes and extends to now + 2 hours",
            body!(update_honours_policy),
        )
        .with_session_policy(7200, 600),
        Rule::must(
            A,
            "session.update.update-age-zero-rolls-every-read",
            "§3.11; §4",
            "with update_age 0 every later read extends the session",
            body!(update_age_zero),
        )
        .with_session_policy(3600, 0),
        Rule::must(
            A,
            "session.update.update-age-beyond-max-age-never-rolls",
            "§3.11",
            "with update_age > max_age a live session is never extended",
            body!(update_age_beyond),
        )
        .with_session_policy(3600, 7200),
        Rule::should(
            A,
            "session.update.deleted-not-resurrected",
            "§3.11; §8.5",
            "updating a session that was deleted does not bring it back",
            body!(update_deleted),
        ),
        Rule::must(
            A,
            "session.delete.removes",
            "§3.12; AJS#11",
            "delete_session removes the session",
            body!(delete_removes),
        ),
        Rule::must(
            A,
            "session.delete.later-reads-see-it",
            "§3.12; H8",
            "after delete_session, get_session gives none even when the session was read just before",
            body!(delete_later_reads),
        ),
        Rule::must(
            A,
            "session.delete.missing-is-noop",
            "§3.12; G14; next-auth#4495",
            "deleting a missing token succeeds and changes nothing",
            body!(delete_missing),
        ),
        Rule::must(
            A,
            "session.delete.no-token-is-noop",
            "§5.6; G14; adapters#187",
            "delete_session(None), as sign-out without a cookie calls it, deletes nothing",
            body!(delete_none),
        ),
        Rule::must(
            A,
            "session.delete.others-untouched",
            "H1",
            "delete_session leaves the user's other sessions",
            body!(delete_others),
        ),
    ]
}

async fn create_returns_record(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let s = c.session(&u).await?;
    check!(!s.id.is_empty(), "the session has an empty id");
    check_eq!(s.user_id, u.id, "user_id");
    Ok(())
}

async fn create_tokens_hex(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let s = c.session(&u).await?;
    check!(
        formulas::is_token_shaped(&s.session_token),
        "session_token {:?} is not 64 lowercase hex",
        s.session_token
    );
    check!(
        formulas::is_token_shaped(&s.access_token),
        "access_token {:?} is not 64 lowercase hex",
        s.access_token
    );
    Ok(())
}

async fn create_tokens_distinct(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let mut tokens = Vec::new();
    for _ in 0..10 {
        let s = c.session(&u).await?;
        check!(
            s.session_token != s.access_token,
            "session_token equals access_token"
        );
        tokens.push(s.session_token);
        tokens.push(s.access_token);
    }
    let mut unique = tokens.clone();
    unique.sort();
    unique.dedup();
    check_eq!(
        unique.len(),
        tokens.len(),
        "distinct tokens among 10 sessions"
    );
    Ok(())
}

async fn create_expires(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    c.advance(Duration::milliseconds(250));
    let s = c.session(&u).await?;
    c.check_instant(s.expires, c.now() + c.config.session.max_age(), "expires")
}

async fn create_honours_policy(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    c.advance(Duration::milliseconds(125));
    let s = c.session(&u).await?;
    c.check_instant(s.expires, c.now() + Duration::hours(2), "expires")?;
    let stored = c
        .inspector
        .session(&s.session_token)
        .await?
        .ok_or_else(|| Failure::new("session not stored"))?;
    c.check_instant(
        stored.expires,
        c.now() + Duration::hours(2),
        "stored expires",
    )
}

async fn create_persisted(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let s = c.session(&u).await?;
    check_eq!(
        c.inspector.session(&s.session_token).await?,
        Some(s),
        "the row the inspector reads"
    );
    Ok(())
}

async fn create_several(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let a = c.session(&u).await?;
    let b = c.session(&u).await?;
    check_eq!(
        c.adapter.get_session(Some(&a.session_token)).await?,
        Some(a),
        "first session"
    );
    check_eq!(
        c.adapter.get_session(Some(&b.session_token)).await?,
        Some(b),
        "second session"
    );
    Ok(())
}

async fn create_missing_user(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    for id in super::accounts::users_nobody_has(&c, &u).await? {
        let before = c.stored().await?;
        let nobody = nextauth_adapter::User {
            id: id.clone(),
            ..u.clone()
        };
        let result = c.adapter.create_session(&nobody).await;
        super::refused_for_missing_user(&c, result, &id, &before, "create_session").await?;
    }
    Ok(())
}

async fn get_valid(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let _noise = c.session(&c.user().await?).await?;
    let s = c.session(&u).await?;
    c.advance(Duration::hours(1));
    check_eq!(
        c.adapter.get_session(Some(&s.session_token)).await?,
        Some(s),
        "get_session"
    );
    Ok(())
}

async fn get_unknown(c: Ctx) -> RuleResult {
    c.session(&c.user().await?).await?;
    check_eq!(
        c.adapter
            .get_session(Some(&formulas::random_token()))
            .await?,
        None,
        "an unknown token"
    );
    Ok(())
}

async fn get_none(c: Ctx) -> RuleResult {
    c.session(&c.user().await?).await?;
    check_eq!(
        c.adapter.get_session(None).await?,
        None,
        "get_session(None)"
    );
    Ok(())
}

async fn get_empty(c: Ctx) -> RuleResult {
    c.session(&c.user().await?).await?;
    check_eq!(
        c.adapter.get_session(Some("")).await?,
        None,
        "get_session(\"\")"
    );
    Ok(())
}

async fn get_jwt(c: Ctx) -> RuleResult {
    c.session(&c.user().await?).await?;
    let jwt = format!(
        "eyJhbGciOiJIUzUxMiJ9.{}.{}",
        "eyJzdWIiOiIxIn0".repeat(20),
        "s".repeat(43)
    );
    check!(jwt.len() > 255, "the sample JWT is too short");
    match c.adapter.get_session(Some(&jwt)).await {
        Ok(None) => Ok(()),
        other => Err(Failure::new(format!(
            "get_session(<{}-character JWT>) gave {other:?}, expected none",
            jwt.len()
        ))),
    }
}

async fn get_at_expiry(c: Ctx) -> RuleResult {
    let s = c.session(&c.user().await?).await?;
    c.set_now(s.expires);
    check_eq!(
        c.adapter
            .get_session(Some(&s.session_token))
            .await?
            .map(|x| x.id),
        Some(s.id.clone()),
        "get_session at exactly its expiry"
    );
    Ok(())
}

async fn get_expired(c: Ctx) -> RuleResult {
    let s = c.session(&c.user().await?).await?;
    c.set_now(s.expires + c.tick());
    check_eq!(
        c.adapter.get_session(Some(&s.session_token)).await?,
        None,
        "get_session one clock step after its expiry"
    );
    c.advance(Duration::days(400));
    check_eq!(
        c.adapter.get_session(Some(&s.session_token)).await?,
        None,
        "get_session long after its expiry"
    );
    Ok(())
}

async fn get_expired_row_as_declared(c: Ctx) -> RuleResult {
    let s = c.session(&c.user().await?).await?;
    c.set_now(s.expires + Duration::seconds(1));
    c.adapter.get_session(Some(&s.session_token)).await?;
    let row = c.inspector.session(&s.session_token).await?;
    match c.caps.expired_session {
        ExpiredSessionHandling::DeleteOnRead => {
            check_eq!(row, None, "declared delete-on-read: the expired row")
        }
        ExpiredSessionHandling::KeepRow => {
            check_eq!(row, Some(s), "declared keep-row: the expired row")
        }
    }
    Ok(())
}

async fn get_expired_deleted(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let s = c.session(&u).await?;
    let live = c.session(&u).await?;
    c.set_now(s.expires + Duration::seconds(1));
    c.adapter.get_session(Some(&s.session_token)).await?;
    check_eq!(
        c.inspector.session(&s.session_token).await?,
        None,
        "the expired session's row after reading it"
    );
    let live_row = c.inspector.session(&live.session_token).await?;
    check!(
        live_row.is_some(),
        "reading one expired session deleted another session"
    );
    Ok(())
}

async fn update_not_due(c: Ctx) -> RuleResult {
    let mut s = c.session(&c.user().await?).await?;
    c.advance(Duration::hours(1));
    check_eq!(
        c.adapter.update_session(&mut s, false).await?,
        None,
        "update_session of a fresh session"
    );
    Ok(())
}

async fn update_not_due_writes_nothing(c: Ctx) -> RuleResult {
    let mut s = c.session(&c.user().await?).await?;
    let before = c.stored().await?;
    c.advance(Duration::hours(23));
    let original = s.clone();
    c.adapter.update_session(&mut s, false).await?;
    check_eq!(c.stored().await?, before, "storage after a not-due update");
    check_eq!(s, original, "the argument after a not-due update");
    Ok(())
}

async fn update_at_due_time(c: Ctx) -> RuleResult {
    let mut s = c.session(&c.user().await?).await?;
    let due = c.config.session.update_due(s.expires);
    c.set_now(due);
    let r = c.adapter.update_session(&mut s, false).await?;
    check_eq!(r, None, "update_session exactly at the due time {due:?}");
    Ok(())
}

async fn update_after_due(c: Ctx) -> RuleResult {
    let mut s = c.session(&c.user().await?).await?;
    let due = c.config.session.update_due(s.expires);
    c.set_now(due + c.tick());
    let want = c.now() + c.config.session.max_age();
    let r = c
        .adapter
        .update_session(&mut s, false)
        .await?
        .ok_or_else(|| {
            Failure::new("update_session one clock step after the due time returned none")
        })?;
    c.check_instant(r.expires, want, "returned expires")?;
    let stored = c
        .inspector
        .session(&s.session_token)
        .await?
        .ok_or_else(|| Failure::new("session row gone"))?;
    c.check_instant(stored.expires, want, "stored expires")?;
    check_eq!(r, stored, "returned session against the stored row");
    Ok(())
}

async fn update_mutates(c: Ctx) -> RuleResult {
    let mut s = c.session(&c.user().await?).await?;
    c.advance(Duration::days(2));
    let want = c.now() + c.config.session.max_age();
    c.adapter.update_session(&mut s, false).await?;
    c.check_instant(s.expires, want, "the argument's expires after a due update")
}

async fn update_force_not_due(c: Ctx) -> RuleResult {
    let mut s = c.session(&c.user().await?).await?;
    let original = s.clone();
    c.advance(Duration::hours(1));
    let r = c
        .adapter
        .update_session(&mut s, true)
        .await?
        .ok_or_else(|| Failure::new("update_session(force) of a not-due session returned none"))?;
    check_eq!(
        r.expires,
        original.expires,
        "returned expires (force must not extend)"
    );
    check_eq!(
        r.session_token,
        original.session_token,
        "returned session_token"
    );
    check_eq!(
        r.access_token,
        original.access_token,
        "returned access_token"
    );
    check_eq!(r.user_id, original.user_id, "returned user_id");
    let stored = c
        .inspector
        .session(&original.session_token)
        .await?
        .ok_or_else(|| Failure::new("session row gone"))?;
    check_eq!(
        stored.expires,
        original.expires,
        "stored expires after force"
    );
    Ok(())
}

async fn update_throttled(c: Ctx) -> RuleResult {
    let mut s = c.session(&c.user().await?).await?;
    c.advance(Duration::days(2));
    c.adapter
        .update_session(&mut s, false)
        .await?
        .ok_or_else(|| Failure::new("the first due update returned none"))?;
    let extended = s.expires;
    c.advance(Duration::hours(12));
    check_eq!(
        c.adapter.update_session(&mut s, false).await?,
        None,
        "a second update 12 hours after an extension"
    );
    check_eq!(s.expires, extended, "expires after the throttled update");
    Ok(())
}

async fn update_repeated_reads(c: Ctx) -> RuleResult {
    let mut s = c.session(&c.user().await?).await?;
    let original = s.clone();
    let row = c.inspector.session(&s.session_token).await?;
    for read in 1..=12 {
        c.advance(Duration::hours(1));
        let r = c.adapter.update_session(&mut s, false).await?;
        check_eq!(
            r,
            None,
            "update_session at read {read}, {read} hours after creation"
        );
        check_eq!(s, original, "the argument after read {read}");
    }
    check_eq!(
        c.inspector.session(&s.session_token).await?,
        row,
        "the stored session after twelve reads within update_age"
    );
    Ok(())
}

async fn update_honours_policy(c: Ctx) -> RuleResult {
    let mut s = c.session(&c.user().await?).await?;
    let due = s.expires - Duration::hours(2) + Duration::minutes(10);
    c.set_now(due);
    check_eq!(
        c.adapter.update_session(&mut s, false).await?,
        None,
        "update_session exactly 10 minutes after creation"
    );
    c.set_now(due + c.tick());
    let want = c.now() + Duration::hours(2);
    let r = c
        .adapter
        .update_session(&mut s, false)
        .await?
        .ok_or_else(|| {
            Failure::new("update_session one clock step after the due time returned none")
        })?;
    c.check_instant(r.expires, want, "returned expires")?;
    let stored = c
        .inspector
        .session(&s.session_token)
        .await?
        .ok_or_else(|| Failure::new("session row gone"))?;
    c.check_instant(stored.expires, want, "stored expires")
}

async fn update_age_zero(c: Ctx) -> RuleResult {
    let mut s = c.session(&c.user().await?).await?;
    for step in 1..=3 {
        c.advance(Duration::seconds(1));
        let want = c.now() + Duration::hours(1);
        c.adapter
            .update_session(&mut s, false)
            .await?
            .ok_or_else(|| Failure::new(format!("read {step} with update_age 0 did not extend")))?;
        c.check_instant(s.expires, want, &format!("expires after read {step}"))?;
    }
    Ok(())
}

async fn update_age_beyond(c: Ctx) -> RuleResult {
    let mut s = c.session(&c.user().await?).await?;
    c.set_now(s.expires);
    check_eq!(
        c.adapter.update_session(&mut s, false).await?,
        None,
        "update at the very end of the session's life"
    );
    Ok(())
}

async fn update_deleted(c: Ctx) -> RuleResult {
    let mut s = c.session(&c.user().await?).await?;
    c.adapter.delete_session(Some(&s.session_token)).await?;
    c.advance(Duration::days(2));
    let _ = c.adapter.update_session(&mut s, false).await;
    check_eq!(
        c.inspector.session(&s.session_token).await?,
        None,
        "the deleted session's row after update_session"
    );
    check_eq!(
        c.adapter.get_session(Some(&s.session_token)).await?,
        None,
        "get_session after update of a deleted session"
    );
    Ok(())
}

async fn delete_removes(c: Ctx) -> RuleResult {
    let s = c.session(&c.user().await?).await?;
    c.adapter.delete_session(Some(&s.session_token)).await?;
    check_eq!(
        c.inspector.session(&s.session_token).await?,
        None,
        "row after delete_session"
    );
    check_eq!(
        c.adapter.get_session(Some(&s.session_token)).await?,
        None,
        "get_session after delete_session"
    );
    Ok(())
}

async fn delete_later_reads(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let s = c.session(&u).await?;
    let other = c.session(&u).await?;
    // Read first, so that a read-through cache holds the session.
    check!(
        c.adapter
            .get_session(Some(&s.session_token))
            .await?
            .is_some(),
        "get_session before the delete found nothing"
    );
    c.adapter.delete_session(Some(&s.session_token)).await?;
    check_eq!(
        c.adapter.get_session(Some(&s.session_token)).await?,
        None,
        "get_session after delete_session"
    );
    check_eq!(
        c.adapter
            .get_session(Some(&other.session_token))
            .await?
            .map(|x| x.id),
        Some(other.id.clone()),
        "the user's other session after the delete"
    );
    Ok(())
}

async fn delete_missing(c: Ctx) -> RuleResult {
    c.session(&c.user().await?).await?;
    let before = c.stored().await?;
    c.adapter
        .delete_session(Some(&formulas::random_token()))
        .await
        .map_err(|e| Failure::new(format!("deleting a missing session failed: {e}")))?;
    check_eq!(
        c.stored().await?,
        before,
        "storage after deleting a missing session"
    );
    Ok(())
}

async fn delete_none(c: Ctx) -> RuleResult {
    c.session(&c.user().await?).await?;
    let before = c.stored().await?;
    match c.adapter.delete_session(None).await {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::InvalidInput => {}
        Err(e) => return Err(Failure::new(format!("delete_session(None) failed: {e}"))),
    }
    check_eq!(
        c.stored().await?,
        before,
        "storage after delete_session(None)"
    );
    Ok(())
}

async fn delete_others(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let a = c.session(&u).await?;
    let b = c.session(&u).await?;
    c.adapter.delete_session(Some(&a.session_token)).await?;
    check_eq!(c.stored().await?.sessions, vec![b], "sessions left");
    Ok(())
}
