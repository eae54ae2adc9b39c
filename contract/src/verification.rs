//! The e-mail provider as the adapter sees it: its id, how long its links live, and the
//! `sendVerificationRequest` callback the adapter calls after storing a request.

use async_trait::async_trait;
use chrono::Duration;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::{Arc, Mutex};

/// What `sendVerificationRequest` receives (contract-v3 §3.13): the address, the sign-in
/// link, the *raw* token, the application's base URL and the provider's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationMessage {
    /// The e-mail address to send to.
    pub identifier: String,
    /// The sign-in link.
    pub url: String,
    /// The raw token; only its hash is stored.
    pub token: String,
    /// `appOptions.baseUrl`.
    pub base_url: String,
    /// The provider's id, e.g. `"email"`.
    pub provider_id: String,
}

/// A sender's failure; the adapter wraps it in [`AdapterError::Delivery`](crate::AdapterError).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SendError(pub String);

/// The provider's `sendVerificationRequest`: delivers the sign-in link.
#[async_trait]
pub trait VerificationSender: Send + Sync + fmt::Debug {
    /// Delivers one message. Called exactly once per stored request, after the row is stored.
    async fn send(&self, message: VerificationMessage) -> Result<(), SendError>;
}

/// An e-mail provider's settings that the adapter reads.
#[derive(Debug, Clone)]
pub struct EmailProvider {
    /// The provider's id, e.g. `"email"`.
    pub id: String,
    /// How long a sign-in link is valid (`provider.maxAge`; v3's default is 24 hours).
    /// Must be positive: v3 stores no expiry otherwise, which its schema refuses.
    pub max_age: Duration,
    /// Delivers the link.
    pub sender: Arc<dyn VerificationSender>,
}

impl EmailProvider {
    /// v3's default link lifetime: 24 hours.
    pub const DEFAULT_MAX_AGE_SECS: i64 = 24 * 60 * 60;

    /// A provider with id `"email"`, v3's default lifetime, and the given sender.
    pub fn new(sender: Arc<dyn VerificationSender>) -> Self {
        EmailProvider {
            id: "email".to_owned(),
            max_age: Duration::seconds(Self::DEFAULT_MAX_AGE_SECS),
            sender,
        }
    }
}

/// A sender that keeps every message in memory instead of mailing it: for development
/// servers that show the link instead of sending it, and for tests that need the raw token.
#[derive(Debug, Clone, Default)]
pub struct RecordingSender {
    sent: Arc<Mutex<Vec<VerificationMessage>>>,
    fail_with: Option<String>,
}

impl RecordingSender {
    /// A sender that records and succeeds.
    pub fn new() -> Self {
        RecordingSender::default()
    }

    /// A sender that records and then fails with `reason`, like a mail server that is down.
    pub fn failing(reason: impl Into<String>) -> Self {
        RecordingSender {
            sent: Arc::default(),
            fail_with: Some(reason.into()),
        }
    }

    /// Every message received so far, oldest first.
    pub fn sent(&self) -> Vec<VerificationMessage> {
        self.lock().clone()
    }

    /// The most recent message, if any.
    pub fn last(&self) -> Option<VerificationMessage> {
        self.lock().last().cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<VerificationMessage>> {
        self.sent.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl VerificationSender for RecordingSender {
    async fn send(&self, message: VerificationMessage) -> Result<(), SendError> {
        self.lock().push(message);
        match &self.fail_with {
            Some(reason) => Err(SendError(reason.clone())),
            None => Ok(()),
        }
    }
}
