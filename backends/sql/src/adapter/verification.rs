//! The verification-request methods: create (then send), get (with expiry and, when
//! declared, single use), delete.

use super::ids::parse_id;
use super::sql_adapter::SqlAdapter;
use super::store::{SqlStore, VerificationValues};
use nextauth_adapter::limits::Field;
use nextauth_adapter::{
    AdapterError, EmailProvider, Method, Result, UniqueKey, VerificationConsumption,
    VerificationMessage, VerificationRequest, formulas,
};

impl<S: SqlStore> SqlAdapter<S> {
    pub(super) async fn create_verification_request_impl(
        &self,
        identifier: &str,
        url: &str,
        token: &str,
        secret: &str,
        provider: &EmailProvider,
    ) -> Result<VerificationRequest> {
        const M: Method = Method::CreateVerificationRequest;
        self.check(M, Field::VerificationIdentifier, identifier)?;
        if provider.max_age <= chrono::Duration::zero() {
            return Err(AdapterError::invalid_input(
                M,
                "provider.max_age",
                format!("must be positive, got {}", provider.max_age),
            ));
        }
        let clock = self.now();
        let expires = self.stored(clock + provider.max_age);
        let now = self.stored(clock);
        self.in_range(M, "expires", expires)?;
        self.in_range(M, "created_at", now)?;
        let values = VerificationValues {
            identifier: identifier.to_owned(),
            token: formulas::hash_token(token, secret),
            expires,
        };
        let request = self
            .store
            .insert_verification(&values, now)
            .await
            .map_err(|e| self.write_error(M, e, &[UniqueKey::VerificationToken]))?;
        // Stored first; the row stays if sending fails (v3), and the sender is called once.
        let message = VerificationMessage {
            identifier: identifier.to_owned(),
            url: url.to_owned(),
            token: token.to_owned(),
            base_url: self.config.base_url.clone(),
            provider_id: provider.id.clone(),
        };
        provider.sender.send(message).await.map_err(|e| {
            tracing::warn!(backend = self.store.backend(), error = %e, "verification e-mail not sent; the request stays stored");
            AdapterError::Delivery {
                method: M,
                source: Box::new(e),
            }
        })?;
        Ok(request)
    }

    pub(super) async fn get_verification_request_impl(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
    ) -> Result<Option<VerificationRequest>> {
        const M: Method = Method::GetVerificationRequest;
        let hash = formulas::hash_token(token, secret);
        let now = self.now();
        let err = |e| self.backend_error(M, e);
        match self.caps().verification_consumption {
            VerificationConsumption::OnGet => {
                // Removed in one atomic step whether valid or expired: an expired request is
                // deleted anyway, a valid one is consumed by exactly one caller.
                let taken = self
                    .store
                    .consume_verification(&hash, identifier, self.caps().email_matching)
                    .await
                    .map_err(err)?;
                Ok(taken.filter(|v| now <= v.expires))
            }
            VerificationConsumption::OnDelete => {
                let matching = self.caps().email_matching;
                let Some(found) = self
                    .store
                    .select_verification(&hash)
                    .await
                    .map_err(err)?
                    .filter(|v| matching.same(&v.identifier, identifier))
                else {
                    return Ok(None);
                };
                if now <= found.expires {
                    return Ok(Some(found));
                }
                if let Some(id) = parse_id(&found.id) {
                    self.store
                        .delete_verification_by_id(id)
                        .await
                        .map_err(err)?;
                }
                Ok(None)
            }
        }
    }

    pub(super) async fn delete_verification_request_impl(
        &self,
        identifier: &str,
        token: &str,
        secret: &str,
    ) -> Result<()> {
        let hash = formulas::hash_token(token, secret);
        self.store
            .delete_verification(&hash, identifier, self.caps().email_matching)
            .await
            .map_err(|e| self.backend_error(Method::DeleteVerificationRequest, e))
    }
}
