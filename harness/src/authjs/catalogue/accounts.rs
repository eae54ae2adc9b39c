//! Linked accounts: keyed by `(provider, providerAccountId)`, looked up by that key, unlinked.

use super::needs;
use crate::authjs::Ctx;
use crate::authjs::context::Refusal;
use crate::catalogue::body;
use crate::check_eq;
use crate::rule::{Area, Rule, RuleResult};
use nextauth_adapter::authjs::{Account, AccountKey};
use nextauth_adapter::{Method, UniqueKey};

pub(super) fn rules() -> Vec<Rule> {
    const A: Area = Area::Accounts;
    vec![
        Rule::authjs_must(
            A,
            "authjs.accounts.link.stored-as-given",
            "§14.5; AJS#9",
            "link_account stores every field as given, and what it returns, if anything, is what it stored",
            body!(stored_as_given),
        ),
        Rule::authjs_must(
            A,
            "authjs.accounts.get-user-by-account.found-and-missing",
            "§14.5; AJS#10",
            "get_user_by_account finds the owner by (provider, providerAccountId) and gives none for a key nobody has",
            body!(get_user_by_account),
        ),
        Rule::authjs_must(
            A,
            "authjs.accounts.key-is-both-parts",
            "§14.5; §15.4",
            "one providerAccountId at two providers is two accounts; each key finds its own owner",
            body!(key_is_both_parts),
        ),
        Rule::authjs_must(
            A,
            "authjs.accounts.link.unique",
            "§14.5; §15.9",
            "linking a (provider, providerAccountId) that is already linked is a Conflict and writes nothing",
            body!(link_unique),
        ),
        Rule::authjs_should(
            A,
            "authjs.accounts.link.missing-user-refused",
            "§14.5",
            "link_account to a user nobody has is NotFound and leaves no orphan account",
            body!(missing_user_refused),
        ),
        Rule::authjs_must(
            A,
            "authjs.accounts.unlink.removes-that-account",
            "§14.5; AJS#16",
            "unlink_account removes that account and no other",
            body!(unlink_removes),
        )
        .requires(needs(&[Method::UnlinkAccount])),
        Rule::authjs_must(
            A,
            "authjs.accounts.unlink.missing-is-harmless",
            "§14.5",
            "unlink_account of a key nobody has changes nothing (success or NotFound)",
            body!(unlink_missing),
        )
        .requires(needs(&[Method::UnlinkAccount])),
        Rule::authjs_must(
            A,
            "authjs.accounts.get-account.by-both-parts",
            "§14.5; AJS#18",
            "get_account finds an account only by both its provider and its providerAccountId",
            body!(get_account),
        )
        .requires(needs(&[Method::GetAccount])),
    ]
}

async fn stored_as_given(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let account = c.new_account(&user, "github");
    let returned = c.adapter.link_account(account.clone()).await?;
    if let Some(returned) = returned {
        check_eq!(returned, account, "link_account's return");
    }
    check_eq!(
        c.stored().await?.accounts,
        vec![account],
        "the stored accounts"
    );
    Ok(())
}

async fn get_user_by_account(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let account = c.account(&user, "github").await?;
    let invalid = AccountKey::new("invalid-provider", "invalid-provider-account-id");
    check_eq!(
        c.adapter.get_user_by_account(&invalid).await?,
        None,
        "get_user_by_account of an unknown key"
    );
    check_eq!(
        c.adapter.get_user_by_account(&account.key()).await?,
        Some(user),
        "get_user_by_account"
    );
    Ok(())
}

async fn key_is_both_parts(c: Ctx) -> RuleResult {
    let ann = c.user().await?;
    let bob = c.user().await?;
    let at_github = Account {
        provider_account_id: "12345".to_owned(),
        ..c.new_account(&ann, "github")
    };
    let at_gitlab = Account {
        provider_account_id: "12345".to_owned(),
        ..c.new_account(&bob, "gitlab")
    };
    c.adapter.link_account(at_github.clone()).await?;
    c.adapter.link_account(at_gitlab.clone()).await?;
    check_eq!(
        c.adapter.get_user_by_account(&at_github.key()).await?,
        Some(ann),
        "the owner of github/12345"
    );
    check_eq!(
        c.adapter.get_user_by_account(&at_gitlab.key()).await?,
        Some(bob),
        "the owner of gitlab/12345"
    );
    check_eq!(
        c.adapter
            .get_user_by_account(&AccountKey::new("google", "12345"))
            .await?,
        None,
        "the owner of google/12345"
    );
    Ok(())
}

async fn link_unique(c: Ctx) -> RuleResult {
    let ann = c.user().await?;
    let bob = c.user().await?;
    let account = c.account(&ann, "github").await?;
    let before = c.stored().await?;
    let again = Account {
        user_id: bob.id.clone(),
        ..account.clone()
    };
    let result = c.adapter.link_account(again).await;
    c.refused(
        result,
        Refusal::Conflict(UniqueKey::AccountProvider),
        &before,
        "link_account",
    )
    .await?;
    Ok(())
}

async fn missing_user_refused(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let orphan = Account {
        user_id: c.unknown_user_id(&user.id),
        ..c.new_account(&user, "github")
    };
    let before = c.stored().await?;
    let result = c.adapter.link_account(orphan).await;
    c.refused(
        result,
        Refusal::NotFound,
        &before,
        "link_account to a user nobody has",
    )
    .await
}

async fn unlink_removes(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let github = c.account(&user, "github").await?;
    let gitlab = c.account(&user, "gitlab").await?;
    c.adapter.unlink_account(&github.key()).await?;
    check_eq!(
        c.stored().await?.accounts,
        vec![gitlab],
        "the accounts after unlinking github"
    );
    check_eq!(
        c.adapter.get_user_by_account(&github.key()).await?,
        None,
        "get_user_by_account after unlink_account"
    );
    Ok(())
}

async fn unlink_missing(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    c.account(&user, "github").await?;
    let before = c.stored().await?;
    let result = c
        .adapter
        .unlink_account(&AccountKey::new("github", "no-such-account"))
        .await;
    c.harmless(result, &before, "unlink_account of an unknown key")
        .await
}

async fn get_account(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let account = c.account(&user, "auth0").await?;
    let a = &c.adapter;
    check_eq!(
        a.get_account("invalid-provider-account-id", "invalid-provider")
            .await?,
        None,
        "get_account of an unknown key"
    );
    check_eq!(
        a.get_account(&account.provider_account_id, "invalid-provider")
            .await?,
        None,
        "get_account with another provider"
    );
    check_eq!(
        a.get_account("invalid-provider-account-id", "auth0")
            .await?,
        None,
        "get_account with another providerAccountId"
    );
    check_eq!(
        a.get_account(&account.provider_account_id, "auth0").await?,
        Some(account),
        "get_account"
    );
    Ok(())
}
