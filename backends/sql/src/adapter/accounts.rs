//! The account methods: link and unlink.

use super::ids::{fits_user_id_column, parse_id};
use super::sql_adapter::SqlAdapter;
use super::store::{AccountValues, SqlStore};
use nextauth_adapter::limits::Field;
use nextauth_adapter::{
    Account, AdapterError, Entity, Method, NewAccount, Result, UniqueKey, UnlinkAccountSupport,
    formulas,
};

impl<S: SqlStore> SqlAdapter<S> {
    /// The integer a `user_id` argument is stored as, or `InvalidInput` naming `field`.
    pub(super) fn user_key(&self, method: Method, field: &str, id: &str) -> Result<i64> {
        let key = parse_id(id).ok_or_else(|| {
            AdapterError::invalid_input(
                method,
                field,
                format!("{id:?} is not an id this adapter issues"),
            )
        })?;
        if !fits_user_id_column(key) {
            return Err(AdapterError::invalid_input(
                method,
                field,
                format!("{id} does not fit the 32-bit user_id column"),
            ));
        }
        Ok(key)
    }

    /// `NotFound` on the user unless user `key` exists: the tables have no foreign key (v3's
    /// documented schemas have none, and the adapter also runs on those), so the adapter
    /// checks before it writes an account or a session, and writes no orphan. A user deleted
    /// between this read and the insert still leaves one (`delete_user` racing a sign-in,
    /// which v3 core never does: it never deletes users).
    pub(super) async fn user_exists(&self, method: Method, key: i64, id: &str) -> Result<()> {
        let found = self
            .store
            .select_user(key)
            .await
            .map_err(|e| self.backend_error(method, e))?;
        match found {
            Some(_) => Ok(()),
            None => Err(AdapterError::NotFound {
                method,
                entity: Entity::User,
                id: id.to_owned(),
            }),
        }
    }

    pub(super) async fn link_account_impl(&self, account: NewAccount) -> Result<Account> {
        const M: Method = Method::LinkAccount;
        self.check(M, Field::ProviderId, &account.provider_id)?;
        self.check(M, Field::ProviderType, &account.provider_type)?;
        self.check(M, Field::ProviderAccountId, &account.provider_account_id)?;
        self.check_opt(M, Field::RefreshToken, account.refresh_token.as_deref())?;
        self.check_opt(
            M,
            Field::AccountAccessToken,
            account.access_token.as_deref(),
        )?;
        let user_id = self.user_key(M, "user_id", &account.user_id)?;
        let now = self.stored(self.now());
        let access_token_expires = account.access_token_expires.map(|t| self.stored(t));
        if let Some(t) = access_token_expires {
            self.in_range(M, "access_token_expires", t)?;
        }
        self.in_range(M, "created_at", now)?;
        self.user_exists(M, user_id, &account.user_id).await?;
        let values = AccountValues {
            compound_id: formulas::compound_id(&account.provider_id, &account.provider_account_id),
            user_id,
            provider_type: account.provider_type,
            provider_id: account.provider_id,
            provider_account_id: account.provider_account_id,
            refresh_token: account.refresh_token,
            access_token: account.access_token,
            access_token_expires,
        };
        let stored = self
            .store
            .insert_account(&values, now)
            .await
            .map_err(|e| self.write_error(M, e, &[UniqueKey::AccountCompoundId]))?;
        tracing::debug!(backend = self.store.backend(), account_id = %stored.id, "linked account");
        Ok(stored)
    }

    pub(super) async fn unlink_account_impl(
        &self,
        user_id: &str,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<()> {
        const M: Method = Method::UnlinkAccount;
        if self.caps().unlink_account == UnlinkAccountSupport::Unsupported {
            return Err(AdapterError::Unsupported { method: M });
        }
        // A user id this adapter could not have issued owns no account.
        let Some(user_id) = parse_id(user_id) else {
            return Ok(());
        };
        let compound_id = formulas::compound_id(provider_id, provider_account_id);
        self.store
            .delete_account(&compound_id, user_id)
            .await
            .map_err(|e| self.backend_error(M, e))
    }
}
