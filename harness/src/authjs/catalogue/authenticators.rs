//! WebAuthn authenticators: stored, found by credential id, listed by user, counted.

use crate::authjs::Ctx;
use crate::authjs::context::Refusal;
use crate::catalogue::body;
use crate::rule::{Area, Failure, Rule, RuleResult};
use crate::{check, check_eq};
use nextauth_adapter::authjs::Authenticator;
use nextauth_adapter::{ErrorKind, Method, UniqueKey};

pub(super) fn rules() -> Vec<Rule> {
    const A: Area = Area::Authenticators;
    let needs = super::needs(&[
        Method::LinkAccount,
        Method::CreateAuthenticator,
        Method::GetAuthenticator,
        Method::ListAuthenticatorsByUserId,
        Method::UpdateAuthenticatorCounter,
    ]);
    vec![
        Rule::authjs_must(A, "authjs.authenticators.create.stored-as-given", "§14.8; AJS#19", "create_authenticator stores every field as given and returns it", body!(stored_as_given)).requires(needs),
        Rule::authjs_must(A, "authjs.authenticators.get.found-and-missing", "§14.8; AJS#20", "get_authenticator finds a credential by id and gives none for an unknown id", body!(get)).requires(needs),
        Rule::authjs_must(A, "authjs.authenticators.list.exactly-the-users", "§14.8; AJS#21", "list_authenticators_by_user_id gives exactly the user's credentials, and an empty list for an unknown user", body!(list)).requires(needs),
        Rule::authjs_must(A, "authjs.authenticators.counter.updated", "§14.8; AJS#22", "update_authenticator_counter stores the new counter, keeps every other field, and is NotFound for an unknown credential", body!(counter)).requires(needs),
        Rule::authjs_must(A, "authjs.authenticators.create.credential-unique", "§14.8; §15.9", "create_authenticator with a credential id another has is a Conflict and writes nothing", body!(credential_unique)).requires(needs),
    ]
}

async fn stored_as_given(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let authenticator = c.new_authenticator(&user);
    c.adapter
        .link_account(c.webauthn_account(&authenticator))
        .await?;
    let returned = c
        .adapter
        .create_authenticator(authenticator.clone())
        .await?;
    check_eq!(returned, authenticator, "create_authenticator's return");
    check_eq!(
        c.stored().await?.authenticators,
        vec![authenticator],
        "the stored authenticators"
    );
    Ok(())
}

async fn get(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let authenticator = c.authenticator(&user).await?;
    check_eq!(
        c.adapter.get_authenticator("invalid-credential-id").await?,
        None,
        "get_authenticator of an unknown id"
    );
    check_eq!(
        c.adapter
            .get_authenticator(&authenticator.credential_id)
            .await?,
        Some(authenticator),
        "get_authenticator"
    );
    Ok(())
}

fn sorted(mut list: Vec<Authenticator>) -> Vec<Authenticator> {
    list.sort_by(|a, b| a.credential_id.cmp(&b.credential_id));
    list
}

async fn list(c: Ctx) -> RuleResult {
    let ann = c.user().await?;
    let bob = c.user().await?;
    let a1 = c.authenticator(&ann).await?;
    let a2 = c.authenticator(&ann).await?;
    let b1 = c.authenticator(&bob).await?;
    check_eq!(
        c.adapter
            .list_authenticators_by_user_id("invalid-user-id")
            .await?,
        vec![],
        "the list of an unknown user"
    );
    check_eq!(
        sorted(c.adapter.list_authenticators_by_user_id(&ann.id).await?),
        sorted(vec![a1, a2]),
        "the first user's list"
    );
    check_eq!(
        c.adapter.list_authenticators_by_user_id(&bob.id).await?,
        vec![b1],
        "the second user's list"
    );
    Ok(())
}

async fn counter(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let authenticator = c.authenticator(&user).await?;
    let other = c.authenticator(&user).await?;
    match c
        .adapter
        .update_authenticator_counter("invalid-credential-id", 5)
        .await
    {
        Err(e) => check!(
            e.kind() == ErrorKind::NotFound,
            "expected NotFound, got {e}"
        ),
        Ok(a) => {
            return Err(Failure::new(format!(
                "updating an unknown credential returned {a:?}"
            )));
        }
    }
    let counter = authenticator.counter + 41;
    let updated = c
        .adapter
        .update_authenticator_counter(&authenticator.credential_id, counter)
        .await?;
    let expected = Authenticator {
        counter,
        ..authenticator
    };
    check_eq!(updated, expected, "update_authenticator_counter's return");
    check_eq!(
        sorted(c.stored().await?.authenticators),
        sorted(vec![expected, other]),
        "the stored authenticators"
    );
    Ok(())
}

async fn credential_unique(c: Ctx) -> RuleResult {
    let ann = c.user().await?;
    let bob = c.user().await?;
    let authenticator = c.authenticator(&ann).await?;
    let before = c.stored().await?;
    let again = Authenticator {
        user_id: bob.id.clone(),
        ..authenticator
    };
    let result = c.adapter.create_authenticator(again).await;
    c.refused(
        result,
        Refusal::Conflict(UniqueKey::AuthenticatorCredentialId),
        &before,
        "create_authenticator",
    )
    .await?;
    Ok(())
}
