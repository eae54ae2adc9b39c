//! E-mail verification: `create_verification_request`, `get_verification_request` and
//! `delete_verification_request`: the hashed token, expiry boundaries, consumption, the
//! sender's call and its failure (contract-v3 §3.13–§3.15, §4, §10 G3–G5, G16).

mod common;

use async_trait::async_trait;
use chrono::Duration;
use common::*;
use nextauth_adapter::{
    Adapter, AdapterError, Capabilities, EmailProvider, ErrorKind, Method, RecordingSender,
    SendError, UniqueKey, VerificationConsumption, VerificationMessage, VerificationRequest,
    VerificationSender, formulas,
};
use nextauth_adapter_reference::ReferenceAdapter;
use std::sync::{Arc, Mutex};

const EMAIL: &str = "alice@example.com";
const TOKEN: &str = "000000000000";
/// `hash_token(TOKEN, SECRET)`, the basic-tests vector of contract-v3 §4.
const HASH: &str = "0d1b7624f92755c96328b4a06b9dfdb21f003261be253506f512fa2a7f195341";

fn link(token: &str) -> String {
    formulas::verification_url(BASE_URL, "/api/auth", "email", EMAIL, token)
}

fn on_delete() -> Capabilities {
    Capabilities {
        verification_consumption: VerificationConsumption::OnDelete,
        ..Capabilities::HARDENED
    }
}

async fn create(f: &Fixture, provider: &EmailProvider) -> VerificationRequest {
    f.adapter
        .create_verification_request(EMAIL, &link(TOKEN), TOKEN, SECRET, provider)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_stored_token_is_the_hash_and_never_the_raw_token() {
    let f = fixture();
    let (_, provider) = email_provider();
    let returned = create(&f, &provider).await;
    let expected = VerificationRequest {
        id: "1".to_owned(),
        identifier: EMAIL.to_owned(),
        token: HASH.to_owned(),
        expires: t0() + Duration::hours(24),
        created_at: t0(),
        updated_at: t0(),
    };
    assert_eq!(returned, expected);
    assert_eq!(returned.token, formulas::hash_token(TOKEN, SECRET));
    let stored = f.adapter.snapshot().verification_requests;
    assert_eq!(stored, vec![expected]);
    assert_ne!(stored[0].token, TOKEN);
    assert!(!format!("{stored:?}").contains(&format!("\"{TOKEN}\"")));
}

#[tokio::test]
async fn a_random_token_is_stored_hashed() {
    let f = fixture();
    let (_, provider) = email_provider();
    let token = formulas::random_token();
    f.adapter
        .create_verification_request(EMAIL, &link(&token), &token, SECRET, &provider)
        .await
        .unwrap();
    let stored = f.adapter.snapshot().verification_requests;
    assert_eq!(stored[0].token, formulas::hash_token(&token, SECRET));
    assert!(!format!("{stored:?}").contains(&token));
}

#[tokio::test]
async fn expires_follows_the_providers_max_age() {
    let f = fixture();
    f.at(Duration::seconds(1));
    let (_, mut provider) = email_provider();
    provider.max_age = Duration::minutes(10);
    let r = create(&f, &provider).await;
    assert_eq!(
        r.expires,
        t0() + Duration::seconds(1) + Duration::minutes(10)
    );
    assert_eq!(r.created_at, t0() + Duration::seconds(1));
}

#[tokio::test]
async fn the_sender_is_called_once_with_the_raw_token() {
    let f = fixture();
    let sender = RecordingSender::new();
    let provider = EmailProvider {
        id: "magic-link".to_owned(),
        max_age: Duration::hours(1),
        sender: Arc::new(sender.clone()),
    };
    let url = link(TOKEN);
    f.adapter
        .create_verification_request(EMAIL, &url, TOKEN, SECRET, &provider)
        .await
        .unwrap();
    assert_eq!(
        sender.sent(),
        vec![VerificationMessage {
            identifier: EMAIL.to_owned(),
            url,
            token: TOKEN.to_owned(),
            base_url: BASE_URL.to_owned(),
            provider_id: "magic-link".to_owned(),
        }]
    );
}

/// A sender that records what the adapter had stored at the moment it was called.
#[derive(Debug)]
struct InspectingSender {
    adapter: Arc<ReferenceAdapter>,
    seen: Mutex<Vec<(VerificationMessage, Vec<VerificationRequest>)>>,
}

#[async_trait]
impl VerificationSender for InspectingSender {
    async fn send(&self, message: VerificationMessage) -> Result<(), SendError> {
        let stored = self.adapter.snapshot().verification_requests;
        self.seen.lock().unwrap().push((message, stored));
        Ok(())
    }
}

#[tokio::test]
async fn the_sender_is_called_after_the_row_is_stored() {
    let f = fixture();
    let sender = Arc::new(InspectingSender {
        adapter: f.adapter.clone(),
        seen: Mutex::default(),
    });
    let provider = provider_with(sender.clone());
    let returned = create(&f, &provider).await;
    let seen = sender.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "called exactly once");
    let (message, stored_when_called) = &seen[0];
    assert_eq!(message.token, TOKEN);
    assert_eq!(stored_when_called, &vec![returned]);
}

#[tokio::test]
async fn a_failing_sender_is_a_delivery_error_and_the_row_stays() {
    let f = fixture();
    let sender = RecordingSender::failing("smtp: connection refused");
    let provider = provider_with(Arc::new(sender.clone()));
    let err = f
        .adapter
        .create_verification_request(EMAIL, &link(TOKEN), TOKEN, SECRET, &provider)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Delivery, "{err}");
    assert_eq!(err.method(), Method::CreateVerificationRequest);
    assert!(matches!(err, AdapterError::Delivery { .. }));
    assert!(
        err.to_string().contains("smtp: connection refused"),
        "{err}"
    );
    assert_eq!(sender.sent().len(), 1);
    let stored = f.adapter.snapshot().verification_requests;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].token, HASH);
    // The stored request is still redeemable: only the e-mail was lost.
    let (_, ok_provider) = email_provider();
    assert!(
        f.adapter
            .get_verification_request(EMAIL, TOKEN, SECRET, &ok_provider)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn get_returns_the_stored_request_for_the_right_identifier_token_and_secret() {
    let f = fixture_with(on_delete());
    let (_, provider) = email_provider();
    let created = create(&f, &provider).await;
    assert_eq!(
        f.adapter
            .get_verification_request(EMAIL, TOKEN, SECRET, &provider)
            .await
            .unwrap(),
        Some(created)
    );
}

#[tokio::test]
async fn wrong_token_identifier_or_secret_is_none_and_consumes_nothing() {
    // Under OnGet a wrong guess must not consume the real request.
    let f = fixture();
    let (_, provider) = email_provider();
    let created = create(&f, &provider).await;
    let attempts = [
        (EMAIL, "000000000001", SECRET),
        (EMAIL, HASH, SECRET),
        ("mallory@example.com", TOKEN, SECRET),
        ("Alice@example.com", TOKEN, SECRET),
        (EMAIL, TOKEN, "OTHER SECRET"),
        (EMAIL, TOKEN, ""),
        (EMAIL, "", SECRET),
    ];
    for (identifier, token, secret) in attempts {
        assert_eq!(
            f.adapter
                .get_verification_request(identifier, token, secret, &provider)
                .await
                .unwrap(),
            None,
            "{identifier} {token} {secret}"
        );
    }
    assert_eq!(
        f.adapter.snapshot().verification_requests,
        vec![created.clone()]
    );
    assert_eq!(
        f.adapter
            .get_verification_request(EMAIL, TOKEN, SECRET, &provider)
            .await
            .unwrap(),
        Some(created)
    );
}

#[tokio::test]
async fn a_request_expiring_exactly_now_is_valid() {
    for caps in [Capabilities::HARDENED, on_delete()] {
        let f = fixture_with(caps);
        let (_, provider) = email_provider();
        let created = create(&f, &provider).await;
        f.clock.set(created.expires);
        assert_eq!(
            f.adapter
                .get_verification_request(EMAIL, TOKEN, SECRET, &provider)
                .await
                .unwrap(),
            Some(created)
        );
    }
}

#[tokio::test]
async fn a_request_one_microsecond_past_expiry_is_none_and_deleted() {
    for caps in [Capabilities::HARDENED, on_delete()] {
        let f = fixture_with(caps);
        let (_, provider) = email_provider();
        let created = create(&f, &provider).await;
        let other = f
            .adapter
            .create_verification_request(EMAIL, &link("other"), "other", SECRET, &provider)
            .await
            .unwrap();
        assert_eq!(created.expires, t0() + Duration::hours(24));
        f.clock.set(created.expires + us1());
        assert_eq!(
            f.adapter
                .get_verification_request(EMAIL, TOKEN, SECRET, &provider)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            f.adapter.snapshot().verification_requests,
            vec![other],
            "{caps:?}"
        );
        // Stepping back does not bring it back.
        f.clock.set(t0());
        assert_eq!(
            f.adapter
                .get_verification_request(EMAIL, TOKEN, SECRET, &provider)
                .await
                .unwrap(),
            None
        );
    }
}

#[tokio::test]
async fn on_get_consumption_makes_the_second_get_none() {
    let f = fixture();
    assert_eq!(
        f.adapter.capabilities().verification_consumption,
        VerificationConsumption::OnGet
    );
    let (_, provider) = email_provider();
    let created = create(&f, &provider).await;
    assert_eq!(
        f.adapter
            .get_verification_request(EMAIL, TOKEN, SECRET, &provider)
            .await
            .unwrap(),
        Some(created)
    );
    assert!(f.adapter.snapshot().verification_requests.is_empty());
    assert_eq!(
        f.adapter
            .get_verification_request(EMAIL, TOKEN, SECRET, &provider)
            .await
            .unwrap(),
        None
    );
    // Core's delete after a consuming get is a harmless no-op.
    f.adapter
        .delete_verification_request(EMAIL, TOKEN, SECRET, &provider)
        .await
        .unwrap();
}

#[tokio::test]
async fn on_delete_consumption_keeps_the_row_until_deleted() {
    let f = fixture_with(on_delete());
    let (_, provider) = email_provider();
    let created = create(&f, &provider).await;
    for _ in 0..2 {
        assert_eq!(
            f.adapter
                .get_verification_request(EMAIL, TOKEN, SECRET, &provider)
                .await
                .unwrap(),
            Some(created.clone())
        );
    }
    assert_eq!(f.adapter.snapshot().verification_requests, vec![created]);
    f.adapter
        .delete_verification_request(EMAIL, TOKEN, SECRET, &provider)
        .await
        .unwrap();
    assert!(f.adapter.snapshot().verification_requests.is_empty());
    assert_eq!(
        f.adapter
            .get_verification_request(EMAIL, TOKEN, SECRET, &provider)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn delete_of_a_missing_request_is_ok_and_changes_nothing() {
    let f = fixture_with(on_delete());
    let (_, provider) = email_provider();
    f.adapter
        .delete_verification_request(EMAIL, TOKEN, SECRET, &provider)
        .await
        .unwrap();
    create(&f, &provider).await;
    let before = f.adapter.snapshot();
    for (identifier, token, secret) in [
        (EMAIL, "wrong", SECRET),
        ("bob@example.com", TOKEN, SECRET),
        (EMAIL, TOKEN, "wrong"),
    ] {
        f.adapter
            .delete_verification_request(identifier, token, secret, &provider)
            .await
            .unwrap();
        assert_eq!(f.adapter.snapshot(), before);
    }
}

#[tokio::test]
async fn the_token_hash_is_unique_globally_not_per_identifier() {
    let f = fixture();
    let (sender, provider) = email_provider();
    let first = create(&f, &provider).await;
    let err = f
        .adapter
        .create_verification_request("bob@example.com", &link(TOKEN), TOKEN, SECRET, &provider)
        .await
        .unwrap_err();
    assert_conflict(
        &err,
        Method::CreateVerificationRequest,
        UniqueKey::VerificationToken,
    );
    assert_eq!(f.adapter.snapshot().verification_requests, vec![first]);
    assert_eq!(sender.sent().len(), 1, "no e-mail for the refused request");
    // The same token under another secret hashes differently and is fine.
    let other = f
        .adapter
        .create_verification_request("bob@example.com", &link(TOKEN), TOKEN, "OTHER", &provider)
        .await
        .unwrap();
    assert_eq!(other.token, formulas::hash_token(TOKEN, "OTHER"));
}

#[tokio::test]
async fn earlier_requests_for_an_identifier_stay_valid() {
    let f = fixture_with(on_delete());
    let (_, provider) = email_provider();
    let a = create(&f, &provider).await;
    let b = f
        .adapter
        .create_verification_request(EMAIL, &link("second"), "second", SECRET, &provider)
        .await
        .unwrap();
    assert_eq!(
        f.adapter
            .get_verification_request(EMAIL, TOKEN, SECRET, &provider)
            .await
            .unwrap(),
        Some(a)
    );
    assert_eq!(
        f.adapter
            .get_verification_request(EMAIL, "second", SECRET, &provider)
            .await
            .unwrap(),
        Some(b)
    );
}

#[tokio::test]
async fn a_non_positive_max_age_is_invalid_input_and_stores_and_sends_nothing() {
    for max_age in [Duration::zero(), Duration::seconds(-1)] {
        let f = fixture();
        let (sender, mut provider) = email_provider();
        provider.max_age = max_age;
        let err = f
            .adapter
            .create_verification_request(EMAIL, &link(TOKEN), TOKEN, SECRET, &provider)
            .await
            .unwrap_err();
        assert_invalid(&err, Method::CreateVerificationRequest, "provider.max_age");
        assert!(f.adapter.snapshot().verification_requests.is_empty());
        assert!(sender.sent().is_empty());
    }
}
