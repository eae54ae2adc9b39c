//! The user methods: create, the three lookups, update, delete.

use super::ids::parse_id;
use super::sql_adapter::SqlAdapter;
use super::store::{SqlStore, UserValues};
use nextauth_adapter::limits::Field;
use nextauth_adapter::{
    AdapterError, DeleteUserSupport, Entity, Method, NewUser, Result, UniqueKey, User, formulas,
};

impl<S: SqlStore> SqlAdapter<S> {
    pub(super) async fn create_user_impl(&self, profile: NewUser) -> Result<User> {
        const M: Method = Method::CreateUser;
        self.check_opt(M, Field::UserName, profile.name.as_deref())?;
        self.check_opt(M, Field::UserEmail, profile.email.as_deref())?;
        self.check_opt(M, Field::UserImage, profile.image.as_deref())?;
        let now = self.stored(self.now());
        self.in_range(M, "created_at", now)?;
        let values = UserValues {
            name: profile.name,
            email: profile.email,
            // v3 stores its own "now", not the value passed.
            email_verified: profile.email_verified.map(|_| now),
            image: profile.image,
        };
        let user = self
            .store
            .insert_user(&values, now)
            .await
            .map_err(|e| self.write_error(M, e, &[UniqueKey::UserEmail]))?;
        tracing::debug!(backend = self.store.backend(), user_id = %user.id, "created user");
        Ok(user)
    }

    pub(super) async fn get_user_impl(&self, id: &str) -> Result<Option<User>> {
        let Some(id) = parse_id(id) else {
            return Ok(None);
        };
        self.store
            .select_user(id)
            .await
            .map_err(|e| self.backend_error(Method::GetUser, e))
    }

    pub(super) async fn get_user_by_email_impl(&self, email: Option<&str>) -> Result<Option<User>> {
        let Some(email) = email.filter(|e| !e.is_empty()) else {
            return Ok(None);
        };
        let found = self
            .store
            .select_user_by_email(email)
            .await
            .map_err(|e| self.backend_error(Method::GetUserByEmail, e))?;
        // The collation may match more loosely than the contract (MySQL's PAD SPACE ignores
        // trailing spaces): keep only a match under the declared matching.
        let matching = self.caps().email_matching;
        Ok(found.filter(|u| u.email.as_deref().is_some_and(|e| matching.same(e, email))))
    }

    pub(super) async fn get_user_by_provider_account_id_impl(
        &self,
        provider_id: &str,
        provider_account_id: &str,
    ) -> Result<Option<User>> {
        let compound_id = formulas::compound_id(provider_id, provider_account_id);
        self.store
            .select_user_by_compound_id(&compound_id)
            .await
            .map_err(|e| self.backend_error(Method::GetUserByProviderAccountId, e))
    }

    pub(super) async fn update_user_impl(&self, user: &User) -> Result<User> {
        const M: Method = Method::UpdateUser;
        self.check_opt(M, Field::UserName, user.name.as_deref())?;
        self.check_opt(M, Field::UserEmail, user.email.as_deref())?;
        self.check_opt(M, Field::UserImage, user.image.as_deref())?;
        let now = self.stored(self.now());
        let email_verified = user.email_verified.map(|t| self.stored(t));
        if let Some(t) = email_verified {
            self.in_range(M, "email_verified", t)?;
        }
        self.in_range(M, "updated_at", now)?;
        let not_found = || AdapterError::NotFound {
            method: M,
            entity: Entity::User,
            id: user.id.clone(),
        };
        let id = parse_id(&user.id).ok_or_else(not_found)?;
        let values = UserValues {
            name: user.name.clone(),
            email: user.email.clone(),
            email_verified,
            image: user.image.clone(),
        };
        // An UPDATE of a missing row changes nothing and so cannot conflict: NotFound wins
        // over Conflict, as the contract orders them.
        self.store
            .update_user(id, &values, now)
            .await
            .map_err(|e| self.write_error(M, e, &[UniqueKey::UserEmail]))?
            .ok_or_else(not_found)
    }

    pub(super) async fn delete_user_impl(&self, user_id: &str) -> Result<()> {
        const M: Method = Method::DeleteUser;
        let cascade = match self.caps().delete_user {
            DeleteUserSupport::Unsupported => return Err(AdapterError::Unsupported { method: M }),
            DeleteUserSupport::UserOnly => false,
            DeleteUserSupport::Cascade => true,
        };
        let Some(id) = parse_id(user_id) else {
            return Ok(());
        };
        self.store
            .delete_user(id, cascade)
            .await
            .map_err(|e| self.backend_error(M, e))?;
        tracing::debug!(
            backend = self.store.backend(),
            user_id,
            cascade,
            "deleted user"
        );
        Ok(())
    }
}
