//! Keys, exactly as declared, on every axis (specification H13): for every value the adapter
//! looks rows up by or keeps unique, two spellings that differ only along one
//! [`Axis`](crate::axes::Axis) (case, a trailing or a leading blank, an accent, width, the
//! normal form) are different keys, unless the declaration says otherwise, and then the same
//! key, as declared: in lookups, and in the unique keys alike.
//!
//! Tokens, provider ids, provider account ids and verification tokens are always compared
//! exactly; e-mail addresses and verification identifiers as
//! [`EmailMatching::same`](nextauth_adapter::EmailMatching::same) decides.

use super::body;
use crate::axes::{Axis, variants};
use crate::context::{Ctx, SECRET};
use crate::rule::{Area, Failure, Rule, RuleResult};
use crate::{check, check_eq};
use nextauth_adapter::{
    AdapterError, ErrorKind, NewAccount, NewUser, Session, UnlinkAccountSupport, User, formulas,
};

pub(super) fn rules() -> Vec<Rule> {
    const A: Area = Area::Security;
    vec![
        Rule::must(
            A,
            "security.email.lookup-every-axis-as-declared",
            "§3.3; H13; G1; cap:email-matching",
            "get_user_by_email of an address differing from a stored one only in case, a trailing or a leading blank, an accent, width or normal form finds that user exactly when the declared e-mail matching holds the two one address, and nothing otherwise",
            body!(email_lookup),
        ),
        Rule::must(
            A,
            "security.email.unique-every-axis-as-declared",
            "§3.1; §3.5; H13; G1; cap:email-matching",
            "create_user and update_user with an address differing from another user's only in case, a trailing or a leading blank, an accent, width or normal form store it as given where the declared matching holds the two distinct, and are a Conflict writing nothing where it holds them one",
            body!(email_unique),
        ),
        Rule::must(
            A,
            "security.account.key-exact-on-every-axis",
            "§3.4; §3.7; §3.8; H13",
            "a provider id or provider account id differing from a linked one only in case, a blank, an accent, width or normal form finds no user and unlinks nothing, and links as a provider account of its own",
            body!(account_key),
        ),
        Rule::must(
            A,
            "security.session.token-exact-on-every-axis",
            "§3.10; §3.11; §3.12; H13",
            "a session token or access token differing from a session's token only in case, a blank, an accent or width opens no session, and update_session and delete_session with it leave the session as it was",
            body!(session_token),
        ),
        Rule::must(
            A,
            "security.verification.key-exact-on-every-axis",
            "§3.13; §3.14; §3.15; H13; cap:email-matching",
            "a verification identifier differing from a request's only along one axis redeems and deletes it exactly when the declared matching holds the two one address; a token differing only along one axis redeems and deletes nothing, and is stored as a request of its own",
            body!(verification_key),
        ),
    ]
}

/// An address with a precomposed accent, so that it varies along every axis.
fn address(c: &Ctx, what: &str) -> String {
    format!("jos\u{e9}.{what}{}@example.com", c.next_n())
}

async fn email_lookup(c: Ctx) -> RuleResult {
    let matching = c.caps.email_matching;
    for axis in Axis::ALL {
        let stored = address(&c, "lookup");
        let Some(probe) = axis.vary(&stored) else {
            continue;
        };
        let user = c.user_with_email(&stored).await?;
        let got = c.adapter.get_user_by_email(Some(&probe)).await?;
        if matching.same(&stored, &probe) {
            check_eq!(
                got.map(|u| u.id),
                Some(user.id.clone()),
                "declared {matching:?} matching holds {probe:?} ({axis}) and {stored:?} one address: get_user_by_email({probe:?})"
            );
        } else {
            check_eq!(
                got,
                None,
                "declared {matching:?} matching holds {probe:?} and {stored:?} apart ({axis}): get_user_by_email({probe:?})"
            );
        }
    }
    Ok(())
}

/// Judges a write of `written` beside another user's `taken`: as the declaration says, a user
/// stored with the address exactly as given, or a Conflict that wrote nothing.
async fn judge_unique_write(
    c: &Ctx,
    what: &str,
    axis: Axis,
    taken: &str,
    written: &str,
    result: nextauth_adapter::Result<User>,
    before: &crate::inspector::Stored,
) -> RuleResult {
    let matching = c.caps.email_matching;
    match (matching.same(taken, written), result) {
        (false, Ok(user)) => {
            let stored = c.inspector.user(&user.id).await?.and_then(|u| u.email);
            check_eq!(
                stored.as_deref(),
                Some(written),
                "{what} with {written:?} beside {taken:?} ({axis}): the stored address"
            );
            Ok(())
        }
        (false, Err(e)) => {
            let failure = Failure::new(format!(
                "declared {matching:?} matching holds {written:?} and {taken:?} apart ({axis}), but {what} with it was refused: {e}"
            ));
            // When get_user_by_email also takes the one for the other, lookups and the unique
            // key fold the axis alike (one collation): a caller that looks the address up
            // first, as core does, finds the stored user and never makes this write.
            let found = c.adapter.get_user_by_email(Some(written)).await?;
            if found.is_some_and(|u| u.email.as_deref() == Some(taken)) {
                Err(Failure::new(format!(
                    "{}; get_user_by_email({written:?}) finds the user of {taken:?} too: the lookup folds the axis as the unique key does",
                    failure.message
                ))
                .because("inexact-lookup"))
            } else {
                Err(failure)
            }
        }
        (true, Err(e)) if e.kind() == ErrorKind::Conflict => {
            let after = c.stored().await?;
            check_eq!(
                after.users,
                before.users,
                "{what} with {written:?} refused as a Conflict: the users after it"
            );
            Ok(())
        }
        (true, other) => Err(Failure::new(format!(
            "declared {matching:?} matching holds {written:?} and {taken:?} one address ({axis}), but {what} with it gave {other:?} instead of a Conflict"
        ))
        .because("duplicates")),
    }
}

async fn email_unique(c: Ctx) -> RuleResult {
    for axis in Axis::ALL {
        let taken = address(&c, "created");
        let Some(written) = axis.vary(&taken) else {
            continue;
        };
        c.user_with_email(&taken).await?;
        let before = c.stored().await?;
        let created = c
            .adapter
            .create_user(NewUser {
                email: Some(written.clone()),
                ..NewUser::default()
            })
            .await;
        judge_unique_write(&c, "create_user", axis, &taken, &written, created, &before).await?;

        let taken = address(&c, "updated");
        let written = axis.vary(&taken).unwrap_or_default();
        c.user_with_email(&taken).await?;
        let other = c.user().await?;
        let before = c.stored().await?;
        let updated = c
            .adapter
            .update_user(&User {
                email: Some(written.clone()),
                ..other.clone()
            })
            .await;
        judge_unique_write(&c, "update_user", axis, &taken, &written, updated, &before).await?;
    }
    Ok(())
}

/// The account `(provider_id, provider_account_id)` of `user`, linked.
fn account_of(c: &Ctx, user: &User, provider_id: &str, provider_account_id: &str) -> NewAccount {
    NewAccount {
        provider_id: provider_id.to_owned(),
        provider_account_id: provider_account_id.to_owned(),
        ..c.new_account(user, provider_id)
    }
}

async fn account_key(c: Ctx) -> RuleResult {
    let owner = c.user().await?;
    let other = c.user().await?;
    for axis in Axis::ALL {
        let provider = format!("c\u{e9}leste{}", c.next_n());
        let id = format!("Andr\u{e9}-{}", c.next_n());
        let (Some(provider_variant), Some(id_variant)) = (axis.vary(&provider), axis.vary(&id))
        else {
            continue;
        };
        c.adapter
            .link_account(account_of(&c, &owner, &provider, &id))
            .await?;
        let compound = formulas::compound_id(&provider, &id);
        for (p, i) in [(&provider, &id_variant), (&provider_variant, &id)] {
            check_eq!(
                c.adapter.get_user_by_provider_account_id(p, i).await?,
                None,
                "({provider:?}, {id:?}) linked; get_user_by_provider_account_id({p:?}, {i:?}), differing in {axis}"
            );
            if c.caps.unlink_account == UnlinkAccountSupport::Supported {
                c.adapter.unlink_account(&owner.id, p, i).await?;
                check!(
                    c.inspector.account(&compound).await?.is_some(),
                    "unlink_account({p:?}, {i:?}), differing from the linked ({provider:?}, {id:?}) in {axis}, removed it"
                );
            }
        }
        for (p, i) in [(&provider, &id_variant), (&provider_variant, &id)] {
            let linked = c
                .adapter
                .link_account(account_of(&c, &other, p, i))
                .await
                .map_err(|e| {
                    Failure::new(format!(
                        "link_account({p:?}, {i:?}) beside ({provider:?}, {id:?}), differing in {axis}, was refused: {e}"
                    ))
                })?;
            let stored = c.inspector.account(&linked.compound_id).await?;
            check_eq!(
                stored.map(|a| (a.provider_id, a.provider_account_id, a.compound_id)),
                Some((p.clone(), i.clone(), formulas::compound_id(p, i))),
                "the account ({p:?}, {i:?}) linked beside ({provider:?}, {id:?}), as stored"
            );
            check_eq!(
                c.adapter
                    .get_user_by_provider_account_id(p, i)
                    .await?
                    .map(|u| u.id),
                Some(other.id.clone()),
                "get_user_by_provider_account_id({p:?}, {i:?}) once both are linked"
            );
        }
        check_eq!(
            c.adapter
                .get_user_by_provider_account_id(&provider, &id)
                .await?
                .map(|u| u.id),
            Some(owner.id.clone()),
            "get_user_by_provider_account_id({provider:?}, {id:?}) once its {axis} variants are linked"
        );
    }
    Ok(())
}

async fn session_token(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let session = c.session(&user).await?;
    let token = session.session_token.clone();
    let mut probes = variants(&token);
    probes.extend(variants(&session.access_token));
    probes.push((Axis::Case, session.access_token.to_lowercase()));
    for (axis, probe) in &probes {
        check_eq!(
            c.adapter.get_session(Some(probe)).await?,
            None,
            "get_session({probe:?}), a session's token or access token differing in {axis}"
        );
    }
    let before = c.inspector.session(&token).await?;
    // A write that reached the session would move its updated_at, and past the due time its
    // expiry.
    c.advance(c.config.session.update_age() + chrono::Duration::seconds(1));
    // First a token that is no session's at all, with the session's id: an adapter that
    // updates by id alone (v3's TypeORM `save`, Prisma's `update({where: {id}})`) changes the
    // session here, whatever a variant would do; that is not a lookup folding an axis.
    let unrelated = formulas::random_token();
    if let Some(s) = update_with_token(&c, &session, &unrelated).await? {
        return Err(Failure::new(format!(
            "update_session of session {:?} with the token {unrelated:?}, which is no session's, updated the session {token:?}: the update is keyed by the session's id alone, not by its token: {s:?}",
            session.id
        ))
        .because("collateral"));
    }
    for (axis, probe) in variants(&token) {
        if let Some(s) = update_with_token(&c, &session, &probe).await? {
            return Err(Failure::new(format!(
                "update_session with the token {probe:?}, differing from {token:?} in {axis}, updated a session: {s:?}"
            )));
        }
        c.adapter.delete_session(Some(&probe)).await?;
        check_eq!(
            c.inspector.session(&token).await?,
            before,
            "the session {token:?} after update_session and delete_session with {probe:?} ({axis})"
        );
    }
    Ok(())
}

/// `update_session` (forced) of `session` passed with `token` instead of its own: the session
/// it updated, if any (`NotFound` and `None` both mean none).
async fn update_with_token(
    c: &Ctx,
    session: &Session,
    token: &str,
) -> Result<Option<Session>, Failure> {
    let mut other = Session {
        session_token: token.to_owned(),
        ..session.clone()
    };
    match c.adapter.update_session(&mut other, true).await {
        Ok(None) | Err(AdapterError::NotFound { .. }) => Ok(None),
        Ok(Some(s)) => Ok(Some(s)),
        Err(e) => Err(e.into()),
    }
}

/// A raw verification token with a precomposed accent, so that it varies along every axis.
fn raw_token() -> String {
    format!("Jet\u{e9}-{}", formulas::random_token())
}

/// Stores a request for `identifier` with the raw token `token`.
async fn request(c: &Ctx, identifier: &str, token: &str) -> Result<(), Failure> {
    c.note_raw_token(token);
    let url = formulas::verification_url(
        &c.config.base_url,
        "/api/auth",
        &c.provider.id,
        identifier,
        token,
    );
    c.adapter
        .create_verification_request(identifier, &url, token, SECRET, &c.provider)
        .await?;
    Ok(())
}

/// Whether the request whose raw token is `token` is stored.
async fn stored_request(c: &Ctx, token: &str) -> Result<bool, Failure> {
    let hash = formulas::hash_token(token, SECRET);
    Ok(c.stored()
        .await?
        .verification_requests
        .iter()
        .any(|v| v.token == hash))
}

async fn verification_key(c: Ctx) -> RuleResult {
    let matching = c.caps.email_matching;
    let p = c.provider.clone();
    for axis in Axis::ALL {
        let identifier = address(&c, "link");
        if let Some(probe) = axis.vary(&identifier) {
            let same = matching.same(&identifier, &probe);
            let token = raw_token();
            request(&c, &identifier, &token).await?;
            let got = c
                .adapter
                .get_verification_request(&probe, &token, SECRET, &p)
                .await?;
            check_eq!(
                got.is_some(),
                same,
                "declared {matching:?} matching; a request for {identifier:?}, redeemed as {probe:?} ({axis}): found"
            );
            let token = raw_token();
            request(&c, &identifier, &token).await?;
            c.adapter
                .delete_verification_request(&probe, &token, SECRET, &p)
                .await?;
            check_eq!(
                stored_request(&c, &token).await?,
                !same,
                "declared {matching:?} matching; a request for {identifier:?} after a delete as {probe:?} ({axis}): kept"
            );
        }
        let token = raw_token();
        let Some(probe) = axis.vary(&token) else {
            continue;
        };
        request(&c, &identifier, &token).await?;
        check_eq!(
            c.adapter
                .get_verification_request(&identifier, &probe, SECRET, &p)
                .await?,
            None,
            "a request with the token {token:?}, redeemed with {probe:?} ({axis})"
        );
        c.adapter
            .delete_verification_request(&identifier, &probe, SECRET, &p)
            .await?;
        check!(
            stored_request(&c, &token).await?,
            "a request with the token {token:?} was removed by a delete with {probe:?} ({axis})"
        );
        request(&c, &identifier, &probe).await.map_err(|f| {
            Failure::new(format!(
                "a request with the token {probe:?} beside one with {token:?} ({axis}) was refused: {f}"
            ))
        })?;
        check!(
            stored_request(&c, &probe).await? && stored_request(&c, &token).await?,
            "requests with the tokens {token:?} and {probe:?} ({axis}): both stored by their hashes"
        );
    }
    Ok(())
}
