//! Rules for `create_user`, `get_user`, `get_user_by_email`, `update_user` and `delete_user`.

use super::body;
use crate::context::Ctx;
use crate::rule::{Area, Requires, Rule, RuleResult};
use crate::{check, check_eq};
use chrono::Duration;
use nextauth_adapter::{DeleteUserSupport, ErrorKind, NewUser, UniqueKey, User};

pub(super) fn rules() -> Vec<Rule> {
    const A: Area = Area::Users;
    vec![
        Rule::must(
            A,
            "user.create.returns-record",
            "§3.1; AJS#2",
            "create_user returns the user with an id and the profile's fields",
            body!(create_returns_record),
        ),
        Rule::must(
            A,
            "user.create.persisted",
            "§3.1; AJS#2",
            "the returned user is what the inspector reads back",
            body!(create_persisted),
        ),
        Rule::must(
            A,
            "user.create.every-field-stored",
            "§3.1; §2",
            "every field of a fully filled profile is stored: name, email, image, email_verified (the clock's now), created_at and updated_at as returned",
            body!(create_every_field_stored),
        ),
        Rule::must(
            A,
            "user.create.fields-verbatim",
            "§3.1; G1",
            "name, email and image are stored exactly as given: no lowercasing, no trimming",
            body!(create_fields_verbatim),
        ),
        Rule::must(
            A,
            "user.create.email-verified-none",
            "§3.1; G19",
            "a profile without email_verified stores none (OAuth users are unverified)",
            body!(create_email_verified_none),
        ),
        Rule::should(
            A,
            "user.create.email-verified-is-now",
            "§3.1; G19",
            "email_verified: Some(_) stores the adapter clock's now, not the value passed",
            body!(create_email_verified_now),
        ),
        Rule::must(
            A,
            "user.create.duplicate-email-conflict",
            "§2; §3.1; G9; G22",
            "a second user with the same email is a Conflict on users.email",
            body!(create_duplicate_email),
        ),
        Rule::must(
            A,
            "user.create.duplicate-email-writes-nothing",
            "§2; H5",
            "a refused duplicate leaves exactly the first user stored",
            body!(create_duplicate_writes_nothing),
        ),
        Rule::must(
            A,
            "user.create.several-without-email",
            "§2; G9; G12",
            "several users without an email can exist",
            body!(create_several_without_email),
        ),
        Rule::must(
            A,
            "user.create.distinct-ids",
            "§2",
            "every user gets its own id",
            body!(create_distinct_ids),
        ),
        Rule::should(
            A,
            "user.create.timestamps-from-clock",
            "§2",
            "created_at and updated_at are the adapter clock's now",
            body!(create_timestamps),
        ),
        Rule::must(
            A,
            "user.get.existing",
            "§3.2; AJS#3",
            "get_user of a created user's id returns it",
            body!(get_existing),
        ),
        Rule::must(
            A,
            "user.get.unknown-id",
            "§3.2; AJS#3",
            "get_user of an id never issued returns none",
            body!(get_unknown),
        ),
        Rule::must(
            A,
            "user.get.foreign-id-is-none",
            "§3.2; G11; next-auth#1644",
            "get_user of a string no backend issues (a JWT sub, 'abc', '') returns none, not an error",
            body!(get_foreign_id),
        ),
        Rule::must(
            A,
            "user.get-by-email.existing",
            "§3.3; AJS#4",
            "get_user_by_email of a stored address returns its user",
            body!(by_email_existing),
        ),
        Rule::must(
            A,
            "user.get-by-email.unknown",
            "§3.3; AJS#4",
            "get_user_by_email of an unknown address returns none",
            body!(by_email_unknown),
        ),
        Rule::must(
            A,
            "user.get-by-email.none-or-empty",
            "§3.3",
            "get_user_by_email(None) and (\"\") return none, even when users without email exist",
            body!(by_email_none_or_empty),
        ),
        Rule::must(
            A,
            "user.get-by-email.declared-matching",
            "§3.3; G1; cap:email-matching",
            "address case is matched as the adapter declares (exact or case-insensitive)",
            body!(by_email_declared_matching),
        ),
        Rule::must(
            A,
            "user.get-by-email.right-user",
            "H1",
            "with several users, each address finds its own user",
            body!(by_email_right_user),
        ),
        Rule::must(
            A,
            "user.update.writes-fields",
            "§3.5; AJS#7; G24 (#493)",
            "update_user stores name, email, image and email_verified",
            body!(update_writes_fields),
        ),
        Rule::must(
            A,
            "user.update.returns-stored",
            "§3.5; H6",
            "update_user returns the user as stored",
            body!(update_returns_stored),
        ),
        Rule::must(
            A,
            "user.update.sets-email-verified",
            "§3.5; §5.4b",
            "the e-mail flow's update (email_verified = now) is stored",
            body!(update_sets_email_verified),
        ),
        Rule::should(
            A,
            "user.update.clears-email-verified",
            "§3.5; G19",
            "update_user with email_verified none clears it",
            body!(update_clears_email_verified),
        ),
        Rule::should(
            A,
            "user.update.bumps-updated-at",
            "§2; G15",
            "update_user sets updated_at to now and keeps created_at",
            body!(update_bumps_updated_at),
        ),
        Rule::should(
            A,
            "user.update.missing-is-not-found",
            "§3.5; §8.5; G22",
            "update_user of a missing id is NotFound and inserts nothing",
            body!(update_missing),
        ),
        Rule::must(
            A,
            "user.update.email-clash-conflict",
            "§2",
            "updating a user to another user's email is a Conflict and changes nothing",
            body!(update_email_clash),
        ),
        Rule::must(
            A,
            "user.update.others-untouched",
            "H1",
            "update_user changes only its own user",
            body!(update_others_untouched),
        ),
        Rule::must(
            A,
            "user.delete.as-declared",
            "§3.6; G8; cap:delete-user; AJS#17",
            "delete_user does what the adapter declares: Unsupported error and no change, or the user removed (with or without its rows), others untouched, a missing id a no-op",
            body!(delete_as_declared),
        ),
        Rule::must(
            A,
            "user.delete.cascades",
            "G8; AJS#17; cap:delete-user; H8",
            "declared cascading, delete_user removes the user's accounts and sessions (no orphans)",
            body!(delete_cascades),
        )
        .requires(Requires::DeleteUserCascade),
        Rule::must(
            A,
            "user.delete.later-reads-see-it",
            "§3.6; cap:delete-user; H8",
            "after delete_user, get_user and get_user_by_email give none even when the user was read just before",
            body!(delete_later_reads),
        )
        .requires(Requires::DeleteUserSupported),
    ]
}

async fn create_returns_record(c: Ctx) -> RuleResult {
    let profile = c.profile();
    let u = c.adapter.create_user(profile.clone()).await?;
    check!(!u.id.is_empty(), "the new user has an empty id");
    check_eq!(u.name, profile.name, "name");
    check_eq!(u.email, profile.email, "email");
    check_eq!(u.image, profile.image, "image");
    check_eq!(u.email_verified, None, "email_verified");
    Ok(())
}

async fn create_persisted(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let stored = c.inspector.user(&u.id).await?;
    check_eq!(stored, Some(u), "the row the inspector reads");
    Ok(())
}

async fn create_every_field_stored(c: Ctx) -> RuleResult {
    c.advance(Duration::milliseconds(321));
    let profile = NewUser {
        email_verified: Some(c.now()),
        ..c.profile()
    };
    let u = c.adapter.create_user(profile.clone()).await?;
    let stored = c
        .inspector
        .user(&u.id)
        .await?
        .ok_or_else(|| crate::Failure::new("the new user is not stored"))?;
    check_eq!(stored.name, profile.name, "stored name");
    check_eq!(stored.email, profile.email, "stored email");
    check_eq!(stored.image, profile.image, "stored image");
    let verified = stored.email_verified.ok_or_else(|| {
        crate::Failure::new("stored email_verified: expected the clock's now, got none")
            .because("lost-writes")
    })?;
    c.check_instant(verified, c.now(), "stored email_verified")?;
    check_eq!(
        stored.created_at,
        u.created_at,
        "stored created_at (as returned)"
    );
    check_eq!(
        stored.updated_at,
        u.updated_at,
        "stored updated_at (as returned)"
    );
    check_eq!(stored, u, "the stored user against the returned one");
    Ok(())
}

async fn create_fields_verbatim(c: Ctx) -> RuleResult {
    let profile = NewUser {
        name: Some("  Ada  LOVELACE ".to_owned()),
        email: Some("Ada.Lovelace+Tag@Example.COM".to_owned()),
        image: Some("https://Example.com/A B.png".to_owned()),
        email_verified: None,
    };
    let u = c.adapter.create_user(profile.clone()).await?;
    let stored = c
        .inspector
        .user(&u.id)
        .await?
        .ok_or_else(|| crate::Failure::new("user not stored"))?;
    check_eq!(stored.name, profile.name, "stored name");
    check_eq!(stored.email, profile.email, "stored email");
    check_eq!(stored.image, profile.image, "stored image");
    Ok(())
}

async fn create_email_verified_none(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let stored = c.inspector.user(&u.id).await?;
    check_eq!(
        stored.and_then(|s| s.email_verified),
        None,
        "stored email_verified"
    );
    Ok(())
}

async fn create_email_verified_now(c: Ctx) -> RuleResult {
    let passed = c.now() - Duration::days(3);
    let u = c
        .adapter
        .create_user(NewUser {
            email_verified: Some(passed),
            ..c.profile()
        })
        .await?;
    let v = u
        .email_verified
        .ok_or_else(|| crate::Failure::new("email_verified: expected Some(now), got None"))?;
    c.check_instant(v, c.now(), "email_verified")
}

async fn create_duplicate_email(c: Ctx) -> RuleResult {
    let first = c.user().await?;
    let again = NewUser {
        email: first.email.clone(),
        name: Some("Impostor".into()),
        ..NewUser::default()
    };
    match c.adapter.create_user(again).await {
        Err(e) => {
            check_eq!(
                e.conflict_key(),
                Some(UniqueKey::UserEmail),
                "error ({e}) unique key"
            );
            Ok(())
        }
        Ok(u) => Err(crate::Failure::new(format!(
            "a second user with email {:?} was created (id {})",
            first.email, u.id
        ))),
    }
}

async fn create_duplicate_writes_nothing(c: Ctx) -> RuleResult {
    let first = c.user().await?;
    let _ = c
        .adapter
        .create_user(NewUser {
            email: first.email.clone(),
            ..NewUser::default()
        })
        .await;
    let stored = c.stored().await?;
    check_eq!(
        stored.users,
        vec![first],
        "users stored after the refused duplicate"
    );
    Ok(())
}

async fn create_several_without_email(c: Ctx) -> RuleResult {
    let a = c
        .adapter
        .create_user(NewUser {
            name: Some("A".into()),
            ..NewUser::default()
        })
        .await?;
    let b = c
        .adapter
        .create_user(NewUser {
            name: Some("B".into()),
            ..NewUser::default()
        })
        .await?;
    let stored = c.stored().await?;
    check!(a.id != b.id, "two users got the same id {}", a.id);
    check_eq!(stored.users.len(), 2, "users stored");
    check!(
        stored.users.iter().all(|u| u.email.is_none()),
        "a stored email appeared: {:?}",
        stored.users
    );
    Ok(())
}

async fn create_distinct_ids(c: Ctx) -> RuleResult {
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(c.user().await?.id);
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    check_eq!(unique.len(), ids.len(), "distinct ids among {ids:?}");
    Ok(())
}

async fn create_timestamps(c: Ctx) -> RuleResult {
    c.advance(Duration::milliseconds(1234));
    let u = c.user().await?;
    c.check_instant(u.created_at, c.now(), "created_at")?;
    c.check_instant(u.updated_at, c.now(), "updated_at")
}

async fn get_existing(c: Ctx) -> RuleResult {
    let _other = c.user().await?;
    let u = c.user().await?;
    let got = c.adapter.get_user(&u.id).await?;
    check_eq!(got, Some(u), "get_user");
    Ok(())
}

async fn get_unknown(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let unknown = match u.id.parse::<u64>() {
        Ok(n) => (n + 1000).to_string(),
        Err(_) => format!("{}-unknown", u.id),
    };
    let got = c.adapter.get_user(&unknown).await?;
    check_eq!(got, None, "get_user({unknown:?})");
    Ok(())
}

async fn get_foreign_id(c: Ctx) -> RuleResult {
    c.user().await?;
    for id in [
        "abc",
        "",
        "0x1",
        "-1",
        "1.0",
        "eyJhbGciOiJIUzI1NiJ9.e30.sig",
        "507f1f77bcf86cd799439011",
        "99999999999999999999999",
    ] {
        match c.adapter.get_user(id).await {
            Ok(None) => {}
            Ok(Some(u)) => {
                return Err(crate::Failure::new(format!(
                    "get_user({id:?}) found user {}",
                    u.id
                )));
            }
            Err(e) => {
                return Err(crate::Failure::new(format!(
                    "get_user({id:?}) failed instead of returning none: {e}"
                )));
            }
        }
    }
    Ok(())
}

async fn by_email_existing(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let got = c.adapter.get_user_by_email(u.email.as_deref()).await?;
    check_eq!(got, Some(u), "get_user_by_email");
    Ok(())
}

async fn by_email_unknown(c: Ctx) -> RuleResult {
    c.user().await?;
    let got = c
        .adapter
        .get_user_by_email(Some("non-existent@example.com"))
        .await?;
    check_eq!(got, None, "get_user_by_email of an unknown address");
    Ok(())
}

async fn by_email_none_or_empty(c: Ctx) -> RuleResult {
    c.adapter
        .create_user(NewUser {
            name: Some("No Mail".into()),
            ..NewUser::default()
        })
        .await?;
    check_eq!(
        c.adapter.get_user_by_email(None).await?,
        None,
        "get_user_by_email(None)"
    );
    check_eq!(
        c.adapter.get_user_by_email(Some("")).await?,
        None,
        "get_user_by_email(\"\")"
    );
    Ok(())
}

async fn by_email_declared_matching(c: Ctx) -> RuleResult {
    let matching = c.caps.email_matching;
    // Variants that some collations fold and others keep apart: case, an accent, the Turkish
    // dotted capital I.
    for (stored, variant, dup) in [
        (
            "mixed.case@example.com",
            "Mixed.Case@EXAMPLE.com",
            "MIXED.CASE@example.com",
        ),
        (
            "zo\u{eb}.accent@example.com",
            "zoe.accent@example.com",
            "Zoe.accent@example.com",
        ),
        (
            "inci.dot@example.com",
            "\u{130}nci.dot@example.com",
            "\u{130}NCI.DOT@example.com",
        ),
    ] {
        let u = c.user_with_email(stored).await?;
        let got = c.adapter.get_user_by_email(Some(variant)).await?;
        if matching.same(stored, variant) {
            check_eq!(
                got.map(|g| g.id),
                Some(u.id.clone()),
                "declared {matching:?} matching, under which {variant:?} is {stored:?}: the lookup"
            );
        } else {
            check_eq!(
                got,
                None,
                "declared {matching:?} matching, under which {variant:?} is not {stored:?}: the lookup"
            );
        }
        let created = c
            .adapter
            .create_user(NewUser {
                email: Some(dup.into()),
                ..NewUser::default()
            })
            .await;
        match (matching.same(stored, dup), created) {
            (false, Ok(_)) => {}
            (false, Err(e)) => {
                return Err(crate::Failure::new(format!(
                    "declared {matching:?} matching holds {dup:?} and {stored:?} distinct, but creating it was refused: {e}"
                )));
            }
            (true, Err(e)) if e.kind() == ErrorKind::Conflict => {}
            (true, other) => {
                return Err(crate::Failure::new(format!(
                    "declared {matching:?} matching holds {dup:?} and {stored:?} the same, but creating it gave {other:?} instead of a Conflict"
                )));
            }
        }
    }
    Ok(())
}

async fn by_email_right_user(c: Ctx) -> RuleResult {
    let users = [c.user().await?, c.user().await?, c.user().await?];
    for u in &users {
        let got = c.adapter.get_user_by_email(u.email.as_deref()).await?;
        check_eq!(
            got.map(|g| g.id),
            Some(u.id.clone()),
            "get_user_by_email({:?})",
            u.email
        );
    }
    Ok(())
}

fn edited(u: &User, c: &Ctx) -> User {
    User {
        name: Some("Renamed".into()),
        email: Some(format!("renamed{}@example.com", c.next_n())),
        image: Some("https://example.com/new.png".into()),
        email_verified: Some(c.stored_instant(c.now())),
        ..u.clone()
    }
}

async fn update_writes_fields(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    c.advance(Duration::minutes(5));
    let want = edited(&u, &c);
    c.adapter.update_user(&want).await?;
    let stored = c
        .inspector
        .user(&u.id)
        .await?
        .ok_or_else(|| crate::Failure::new("user vanished after update"))?;
    check_eq!(stored.name, want.name, "stored name");
    check_eq!(stored.email, want.email, "stored email");
    check_eq!(stored.image, want.image, "stored image");
    check_eq!(
        stored.email_verified,
        want.email_verified,
        "stored email_verified"
    );
    Ok(())
}

async fn update_returns_stored(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    c.advance(Duration::minutes(5));
    let returned = c.adapter.update_user(&edited(&u, &c)).await?;
    let stored = c.inspector.user(&u.id).await?;
    check_eq!(
        Some(returned),
        stored,
        "update_user's return value against the stored row"
    );
    Ok(())
}

async fn update_sets_email_verified(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    c.advance(Duration::hours(2));
    let now = c.now();
    let updated = c
        .adapter
        .update_user(&User {
            email_verified: Some(now),
            ..u.clone()
        })
        .await?;
    let v = updated
        .email_verified
        .ok_or_else(|| crate::Failure::new("email_verified not set by update_user"))?;
    c.check_instant(v, now, "email_verified")?;
    let got = c
        .adapter
        .get_user(&u.id)
        .await?
        .and_then(|g| g.email_verified);
    check!(
        got.is_some(),
        "get_user after the update shows no email_verified"
    );
    Ok(())
}

async fn update_clears_email_verified(c: Ctx) -> RuleResult {
    let u = c
        .adapter
        .create_user(NewUser {
            email_verified: Some(c.now()),
            ..c.profile()
        })
        .await?;
    c.adapter
        .update_user(&User {
            email_verified: None,
            ..u.clone()
        })
        .await?;
    let stored = c
        .inspector
        .user(&u.id)
        .await?
        .and_then(|s| s.email_verified);
    check_eq!(stored, None, "email_verified after update with none");
    Ok(())
}

async fn update_bumps_updated_at(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    c.advance(Duration::minutes(10));
    let updated = c
        .adapter
        .update_user(&User {
            name: Some("New".into()),
            ..u.clone()
        })
        .await?;
    c.check_instant(updated.updated_at, c.now(), "updated_at")?;
    c.check_instant(updated.created_at, u.created_at, "created_at")
}

async fn update_missing(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let ghost_id = match u.id.parse::<u64>() {
        Ok(n) => (n + 1000).to_string(),
        Err(_) => format!("{}-ghost", u.id),
    };
    let ghost = User {
        id: ghost_id.clone(),
        email: Some("ghost@example.com".into()),
        ..u.clone()
    };
    let r = c.adapter.update_user(&ghost).await;
    match r {
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        other => {
            return Err(crate::Failure::new(format!(
                "update_user of missing id {ghost_id}: expected NotFound, got {other:?}"
            )));
        }
    }
    let stored = c.stored().await?;
    check_eq!(
        stored.users.len(),
        1,
        "users stored after updating a missing one"
    );
    Ok(())
}

async fn update_email_clash(c: Ctx) -> RuleResult {
    let a = c.user().await?;
    let b = c.user().await?;
    let r = c
        .adapter
        .update_user(&User {
            email: a.email.clone(),
            ..b.clone()
        })
        .await;
    match r {
        Err(e) => check_eq!(
            e.conflict_key(),
            Some(UniqueKey::UserEmail),
            "error ({e}) key"
        ),
        Ok(u) => {
            return Err(crate::Failure::new(format!(
                "user {} took user {}'s email {:?}",
                u.id, a.id, u.email
            )));
        }
    }
    check_eq!(
        c.inspector.user(&b.id).await?,
        Some(b),
        "the refused user's row"
    );
    Ok(())
}

async fn update_others_untouched(c: Ctx) -> RuleResult {
    let a = c.user().await?;
    let b = c.user().await?;
    c.advance(Duration::minutes(1));
    c.adapter.update_user(&edited(&a, &c)).await?;
    check_eq!(
        c.inspector.user(&b.id).await?,
        Some(b),
        "the other user's row"
    );
    Ok(())
}

async fn delete_as_declared(c: Ctx) -> RuleResult {
    let victim = c.user().await?;
    let other = c.user().await?;
    let va = c.account(&victim, "github").await?;
    let vs = c.session(&victim).await?;
    let oa = c.account(&other, "github").await?;
    let os = c.session(&other).await?;
    let before = c.stored().await?;
    let result = c.adapter.delete_user(&victim.id).await;
    let after = c.stored().await?;
    match c.caps.delete_user {
        DeleteUserSupport::Unsupported => {
            match result {
                Err(e) if e.kind() == ErrorKind::Unsupported => {}
                other => {
                    return Err(crate::Failure::new(format!(
                        "declared unsupported, but delete_user gave {other:?} instead of Unsupported"
                    )));
                }
            }
            check_eq!(after, before, "storage after an unsupported delete_user");
            return Ok(());
        }
        DeleteUserSupport::UserOnly => {
            result?;
            check_eq!(after.users, vec![other.clone()], "users after deleting one");
            check!(
                after.accounts.contains(&va) && after.sessions.contains(&vs),
                "declared user-only, but the deleted user's account or session went too"
            );
        }
        DeleteUserSupport::Cascade => {
            result?;
            check_eq!(after.users, vec![other.clone()], "users after deleting one");
            check!(
                !after.accounts.contains(&va) && !after.sessions.contains(&vs),
                "declared cascading, but the deleted user's account or session is still stored"
            );
        }
    }
    check!(
        after.accounts.contains(&oa),
        "the other user's account was removed"
    );
    check!(
        after.sessions.contains(&os),
        "the other user's session was removed"
    );
    check_eq!(
        c.adapter.get_user(&victim.id).await?,
        None,
        "get_user after delete_user"
    );
    c.adapter.delete_user(&victim.id).await.map_err(|e| {
        crate::Failure::new(format!("deleting an already deleted user failed: {e}"))
    })?;
    c.adapter
        .delete_user("abc")
        .await
        .map_err(|e| crate::Failure::new(format!("deleting a foreign id failed: {e}")))?;
    check_eq!(
        c.stored().await?,
        after,
        "storage after deleting missing users"
    );
    Ok(())
}

async fn delete_later_reads(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let other = c.user().await?;
    // Read first, as an application does, so that a read-through cache holds the user.
    check!(
        c.adapter.get_user(&u.id).await?.is_some(),
        "get_user before the delete found nothing"
    );
    check!(
        c.adapter
            .get_user_by_email(u.email.as_deref())
            .await?
            .is_some(),
        "get_user_by_email before the delete found nothing"
    );
    c.adapter.delete_user(&u.id).await?;
    check_eq!(
        c.adapter.get_user(&u.id).await?,
        None,
        "get_user after delete_user"
    );
    check_eq!(
        c.adapter.get_user_by_email(u.email.as_deref()).await?,
        None,
        "get_user_by_email after delete_user"
    );
    check_eq!(
        c.adapter.get_user(&other.id).await?.map(|x| x.id),
        Some(other.id.clone()),
        "get_user of another user after the delete"
    );
    Ok(())
}

async fn delete_cascades(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let a = c.account(&u, "github").await?;
    c.account(&u, "google").await?;
    let s = c.session(&u).await?;
    c.session(&u).await?;
    c.adapter.delete_user(&u.id).await?;
    let stored = c.stored().await?;
    check_eq!(stored.accounts.len(), 0, "accounts left after delete_user");
    check_eq!(stored.sessions.len(), 0, "sessions left after delete_user");
    check_eq!(
        c.adapter.get_session(Some(&s.session_token)).await?,
        None,
        "get_session of the deleted user's session"
    );
    check_eq!(
        c.adapter
            .get_user_by_provider_account_id(&a.provider_id, &a.provider_account_id)
            .await?,
        None,
        "get_user_by_provider_account_id of the deleted user's account"
    );
    Ok(())
}
