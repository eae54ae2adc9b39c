//! Rules for `link_account`, `get_user_by_provider_account_id` and `unlink_account`.

use super::body;
use crate::context::Ctx;
use crate::rule::{Area, Failure, Requires, Rule, RuleResult};
use crate::{check, check_eq};
use nextauth_adapter::{ErrorKind, NewAccount, UniqueKey, UnlinkAccountSupport, formulas};

pub(super) fn rules() -> Vec<Rule> {
    const A: Area = Area::Accounts;
    vec![
        Rule::must(
            A,
            "account.link.returns-record",
            "§3.7; AJS#9",
            "link_account returns the account with the arguments' values",
            body!(link_returns_record),
        ),
        Rule::must(
            A,
            "account.link.every-field-stored",
            "§3.7; §2",
            "every field of a link with all tokens and a token expiry is stored as given, created_at and updated_at as returned",
            body!(link_every_field_stored),
        ),
        Rule::must(
            A,
            "account.link.compound-id",
            "§3.7; §4",
            "the stored compound id is sha256_hex(provider_id \":\" provider_account_id)",
            body!(link_compound_id),
        ),
        Rule::must(
            A,
            "account.link.persisted",
            "§3.7; AJS#9",
            "the returned account is what the inspector reads back",
            body!(link_persisted),
        ),
        Rule::must(
            A,
            "account.link.duplicate-conflict",
            "§2; §3.7; G8; G22",
            "linking an already linked provider account is a Conflict on accounts.compound_id",
            body!(link_duplicate),
        ),
        Rule::must(
            A,
            "account.link.duplicate-writes-nothing",
            "§2; H5",
            "a refused duplicate link leaves exactly the first account",
            body!(link_duplicate_writes_nothing),
        ),
        Rule::must(
            A,
            "account.link.same-id-other-provider",
            "§2",
            "the same provider account id at two providers is two accounts",
            body!(link_same_id_other_provider),
        ),
        Rule::must(
            A,
            "account.link.several-per-user",
            "H1",
            "a user can have accounts at several providers",
            body!(link_several_per_user),
        ),
        Rule::must(
            A,
            "account.link.absent-tokens",
            "§5.0; G18",
            "tokens and their expiry may be absent (OAuth1, v3's always-null expiry)",
            body!(link_absent_tokens),
        ),
        Rule::should(
            A,
            "account.link.missing-user-refused",
            "§2; §3.7; G8; H8",
            "link_account to a user nobody has (an id never issued, or a deleted user's) is NotFound on the user and writes no orphan account",
            body!(link_missing_user),
        ),
        Rule::must(
            A,
            "account.get-user.by-provider-account",
            "§3.4; AJS#10; G24 (#559, #626)",
            "get_user_by_provider_account_id returns the account's user",
            body!(get_user_by_account),
        ),
        Rule::must(
            A,
            "account.get-user.unknown",
            "§3.4; AJS#10",
            "an unknown provider account gives none",
            body!(get_user_unknown),
        ),
        Rule::must(
            A,
            "account.get-user.other-provider",
            "§3.4",
            "the right account id at the wrong provider gives none",
            body!(get_user_other_provider),
        ),
        Rule::must(
            A,
            "account.get-user.numeric-id-as-string",
            "§3.4; G10",
            "a numeric provider account id (GitHub) matches as its decimal string",
            body!(get_user_numeric_id),
        ),
        Rule::must(
            A,
            "account.get-user.orphan-is-none",
            "§3.4; G8; cap:delete-user",
            "an account whose user was deleted gives none, not an error",
            body!(get_user_orphan),
        )
        .requires(Requires::DeleteUserSupported),
        Rule::must(
            A,
            "account.unlink.as-declared",
            "§3.8; cap:unlink-account; AJS#16",
            "unlink_account does what the adapter declares: Unsupported error and no change, or the account removed, the user's other accounts and other users' accounts untouched, a missing account a no-op",
            body!(unlink_as_declared),
        ),
        Rule::must(
            A,
            "account.unlink.other-users-account-kept",
            "§3.8; cap:unlink-account; H1",
            "declared supported, unlink_account with another user's id leaves the account linked",
            body!(unlink_wrong_user),
        )
        .requires(Requires::UnlinkSupported),
        Rule::must(
            A,
            "account.unlink.exactly-the-named-account",
            "§3.8; cap:unlink-account; H1",
            "declared supported, unlink_account removes exactly the named account: the user's other accounts at the same and other providers, and other users' accounts, stay",
            body!(unlink_exactly),
        )
        .requires(Requires::UnlinkSupported),
        Rule::must(
            A,
            "account.unlink.later-reads-see-it",
            "§3.8; cap:unlink-account; H8",
            "after unlink_account, get_user_by_provider_account_id gives none even when it was read just before",
            body!(unlink_later_reads),
        )
        .requires(Requires::UnlinkSupported),
    ]
}

async fn link_returns_record(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let new = c.new_account(&u, "github");
    let a = c.adapter.link_account(new.clone()).await?;
    check!(!a.id.is_empty(), "the account has an empty id");
    check_eq!(a.user_id, new.user_id, "user_id");
    check_eq!(a.provider_id, new.provider_id, "provider_id");
    check_eq!(a.provider_type, new.provider_type, "provider_type");
    check_eq!(
        a.provider_account_id,
        new.provider_account_id,
        "provider_account_id"
    );
    check_eq!(a.refresh_token, new.refresh_token, "refresh_token");
    check_eq!(a.access_token, new.access_token, "access_token");
    check_eq!(a.access_token_expires, None, "access_token_expires");
    Ok(())
}

async fn link_every_field_stored(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    c.advance(chrono::Duration::milliseconds(777));
    let expires = c.stored_instant(c.now() + chrono::Duration::hours(1));
    let new = NewAccount {
        access_token_expires: Some(expires),
        ..c.new_account(&u, "github")
    };
    let a = c.adapter.link_account(new.clone()).await?;
    let stored = c
        .inspector
        .account(&a.compound_id)
        .await?
        .ok_or_else(|| Failure::new("the new account is not stored"))?;
    check_eq!(stored.user_id, new.user_id, "stored user_id");
    check_eq!(stored.provider_id, new.provider_id, "stored provider_id");
    check_eq!(
        stored.provider_type,
        new.provider_type,
        "stored provider_type"
    );
    check_eq!(
        stored.provider_account_id,
        new.provider_account_id,
        "stored provider_account_id"
    );
    check_eq!(
        stored.refresh_token,
        new.refresh_token,
        "stored refresh_token"
    );
    check_eq!(stored.access_token, new.access_token, "stored access_token");
    let stored_expiry = stored.access_token_expires.ok_or_else(|| {
        Failure::new("stored access_token_expires: expected the instant given, got none")
            .because("lost-writes")
    })?;
    c.check_instant(stored_expiry, expires, "stored access_token_expires")?;
    check_eq!(stored, a, "the stored account against the returned one");
    Ok(())
}

async fn link_compound_id(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let a = c
        .adapter
        .link_account(NewAccount {
            provider_id: "github".into(),
            provider_account_id: "12345".into(),
            ..c.new_account(&u, "github")
        })
        .await?;
    let stored = c.stored().await?.accounts;
    check_eq!(stored.len(), 1, "accounts stored");
    check_eq!(
        stored[0].compound_id,
        formulas::compound_id("github", "12345"),
        "stored compound_id"
    );
    check_eq!(a.compound_id, stored[0].compound_id, "returned compound_id");
    Ok(())
}

async fn link_persisted(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let a = c.account(&u, "github").await?;
    check_eq!(
        c.inspector.account(&a.compound_id).await?,
        Some(a),
        "the row the inspector reads"
    );
    Ok(())
}

async fn link_duplicate(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let other = c.user().await?;
    let first = c.account(&u, "github").await?;
    let again = NewAccount {
        user_id: other.id.clone(),
        provider_account_id: first.provider_account_id.clone(),
        ..c.new_account(&other, "github")
    };
    match c.adapter.link_account(again).await {
        Err(e) => check_eq!(
            e.conflict_key(),
            Some(UniqueKey::AccountCompoundId),
            "error ({e}) key"
        ),
        Ok(a) => {
            return Err(Failure::new(format!(
                "github account {} was linked twice (second id {})",
                first.provider_account_id, a.id
            )));
        }
    }
    Ok(())
}

async fn link_duplicate_writes_nothing(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let first = c.account(&u, "github").await?;
    let _ = c
        .adapter
        .link_account(NewAccount {
            provider_account_id: first.provider_account_id.clone(),
            access_token: Some("other".into()),
            ..c.new_account(&u, "github")
        })
        .await;
    check_eq!(
        c.stored().await?.accounts,
        vec![first],
        "accounts after the refused duplicate"
    );
    Ok(())
}

async fn link_same_id_other_provider(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let v = c.user().await?;
    c.adapter
        .link_account(NewAccount {
            provider_account_id: "42".into(),
            ..c.new_account(&u, "github")
        })
        .await?;
    c.adapter
        .link_account(NewAccount {
            provider_account_id: "42".into(),
            ..c.new_account(&v, "gitlab")
        })
        .await?;
    check_eq!(
        c.adapter
            .get_user_by_provider_account_id("github", "42")
            .await?
            .map(|x| x.id),
        Some(u.id.clone()),
        "github:42"
    );
    check_eq!(
        c.adapter
            .get_user_by_provider_account_id("gitlab", "42")
            .await?
            .map(|x| x.id),
        Some(v.id.clone()),
        "gitlab:42"
    );
    Ok(())
}

async fn link_several_per_user(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let a = c.account(&u, "github").await?;
    let b = c.account(&u, "google").await?;
    for acc in [&a, &b] {
        let got = c
            .adapter
            .get_user_by_provider_account_id(&acc.provider_id, &acc.provider_account_id)
            .await?;
        check_eq!(
            got.map(|x| x.id),
            Some(u.id.clone()),
            "user of {}:{}",
            acc.provider_id,
            acc.provider_account_id
        );
    }
    check_eq!(c.stored().await?.accounts.len(), 2, "accounts stored");
    Ok(())
}

async fn link_absent_tokens(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let a = c
        .adapter
        .link_account(NewAccount {
            refresh_token: None,
            access_token: None,
            access_token_expires: None,
            ..c.new_account(&u, "twitter")
        })
        .await?;
    let stored = c
        .inspector
        .account(&a.compound_id)
        .await?
        .ok_or_else(|| Failure::new("account not stored"))?;
    check_eq!(stored.refresh_token, None, "refresh_token");
    check_eq!(stored.access_token, None, "access_token");
    check_eq!(stored.access_token_expires, None, "access_token_expires");
    Ok(())
}

/// The ids of users nobody has, for a rule that wrote `u`: one never issued and, when
/// `delete_user` is supported, a user's that was deleted.
pub(super) async fn users_nobody_has(
    c: &Ctx,
    u: &nextauth_adapter::User,
) -> Result<Vec<String>, Failure> {
    let mut ids = vec![c.unknown_user_id(&u.id)];
    if c.caps.delete_user != nextauth_adapter::DeleteUserSupport::Unsupported {
        let gone = c.user().await?;
        c.adapter.delete_user(&gone.id).await?;
        ids.push(gone.id);
    }
    Ok(ids)
}

async fn link_missing_user(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    for id in users_nobody_has(&c, &u).await? {
        let before = c.stored().await?;
        let result = c
            .adapter
            .link_account(NewAccount {
                user_id: id.clone(),
                ..c.new_account(&u, "github")
            })
            .await;
        super::refused_for_missing_user(&c, result, &id, &before, "link_account").await?;
    }
    Ok(())
}

async fn get_user_by_account(c: Ctx) -> RuleResult {
    let _noise = c.user().await?;
    let u = c.user().await?;
    let a = c.account(&u, "github").await?;
    let got = c
        .adapter
        .get_user_by_provider_account_id("github", &a.provider_account_id)
        .await?;
    check_eq!(got, Some(u), "get_user_by_provider_account_id");
    Ok(())
}

async fn get_user_unknown(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    c.account(&u, "github").await?;
    check_eq!(
        c.adapter
            .get_user_by_provider_account_id("github", "no-such-account")
            .await?,
        None,
        "unknown account"
    );
    Ok(())
}

async fn get_user_other_provider(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let a = c.account(&u, "github").await?;
    check_eq!(
        c.adapter
            .get_user_by_provider_account_id("google", &a.provider_account_id)
            .await?,
        None,
        "the github account id looked up at google"
    );
    Ok(())
}

async fn get_user_numeric_id(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let id = 583231_u64.to_string();
    c.adapter
        .link_account(NewAccount {
            provider_account_id: id.clone(),
            ..c.new_account(&u, "github")
        })
        .await?;
    check_eq!(
        c.adapter
            .get_user_by_provider_account_id("github", "583231")
            .await?
            .map(|x| x.id),
        Some(u.id.clone()),
        "lookup by the numeric id's string"
    );
    check_eq!(
        c.adapter
            .get_user_by_provider_account_id("github", "0583231")
            .await?,
        None,
        "lookup with a leading zero"
    );
    Ok(())
}

async fn get_user_orphan(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let a = c.account(&u, "github").await?;
    c.adapter.delete_user(&u.id).await?;
    match c
        .adapter
        .get_user_by_provider_account_id("github", &a.provider_account_id)
        .await
    {
        Ok(None) => Ok(()),
        other => Err(Failure::new(format!(
            "the account of a deleted user gave {other:?}, expected none"
        ))),
    }
}

async fn unlink_as_declared(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let v = c.user().await?;
    let gone = c.account(&u, "github").await?;
    let kept = c.account(&u, "google").await?;
    let theirs = c.account(&v, "github").await?;
    let before = c.stored().await?;
    let result = c
        .adapter
        .unlink_account(&u.id, "github", &gone.provider_account_id)
        .await;
    if c.caps.unlink_account == UnlinkAccountSupport::Unsupported {
        match result {
            Err(e) if e.kind() == ErrorKind::Unsupported => {}
            other => {
                return Err(Failure::new(format!(
                    "declared unsupported, but unlink_account gave {other:?}"
                )));
            }
        }
        check_eq!(
            c.stored().await?,
            before,
            "storage after an unsupported unlink"
        );
        return Ok(());
    }
    result?;
    let mut accounts = c.stored().await?.accounts;
    accounts.sort_by(|a, b| a.compound_id.cmp(&b.compound_id));
    let mut want = vec![kept, theirs];
    want.sort_by(|a, b| a.compound_id.cmp(&b.compound_id));
    check_eq!(accounts, want, "accounts left after one unlink");
    check_eq!(
        c.adapter
            .get_user_by_provider_account_id("github", &gone.provider_account_id)
            .await?,
        None,
        "lookup after unlink"
    );
    let after = c.stored().await?;
    c.adapter
        .unlink_account(&u.id, "github", "no-such-account")
        .await
        .map_err(|e| Failure::new(format!("unlinking a missing account failed: {e}")))?;
    check_eq!(
        c.stored().await?,
        after,
        "storage after unlinking a missing account"
    );
    Ok(())
}

async fn unlink_wrong_user(c: Ctx) -> RuleResult {
    let owner = c.user().await?;
    let attacker = c.user().await?;
    let a = c.account(&owner, "github").await?;
    let _ = c
        .adapter
        .unlink_account(&attacker.id, "github", &a.provider_account_id)
        .await;
    check_eq!(
        c.inspector.account(&a.compound_id).await?,
        Some(a),
        "the owner's account after another user unlinked it"
    );
    Ok(())
}

async fn unlink_exactly(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let v = c.user().await?;
    let link = |user: &nextauth_adapter::User, provider: &str, id: &str| NewAccount {
        provider_account_id: id.to_owned(),
        ..c.new_account(user, provider)
    };
    let gone = c.adapter.link_account(link(&u, "github", "1001")).await?;
    let mut kept = vec![
        c.adapter.link_account(link(&u, "github", "1002")).await?,
        c.adapter.link_account(link(&u, "google", "1001")).await?,
        c.adapter.link_account(link(&v, "github", "1003")).await?,
        c.adapter.link_account(link(&v, "google", "1002")).await?,
    ];
    c.adapter.unlink_account(&u.id, "github", "1001").await?;
    let mut left = c.stored().await?.accounts;
    left.sort_by(|a, b| a.compound_id.cmp(&b.compound_id));
    kept.sort_by(|a, b| a.compound_id.cmp(&b.compound_id));
    check!(
        !left.contains(&gone),
        "the unlinked account github:1001 is still stored"
    );
    check_eq!(
        left,
        kept,
        "accounts left after unlinking github:1001 of one user"
    );
    Ok(())
}

async fn unlink_later_reads(c: Ctx) -> RuleResult {
    let u = c.user().await?;
    let a = c.account(&u, "github").await?;
    let b = c.account(&u, "google").await?;
    // Read first, so that a read-through cache holds the account.
    check!(
        c.adapter
            .get_user_by_provider_account_id("github", &a.provider_account_id)
            .await?
            .is_some(),
        "the lookup before unlinking found nothing"
    );
    c.adapter
        .unlink_account(&u.id, "github", &a.provider_account_id)
        .await?;
    check_eq!(
        c.adapter
            .get_user_by_provider_account_id("github", &a.provider_account_id)
            .await?,
        None,
        "get_user_by_provider_account_id after unlinking"
    );
    check_eq!(
        c.adapter
            .get_user_by_provider_account_id("google", &b.provider_account_id)
            .await?
            .map(|x| x.id),
        Some(u.id.clone()),
        "the user's other account after unlinking one"
    );
    Ok(())
}
