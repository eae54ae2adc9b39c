//! Users: create (with core's id or the adapter's), the three lookups, partial updates and the
//! cascading delete.

use super::needs;
use crate::authjs::Ctx;
use crate::authjs::context::Refusal;
use crate::catalogue::body;
use crate::rule::{Area, Failure, Requires, Rule, RuleResult};
use crate::{check, check_eq};
use nextauth_adapter::authjs::{IdSource, MethodSet, NewUser, Patch, UserPatch};
use nextauth_adapter::{EmailMatching, ErrorKind, Method, UniqueKey};
use nextauth_adapter_reference::authjs::Stored;

/// Core's methods, and core's ids declared kept.
const CORE_IDS: Requires = Requires::AllOf(&[
    Requires::Implements(MethodSet::CORE),
    Requires::UserIds(IdSource::Core),
]);

pub(super) fn rules() -> Vec<Rule> {
    const A: Area = Area::Users;
    vec![
        Rule::authjs_must(A, "authjs.users.create.stored-as-given", "§14.4; AJS#2", "create_user stores every field as given and returns the stored user", body!(stored_as_given)),
        Rule::authjs_must(A, "authjs.users.create.keeps-core-id", "§14.4; §14.3", "declared to keep core's ids, create_user stores the id core passed", body!(keeps_core_id)).requires(CORE_IDS),
        Rule::authjs_must(A, "authjs.users.create.issues-id-when-core-gives-none", "§14.4; §15.7", "create_user without an id (WebAuthn registration) issues a non-empty id of its own", body!(issues_id)),
        Rule::authjs_must(A, "authjs.users.create.email-unique", "§14.4; §15.9", "create_user with an address another user has is a Conflict on users.email and writes nothing", body!(email_unique)),
        Rule::authjs_must(A, "authjs.users.create.core-id-unique", "§14.4", "declared to keep core's ids, create_user with an id another user has is a Conflict on users.id and writes nothing", body!(id_unique)).requires(CORE_IDS),
        Rule::authjs_should(A, "authjs.users.create.without-email", "§14.4; §15.1", "two users whose provider gave no address can both be created", body!(without_email)),
        Rule::authjs_must(A, "authjs.users.get.by-id", "§14.4; AJS#3", "get_user finds a user by id and gives none for an id nobody has", body!(get_by_id)),
        Rule::authjs_must(A, "authjs.users.get-by-email.found-and-missing", "§14.4; AJS#4", "get_user_by_email finds a user by address and gives none for an address nobody has", body!(get_by_email)),
        Rule::authjs_must(A, "authjs.users.get-by-email.declared-matching", "§14.4; §14.3", "get_user_by_email matches letter case exactly as declared: an address in other case is found only when declared case-insensitive", body!(declared_matching)),
        Rule::authjs_must(A, "authjs.users.update.returns-stored", "§14.4; AJS#7", "update_user of one field stores it and returns the stored user", body!(update_returns_stored)),
        Rule::authjs_must(A, "authjs.users.update.keeps-absent-fields", "§14.4; §15.3", "a partial update_user (core's e-mail sign-in sets only emailVerified) leaves every other field as it was", body!(keeps_absent)),
        Rule::authjs_must(A, "authjs.users.update.null-clears", "§14.4", "update_user with a field set to null clears that field and only that one", body!(null_clears)),
        Rule::authjs_must(A, "authjs.users.update.missing-is-not-found", "§14.4", "update_user of an id nobody has answers NotFound: neither a user nor nothing", body!(update_missing)),
        Rule::authjs_must(A, "authjs.users.update.missing-inserts-nothing", "§14.4", "update_user of an id nobody has writes nothing, whatever it answers", body!(update_missing_writes_nothing)),
        Rule::authjs_must(A, "authjs.users.update.email-conflict", "§14.4", "update_user to an address another user has is a Conflict on users.email and changes nothing; to its own or a free address, no Conflict", body!(update_conflict)),
        Rule::authjs_must(A, "authjs.users.delete.cascades", "§14.4; AJS#17", "delete_user removes the user with its sessions, accounts and authenticators, and nobody else's", body!(delete_cascades)).requires(needs(&[Method::DeleteUser])),
        Rule::authjs_must(A, "authjs.users.delete.missing-is-harmless", "§14.4", "delete_user of an id nobody has changes nothing (success or NotFound)", body!(delete_missing)).requires(needs(&[Method::DeleteUser])),
    ]
}

async fn stored_as_given(c: Ctx) -> RuleResult {
    let mut new = c.new_user();
    new.email_verified = Some(c.now());
    let created = c.adapter.create_user(new.clone()).await?;
    check!(!created.id.is_empty(), "create_user returned an empty id");
    let expected = c.as_stored(&new.clone().into_user(created.id.clone()));
    check_eq!(created, expected, "create_user's return");
    let stored = c.stored().await?;
    check_eq!(stored.users, vec![expected], "the stored users");
    Ok(())
}

async fn keeps_core_id(c: Ctx) -> RuleResult {
    let new = c.new_user();
    let created = c.adapter.create_user(new.clone()).await?;
    check_eq!(Some(created.id.clone()), new.id, "the user's id");
    check!(
        c.stored().await?.user(&created.id).is_some(),
        "no stored user has core's id {:?}",
        created.id
    );
    Ok(())
}

async fn issues_id(c: Ctx) -> RuleResult {
    let first = c
        .adapter
        .create_user(NewUser {
            id: None,
            ..c.new_user()
        })
        .await?;
    let second = c
        .adapter
        .create_user(NewUser {
            id: None,
            ..c.new_user()
        })
        .await?;
    check!(
        !first.id.is_empty() && !second.id.is_empty(),
        "an issued id is empty"
    );
    check!(
        first.id != second.id,
        "two users were issued the same id {:?}",
        first.id
    );
    let stored = c.stored().await?;
    check!(
        stored.user(&first.id).is_some() && stored.user(&second.id).is_some(),
        "the issued ids are not the stored ones"
    );
    Ok(())
}

async fn email_unique(c: Ctx) -> RuleResult {
    let first = c.user().await?;
    let before = c.stored().await?;
    let dup = NewUser {
        email: first.email.clone(),
        ..c.new_user()
    };
    let result = c.adapter.create_user(dup).await;
    c.refused(
        result,
        Refusal::Conflict(UniqueKey::UserEmail),
        &before,
        "create_user",
    )
    .await?;
    Ok(())
}

async fn id_unique(c: Ctx) -> RuleResult {
    let first = c.user().await?;
    let before = c.stored().await?;
    let dup = NewUser {
        id: Some(first.id.clone()),
        ..c.new_user()
    };
    let result = c.adapter.create_user(dup).await;
    c.refused(
        result,
        Refusal::Conflict(UniqueKey::UserId),
        &before,
        "create_user",
    )
    .await?;
    Ok(())
}

async fn without_email(c: Ctx) -> RuleResult {
    let a = c
        .adapter
        .create_user(NewUser {
            email: None,
            ..c.new_user()
        })
        .await?;
    let b = c
        .adapter
        .create_user(NewUser {
            email: None,
            ..c.new_user()
        })
        .await?;
    check_eq!(a.email, None, "the first user's address");
    check_eq!(b.email, None, "the second user's address");
    check_eq!(
        c.stored().await?.users.len(),
        2,
        "the number of stored users"
    );
    Ok(())
}

async fn get_by_id(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    check_eq!(
        c.adapter.get_user(&c.unknown_user_id(&user.id)).await?,
        None,
        "get_user of an unknown id"
    );
    check_eq!(
        c.adapter.get_user(&user.id).await?,
        Some(user.clone()),
        "get_user"
    );
    Ok(())
}

async fn get_by_email(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let email = user.email.clone().unwrap_or_default();
    check_eq!(
        c.adapter.get_user_by_email("non-existent-email").await?,
        None,
        "get_user_by_email of an unknown address"
    );
    check_eq!(
        c.adapter.get_user_by_email(&email).await?,
        Some(user),
        "get_user_by_email"
    );
    Ok(())
}

async fn declared_matching(c: Ctx) -> RuleResult {
    let user = c
        .adapter
        .create_user(NewUser {
            email: Some("Mixed.Case@Example.com".to_owned()),
            ..c.new_user()
        })
        .await?;
    let found = c
        .adapter
        .get_user_by_email("mixed.case@example.com")
        .await?;
    match c.caps.email_matching {
        EmailMatching::Exact => check_eq!(
            found,
            None,
            "declared exact matching, get_user_by_email in other case"
        ),
        EmailMatching::CaseInsensitive | EmailMatching::MysqlGeneralCi => {
            check_eq!(
                found,
                Some(user),
                "declared case-insensitive, get_user_by_email in other case"
            )
        }
    }
    Ok(())
}

async fn update_returns_stored(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let patch = UserPatch {
        name: Patch::Set("Updated Name".to_owned()),
        ..UserPatch::of(&user.id)
    };
    let returned = c.adapter.update_user(patch).await?;
    let stored = c.stored().await?.user(&user.id).cloned();
    // The write itself: lost when the stored user lacks the new name.
    check_eq!(
        stored.as_ref().and_then(|u| u.name.as_deref()),
        Some("Updated Name"),
        "the stored user's name"
    );
    // The write is stored: a return that differs from it is a return value, not lost data.
    returned_as_stored(
        &returned,
        stored.as_ref(),
        "update_user's return against the stored user",
    )
}

/// Fails with the return-values cause unless `returned` is `stored`: what the adapter kept is
/// judged apart (lost-writes), so a wrong return alone is a contract finding.
fn returned_as_stored(
    returned: &nextauth_adapter::authjs::User,
    stored: Option<&nextauth_adapter::authjs::User>,
    what: &str,
) -> RuleResult {
    if stored != Some(returned) {
        return Err(crate::rule::mismatch(
            what.to_owned(),
            &format!("{stored:?}"),
            &format!("{:?}", Some(returned)),
        )
        .or_because("return-values"));
    }
    Ok(())
}

async fn keeps_absent(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let verified = c.now();
    let patch = UserPatch {
        email_verified: Patch::Set(verified),
        ..UserPatch::of(&user.id)
    };
    let returned = c.adapter.update_user(patch).await?;
    let expected = c.as_stored(&nextauth_adapter::authjs::User {
        email_verified: Some(verified),
        ..user.clone()
    });
    // What is kept first (lost-writes), then what core is given back (return-values).
    let stored = c.stored().await?.user(&user.id).cloned();
    check_eq!(
        stored.clone(),
        Some(expected.clone()),
        "the stored user after setting only emailVerified"
    );
    returned_as_stored(
        &returned,
        stored.as_ref(),
        "update_user's return after setting only emailVerified",
    )
}

async fn null_clears(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let patch = UserPatch {
        image: Patch::Clear,
        ..UserPatch::of(&user.id)
    };
    let returned = c.adapter.update_user(patch).await?;
    let expected = nextauth_adapter::authjs::User {
        image: None,
        ..user.clone()
    };
    let stored = c.stored().await?.user(&user.id).cloned();
    check_eq!(
        stored.clone(),
        Some(expected.clone()),
        "the stored user after clearing the image"
    );
    returned_as_stored(
        &returned,
        stored.as_ref(),
        "update_user's return after clearing the image",
    )
}

/// An update of an id nobody has: the patch, and the store before it.
async fn missing_patch(c: &Ctx) -> Result<(UserPatch, Stored), Failure> {
    let user = c.user().await?;
    let before = c.stored().await?;
    let patch = UserPatch {
        name: Patch::Set("Ghost".to_owned()),
        email: Patch::Set("ghost@example.com".to_owned()),
        ..UserPatch::of(c.unknown_user_id(&user.id))
    };
    Ok((patch, before))
}

async fn update_missing(c: Ctx) -> RuleResult {
    let (patch, _) = missing_patch(&c).await?;
    match c.adapter.update_user(patch).await {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Failure::new(format!(
            "update_user of an unknown id: expected NotFound, got {e}"
        ))),
        Ok(u) => Err(Failure::new(format!(
            "update_user of an unknown id: expected NotFound, it returned {u:?}"
        ))),
    }
}

async fn update_missing_writes_nothing(c: Ctx) -> RuleResult {
    let (patch, before) = missing_patch(&c).await?;
    let _ = c.adapter.update_user(patch).await;
    c.unchanged(&before, "update_user of an unknown id").await
}

async fn update_conflict(c: Ctx) -> RuleResult {
    let a = c.user().await?;
    let b = c.user().await?;
    let before = c.stored().await?;
    let patch = UserPatch {
        email: match &a.email {
            Some(e) => Patch::Set(e.clone()),
            None => Patch::Keep,
        },
        name: Patch::Set("Taken".to_owned()),
        ..UserPatch::of(&b.id)
    };
    let result = c.adapter.update_user(patch).await;
    c.refused(
        result,
        Refusal::Conflict(UniqueKey::UserEmail),
        &before,
        "update_user",
    )
    .await?;
    // The unique key is about other users: a user keeping its own address, or taking one
    // nobody has, is no Conflict (a check that counts the user itself refuses both).
    for (address, what) in [
        (b.email.clone(), "update_user to the user's own address"),
        (
            Some(format!("free-{}@example.com", c.next_n())),
            "update_user to a free address",
        ),
    ] {
        let Some(address) = address else { continue };
        let patch = UserPatch {
            email: Patch::Set(address.clone()),
            ..UserPatch::of(&b.id)
        };
        let updated = c
            .adapter
            .update_user(patch)
            .await
            .map_err(|e| Failure::new(format!("{what}: expected success, got {e}")))?;
        check_eq!(updated.email, Some(address), "{what}: the returned address");
    }
    Ok(())
}

async fn delete_cascades(c: Ctx) -> RuleResult {
    let gone = c.user().await?;
    let kept = c.user().await?;
    for user in [&gone, &kept] {
        c.session(user).await?;
        c.account(user, "github").await?;
        if c.caps.implements(Method::CreateAuthenticator) {
            c.authenticator(user).await?;
        }
    }
    c.adapter.delete_user(&gone.id).await?;
    let s = c.stored().await?;
    check!(
        s.user(&gone.id).is_none(),
        "the deleted user is still stored"
    );
    check!(
        !s.sessions.iter().any(|x| x.user_id == gone.id),
        "the deleted user's sessions are still stored"
    );
    check!(
        !s.accounts.iter().any(|x| x.user_id == gone.id),
        "the deleted user's accounts are still stored"
    );
    check!(
        !s.authenticators.iter().any(|x| x.user_id == gone.id),
        "the deleted user's authenticators are still stored"
    );
    check!(s.user(&kept.id).is_some(), "the other user was deleted too");
    check!(
        s.sessions.iter().any(|x| x.user_id == kept.id),
        "the other user's session was deleted"
    );
    check!(
        s.accounts.iter().any(|x| x.user_id == kept.id),
        "the other user's account was deleted"
    );
    check_eq!(
        c.adapter.get_user(&gone.id).await?,
        None,
        "get_user after delete_user"
    );
    Ok(())
}

async fn delete_missing(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    c.session(&user).await?;
    let before = c.stored().await?;
    let result = c.adapter.delete_user(&c.unknown_user_id(&user.id)).await;
    c.harmless(result, &before, "delete_user of an unknown id")
        .await?;
    Ok(())
}
