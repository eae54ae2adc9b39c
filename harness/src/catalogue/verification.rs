//! Rules for `create_verification_request`, `get_verification_request` and
//! `delete_verification_request`.

use super::body;
use crate::context::{Ctx, SECRET};
use crate::rule::{Area, Failure, Requires, Rule, RuleResult};
use crate::{check, check_eq};
use chrono::Duration;
use nextauth_adapter::{
    EmailProvider, ErrorKind, RecordingSender, UniqueKey, VerificationConsumption, formulas,
};
use std::sync::Arc;

pub(super) fn rules() -> Vec<Rule> {
    const A: Area = Area::Verification;
    vec![
        Rule::must(
            A,
            "verification.create.stores-hash",
            "§3.13; §4; AJS#13",
            "the stored token is sha256_hex(token + secret)",
            body!(create_stores_hash),
        ),
        Rule::must(
            A,
            "verification.create.every-field-stored",
            "§3.13; §2",
            "the stored request has the identifier, the hashed token and expires = now + max_age, as returned",
            body!(create_every_field_stored),
        ),
        Rule::must(
            A,
            "verification.create.expires-after-max-age",
            "§3.13; §4",
            "expires is now + the provider's max_age",
            body!(create_expires),
        ),
        Rule::must(
            A,
            "verification.create.sends-once",
            "§3.13; AJS#13",
            "the provider's sender is called exactly once per request",
            body!(create_sends_once),
        ),
        Rule::must(
            A,
            "verification.create.message",
            "§3.13; §4",
            "the sender gets the identifier, the url, the raw token, the base url and the provider",
            body!(create_message),
        ),
        Rule::must(
            A,
            "verification.create.send-failure-is-error",
            "§3.13; §6 EmailSignin; G22",
            "a failing sender makes create_verification_request fail with Delivery",
            body!(create_send_failure),
        ),
        Rule::must(
            A,
            "verification.create.uses-secret-argument",
            "§3.13; G3",
            "the hash uses the secret passed in, not another secret",
            body!(create_uses_secret),
        ),
        Rule::must(
            A,
            "verification.create.token-unique-globally",
            "§2; G16",
            "the same hashed token for another identifier is a Conflict on verification_requests.token",
            body!(create_unique),
        ),
        Rule::must(
            A,
            "verification.create.several-pending",
            "§3.13",
            "earlier pending requests of an identifier stay valid",
            body!(create_several),
        ),
        Rule::should(
            A,
            "verification.create.non-positive-max-age-refused",
            "§3.13 (null expires)",
            "a provider max_age of zero is InvalidInput and stores nothing",
            body!(create_zero_max_age),
        ),
        Rule::must(
            A,
            "verification.get.valid",
            "§3.14; AJS#14",
            "the right identifier, token and secret find the request",
            body!(get_valid),
        ),
        Rule::must(
            A,
            "verification.get.wrong-token",
            "§3.14; AJS#14",
            "the right identifier with another token gives none",
            body!(get_wrong_token),
        ),
        Rule::must(
            A,
            "verification.get.wrong-identifier",
            "§3.14; G4; next-auth#5377; AJS#14",
            "a valid token with another identifier gives none (sign-in as someone else)",
            body!(get_wrong_identifier),
        ),
        Rule::must(
            A,
            "verification.get.wrong-secret",
            "§3.14; G3",
            "the right token hashed with another secret gives none",
            body!(get_wrong_secret),
        ),
        Rule::must(
            A,
            "verification.get.valid-at-expiry",
            "§3.14",
            "a request whose expiry equals now is still valid (strict >)",
            body!(get_at_expiry),
        ),
        Rule::must(
            A,
            "verification.get.expired-is-none",
            "§3.14; G6",
            "one clock step past its expiry (1 µs at microsecond precision) a request gives none",
            body!(get_expired),
        ),
        Rule::must(
            A,
            "verification.get.expired-row-deleted",
            "§3.14",
            "reading an expired request deletes it",
            body!(get_expired_deleted),
        ),
        Rule::must(
            A,
            "verification.get.consumption-as-declared",
            "§3.14; G5; cap:verification-consumption",
            "a second get finds the request or not, as the adapter declares",
            body!(get_consumption_as_declared),
        ),
        Rule::must(
            A,
            "verification.get.single-use",
            "G5; H7; cap:verification-consumption",
            "declared consumed on get, a request can be redeemed once: get removes it",
            body!(get_single_use),
        )
        .requires(Requires::VerificationConsumedOnGet),
        Rule::must(
            A,
            "verification.delete.removes",
            "§3.15; AJS#14",
            "delete_verification_request removes the request",
            body!(delete_removes),
        ),
        Rule::must(
            A,
            "verification.delete.missing-is-noop",
            "§3.15; G14",
            "deleting a missing request succeeds and changes nothing",
            body!(delete_missing),
        ),
        Rule::must(
            A,
            "verification.delete.wrong-identifier-kept",
            "§3.15; G4",
            "a delete with another identifier leaves the request",
            body!(delete_wrong_identifier),
        ),
        Rule::must(
            A,
            "verification.delete.identifier-case-as-declared",
            "§3.15; G1",
            "a delete whose identifier differs in case removes the request exactly when the declared e-mail matching equates the two",
            body!(delete_identifier_case),
        ),
        Rule::must(
            A,
            "verification.delete.others-untouched",
            "H1",
            "deleting one request leaves the other requests",
            body!(delete_others),
        ),
    ]
}

async fn create_stores_hash(c: Ctx) -> RuleResult {
    let (token, returned) = c.verification("info@example.com").await?;
    let stored = c.stored().await?.verification_requests;
    check_eq!(stored.len(), 1, "requests stored");
    check_eq!(
        stored[0].token,
        formulas::hash_token(&token, SECRET),
        "stored token"
    );
    check_eq!(
        stored[0].identifier,
        "info@example.com",
        "stored identifier"
    );
    check_eq!(returned.token, stored[0].token, "returned token");
    Ok(())
}

async fn create_every_field_stored(c: Ctx) -> RuleResult {
    c.advance(Duration::milliseconds(654));
    let (token, returned) = c.verification("fields@example.com").await?;
    let stored = c.stored().await?.verification_requests;
    check_eq!(stored.len(), 1, "requests stored");
    let v = &stored[0];
    check_eq!(v.identifier, "fields@example.com", "stored identifier");
    check_eq!(
        v.token,
        formulas::hash_token(&token, SECRET),
        "stored token"
    );
    c.check_instant(v.expires, c.now() + c.provider.max_age, "stored expires")?;
    check_eq!(*v, returned, "the stored request against the returned one");
    Ok(())
}

async fn create_expires(c: Ctx) -> RuleResult {
    let (_, r) = c.verification("info@example.com").await?;
    c.check_instant(r.expires, c.now() + c.provider.max_age, "expires")
}

async fn create_sends_once(c: Ctx) -> RuleResult {
    c.verification("a@example.com").await?;
    c.verification("b@example.com").await?;
    let sent = c.sender.sent();
    check_eq!(sent.len(), 2, "messages sent for two requests");
    check_eq!(
        sent[0].identifier,
        "a@example.com",
        "first message's identifier"
    );
    check_eq!(
        sent[1].identifier,
        "b@example.com",
        "second message's identifier"
    );
    Ok(())
}

async fn create_message(c: Ctx) -> RuleResult {
    let token = "000000000000";
    c.note_raw_token(token);
    let url = formulas::verification_url(
        &c.config.base_url,
        "/api/auth",
        "email",
        "info@example.com",
        token,
    );
    c.adapter
        .create_verification_request("info@example.com", &url, token, "VERY SECRET", &c.provider)
        .await?;
    let m = c
        .sender
        .last()
        .ok_or_else(|| Failure::new("no message was sent"))?;
    check_eq!(m.identifier, "info@example.com", "identifier");
    check_eq!(m.url, url, "url");
    check_eq!(m.token, token, "token (raw)");
    check_eq!(m.base_url, c.config.base_url, "base_url");
    check_eq!(m.provider_id, c.provider.id, "provider");
    let stored = c.stored().await?.verification_requests;
    check_eq!(
        stored.first().map(|v| v.token.clone()),
        Some("0d1b7624f92755c96328b4a06b9dfdb21f003261be253506f512fa2a7f195341".to_owned()),
        "stored hash (basic-tests vector)"
    );
    Ok(())
}

async fn create_send_failure(c: Ctx) -> RuleResult {
    let failing = EmailProvider {
        sender: Arc::new(RecordingSender::failing("smtp down")),
        ..c.provider.clone()
    };
    match c
        .adapter
        .create_verification_request("x@example.com", "http://l/x", "tok", SECRET, &failing)
        .await
    {
        Err(e) if e.kind() == ErrorKind::Delivery => Ok(()),
        other => Err(Failure::new(format!(
            "a failing sender gave {other:?}, expected a Delivery error"
        ))),
    }
}

async fn create_uses_secret(c: Ctx) -> RuleResult {
    c.note_raw_token("1111111111111111");
    c.adapter
        .create_verification_request(
            "x@example.com",
            "http://l/x",
            "1111111111111111",
            "VERY SECRET",
            &c.provider,
        )
        .await?;
    let stored = c.stored().await?.verification_requests;
    check_eq!(
        stored.first().map(|v| v.token.clone()),
        Some("3dffce82fc48a5e94309c88fd981d24749a5886bf43fb7518c066c93b7f3dd5a".to_owned()),
        "hash of the token with the secret argument"
    );
    Ok(())
}

async fn create_unique(c: Ctx) -> RuleResult {
    c.note_raw_token("123456");
    c.adapter
        .create_verification_request("a@example.com", "http://l/a", "123456", SECRET, &c.provider)
        .await?;
    match c
        .adapter
        .create_verification_request("b@example.com", "http://l/b", "123456", SECRET, &c.provider)
        .await
    {
        Err(e) => check_eq!(
            e.conflict_key(),
            Some(UniqueKey::VerificationToken),
            "error ({e}) key"
        ),
        Ok(_) => {
            return Err(Failure::new(
                "two requests with one hashed token were stored",
            ));
        }
    }
    check_eq!(
        c.stored().await?.verification_requests.len(),
        1,
        "requests stored"
    );
    Ok(())
}

async fn create_several(c: Ctx) -> RuleResult {
    let (t1, _) = c.verification("info@example.com").await?;
    let (t2, _) = c.verification("info@example.com").await?;
    for t in [&t1, &t2] {
        let got = c
            .adapter
            .get_verification_request("info@example.com", t, SECRET, &c.provider)
            .await?;
        check!(
            got.is_some(),
            "a pending request of the same identifier was invalidated"
        );
    }
    Ok(())
}

async fn create_zero_max_age(c: Ctx) -> RuleResult {
    let zero = EmailProvider {
        max_age: Duration::zero(),
        ..c.provider.clone()
    };
    match c
        .adapter
        .create_verification_request("x@example.com", "http://l/x", "tok", SECRET, &zero)
        .await
    {
        Err(e) if e.kind() == ErrorKind::InvalidInput => {}
        other => {
            return Err(Failure::new(format!(
                "max_age 0 gave {other:?}, expected InvalidInput"
            )));
        }
    }
    check_eq!(
        c.stored().await?.verification_requests.len(),
        0,
        "requests stored"
    );
    Ok(())
}

async fn get_valid(c: Ctx) -> RuleResult {
    let (token, created) = c.verification("info@example.com").await?;
    let got = c
        .adapter
        .get_verification_request("info@example.com", &token, SECRET, &c.provider)
        .await?;
    let got = got.ok_or_else(|| Failure::new("a valid request was not found"))?;
    check_eq!(got.identifier, "info@example.com", "identifier");
    if got.token == token {
        return Err(
            Failure::new("the request found carries the raw token, not its hash")
                .because("raw-token"),
        );
    }
    check_eq!(
        got.token,
        formulas::hash_token(&token, SECRET),
        "token (hashed)"
    );
    c.check_instant(got.expires, created.expires, "expires")
}

async fn get_wrong_token(c: Ctx) -> RuleResult {
    c.verification("info@example.com").await?;
    check_eq!(
        c.adapter
            .get_verification_request(
                "info@example.com",
                &formulas::random_token(),
                SECRET,
                &c.provider
            )
            .await?,
        None,
        "another token"
    );
    Ok(())
}

async fn get_wrong_identifier(c: Ctx) -> RuleResult {
    let (token, _) = c.verification("victim@example.com").await?;
    c.verification("attacker@example.com").await?;
    check_eq!(
        c.adapter
            .get_verification_request("attacker@example.com", &token, SECRET, &c.provider)
            .await?,
        None,
        "the victim's token with the attacker's identifier"
    );
    Ok(())
}

async fn get_wrong_secret(c: Ctx) -> RuleResult {
    let (token, _) = c.verification("info@example.com").await?;
    let found = c
        .adapter
        .get_verification_request("info@example.com", &token, "another secret", &c.provider)
        .await?;
    if let Some(v) = &found
        && v.token == token
    {
        return Err(Failure::new(
            "the token with another secret found the request, whose stored token is the raw token: the lookup compares raw tokens",
        )
        .because("raw-token"));
    }
    check_eq!(found, None, "the token with another secret");
    Ok(())
}

async fn get_at_expiry(c: Ctx) -> RuleResult {
    let (token, r) = c.verification("info@example.com").await?;
    c.set_now(r.expires);
    let got = c
        .adapter
        .get_verification_request("info@example.com", &token, SECRET, &c.provider)
        .await?;
    check!(
        got.is_some(),
        "a request at exactly its expiry was not found"
    );
    Ok(())
}

async fn get_expired(c: Ctx) -> RuleResult {
    let (token, r) = c.verification("info@example.com").await?;
    c.set_now(r.expires + c.tick());
    check_eq!(
        c.adapter
            .get_verification_request("info@example.com", &token, SECRET, &c.provider)
            .await?,
        None,
        "a request one clock step past its expiry"
    );
    Ok(())
}

async fn get_expired_deleted(c: Ctx) -> RuleResult {
    let (token, r) = c.verification("info@example.com").await?;
    let (_, live) = c.verification("other@example.com").await?;
    c.set_now(r.expires + Duration::seconds(1));
    c.adapter
        .get_verification_request("info@example.com", &token, SECRET, &c.provider)
        .await?;
    let stored = c.stored().await?.verification_requests;
    check!(
        stored.iter().all(|v| v.token != r.token),
        "the expired request is still stored after reading it"
    );
    check!(
        stored.iter().any(|v| v.token == live.token),
        "another request was deleted with the expired one"
    );
    Ok(())
}

async fn get_consumption_as_declared(c: Ctx) -> RuleResult {
    let (token, _) = c.verification("info@example.com").await?;
    let first = c
        .adapter
        .get_verification_request("info@example.com", &token, SECRET, &c.provider)
        .await?;
    check!(first.is_some(), "the first get found nothing");
    let second = c
        .adapter
        .get_verification_request("info@example.com", &token, SECRET, &c.provider)
        .await?;
    match c.caps.verification_consumption {
        VerificationConsumption::OnGet => {
            check_eq!(second, None, "declared consumed on get: the second get")
        }
        VerificationConsumption::OnDelete => check!(
            second.is_some(),
            "declared consumed on delete: the second get found nothing"
        ),
    }
    Ok(())
}

async fn get_single_use(c: Ctx) -> RuleResult {
    let (token, _) = c.verification("info@example.com").await?;
    c.adapter
        .get_verification_request("info@example.com", &token, SECRET, &c.provider)
        .await?;
    check_eq!(
        c.adapter
            .get_verification_request("info@example.com", &token, SECRET, &c.provider)
            .await?,
        None,
        "a redeemed request"
    );
    check_eq!(
        c.stored().await?.verification_requests.len(),
        0,
        "requests stored after redemption"
    );
    Ok(())
}

async fn delete_removes(c: Ctx) -> RuleResult {
    let (token, _) = c.verification("info@example.com").await?;
    c.adapter
        .delete_verification_request("info@example.com", &token, SECRET, &c.provider)
        .await?;
    check_eq!(
        c.stored().await?.verification_requests.len(),
        0,
        "requests stored after delete"
    );
    check_eq!(
        c.adapter
            .get_verification_request("info@example.com", &token, SECRET, &c.provider)
            .await?,
        None,
        "get after delete"
    );
    Ok(())
}

async fn delete_missing(c: Ctx) -> RuleResult {
    c.verification("info@example.com").await?;
    let before = c.stored().await?;
    c.adapter
        .delete_verification_request(
            "info@example.com",
            &formulas::random_token(),
            SECRET,
            &c.provider,
        )
        .await
        .map_err(|e| Failure::new(format!("deleting a missing request failed: {e}")))?;
    check_eq!(
        c.stored().await?,
        before,
        "storage after deleting a missing request"
    );
    Ok(())
}

async fn delete_wrong_identifier(c: Ctx) -> RuleResult {
    let (token, r) = c.verification("victim@example.com").await?;
    c.adapter
        .delete_verification_request("attacker@example.com", &token, SECRET, &c.provider)
        .await?;
    let stored = c.stored().await?.verification_requests;
    check_eq!(
        stored.iter().map(|v| v.token.clone()).collect::<Vec<_>>(),
        vec![r.token],
        "requests after a delete with another identifier"
    );
    Ok(())
}

async fn delete_identifier_case(c: Ctx) -> RuleResult {
    let (token, r) = c.verification("ada@example.com").await?;
    c.adapter
        .delete_verification_request("Ada@Example.com", &token, SECRET, &c.provider)
        .await?;
    let left: Vec<String> = c
        .stored()
        .await?
        .verification_requests
        .into_iter()
        .map(|v| v.token)
        .collect();
    let matching = c.caps.email_matching;
    let expected = if matching.same("ada@example.com", "Ada@Example.com") {
        Vec::new()
    } else {
        vec![r.token]
    };
    check_eq!(
        left,
        expected,
        "{matching:?} matching declared: the requests of ada@example.com after a delete as Ada@Example.com"
    );
    Ok(())
}

async fn delete_others(c: Ctx) -> RuleResult {
    let (t1, _) = c.verification("a@example.com").await?;
    let (_, r2) = c.verification("a@example.com").await?;
    let (_, r3) = c.verification("b@example.com").await?;
    c.adapter
        .delete_verification_request("a@example.com", &t1, SECRET, &c.provider)
        .await?;
    let mut left: Vec<String> = c
        .stored()
        .await?
        .verification_requests
        .into_iter()
        .map(|v| v.token)
        .collect();
    left.sort();
    let mut want = vec![r2.token, r3.token];
    want.sort();
    check_eq!(left, want, "requests left");
    Ok(())
}
