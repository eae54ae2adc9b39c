//! Raw reads of what an adapter stored, bypassing the adapter's own methods.

use async_trait::async_trait;
use nextauth_adapter::{Account, Session, User, VerificationRequest};
use nextauth_adapter_reference::ReferenceAdapter;

/// An error from an inspector's raw read.
pub type InspectError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything stored, as read by an [`Inspector`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stored {
    /// Rows of `users`.
    pub users: Vec<User>,
    /// Rows of `accounts`.
    pub accounts: Vec<Account>,
    /// Rows of `sessions`.
    pub sessions: Vec<Session>,
    /// Rows of `verification_requests`, with the token column as stored.
    pub verification_requests: Vec<VerificationRequest>,
}

impl Stored {
    /// The total number of rows in the four tables.
    pub fn row_count(&self) -> usize {
        self.users.len()
            + self.accounts.len()
            + self.sessions.len()
            + self.verification_requests.len()
    }
}

/// Reads an adapter's storage directly: a SQL backend selects from its tables, the reference
/// copies its maps. Rules use it to check that what a method returned is what was stored,
/// that a token is stored only as its hash, that an expired row is really gone.
///
/// An inspector must read the storage itself, never call the adapter: a helper that goes
/// through the adapter would let a broken adapter vouch for itself.
#[async_trait]
pub trait Inspector: Send + Sync {
    /// Every stored row of the adapter's namespace.
    async fn stored(&self) -> Result<Stored, InspectError>;

    /// The stored user with this id.
    async fn user(&self, id: &str) -> Result<Option<User>, InspectError> {
        Ok(self.stored().await?.users.into_iter().find(|u| u.id == id))
    }

    /// The stored session with this token.
    async fn session(&self, session_token: &str) -> Result<Option<Session>, InspectError> {
        Ok(self
            .stored()
            .await?
            .sessions
            .into_iter()
            .find(|s| s.session_token == session_token))
    }

    /// The stored account with this compound id.
    async fn account(&self, compound_id: &str) -> Result<Option<Account>, InspectError> {
        Ok(self
            .stored()
            .await?
            .accounts
            .into_iter()
            .find(|a| a.compound_id == compound_id))
    }

    /// The fault injector of this inspector's namespace, for the `fault.*` rules; `None` (the
    /// default) when the backend cannot inject faults ([`crate::faults`]).
    fn faults(&self) -> Option<std::sync::Arc<dyn crate::faults::FaultInjector>> {
        None
    }
}

#[async_trait]
impl Inspector for ReferenceAdapter {
    async fn stored(&self) -> Result<Stored, InspectError> {
        let s = self.snapshot();
        Ok(Stored {
            users: s.users,
            accounts: s.accounts,
            sessions: s.sessions,
            verification_requests: s.verification_requests,
        })
    }
}
