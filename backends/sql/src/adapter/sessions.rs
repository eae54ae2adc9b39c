//! The session methods: create, get (with expiry), the rolling update, delete.

use super::ids::parse_id;
use super::sql_adapter::SqlAdapter;
use super::store::{SessionValues, SqlStore};
use crate::dialect::Dialect;
use nextauth_adapter::{
    AdapterError, Entity, ExpiredSessionHandling, Method, Result, Session, UniqueKey, User,
    formulas,
};

impl<S: SqlStore> SqlAdapter<S> {
    pub(super) async fn create_session_impl(&self, user: &User) -> Result<Session> {
        const M: Method = Method::CreateSession;
        let user_id = self.user_key(M, "user.id", &user.id)?;
        let clock = self.now();
        let expires = self.stored(self.config.session.expires_from(clock));
        let now = self.stored(clock);
        self.in_range(M, "expires", expires)?;
        self.in_range(M, "created_at", now)?;
        self.user_exists(M, user_id, &user.id).await?;
        let values = SessionValues {
            user_id,
            expires,
            session_token: formulas::random_token(),
            access_token: formulas::random_token(),
        };
        self.store.insert_session(&values, now).await.map_err(|e| {
            self.write_error(
                M,
                e,
                &[UniqueKey::SessionToken, UniqueKey::SessionAccessToken],
            )
        })
    }

    pub(super) async fn get_session_impl(
        &self,
        session_token: Option<&str>,
    ) -> Result<Option<Session>> {
        const M: Method = Method::GetSession;
        let Some(token) = session_token.filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let now = self.now();
        // A case-insensitive collation (tables TypeORM made on MariaDB) would let the token in
        // another case find the session: keep only the exact token.
        let Some(session) = self
            .store
            .select_session(token)
            .await
            .map_err(|e| self.backend_error(M, e))?
            .filter(|s| s.session_token == token)
        else {
            return Ok(None);
        };
        if now <= session.expires {
            return Ok(Some(session));
        }
        if self.caps().expired_session == ExpiredSessionHandling::DeleteOnRead
            && let Some(id) = parse_id(&session.id)
        {
            self.store
                .delete_expired_session(id, now)
                .await
                .map_err(|e| self.backend_error(M, e))?;
            tracing::debug!(backend = self.store.backend(), session_id = %session.id, "deleted expired session on read");
        }
        Ok(None)
    }

    pub(super) async fn update_session_impl(
        &self,
        session: &mut Session,
        force: bool,
    ) -> Result<Option<Session>> {
        const M: Method = Method::UpdateSession;
        let now = self.now();
        let policy = self.config.session;
        let due = policy.is_update_due(session.expires, now);
        if !due && !force {
            return Ok(None);
        }
        let not_found = || AdapterError::NotFound {
            method: M,
            entity: Entity::Session,
            id: session.id.clone(),
        };
        let expires = due.then(|| self.stored(policy.expires_from(now)));
        if let Some(t) = expires {
            self.in_range(M, "expires", t)?;
        }
        let now = self.stored(now);
        self.in_range(M, "updated_at", now)?;
        let id = parse_id(&session.id).ok_or_else(not_found)?;
        if !self.exact_token_stored(M, &session.session_token).await? {
            return Err(not_found());
        }
        let stored = self
            .store
            .update_session(id, &session.session_token, expires, now)
            .await
            .map_err(|e| self.backend_error(M, e))?
            .ok_or_else(not_found)?;
        // v3 mutates its argument and core reads the new expiry from it.
        *session = stored.clone();
        Ok(Some(stored))
    }

    pub(super) async fn delete_session_impl(&self, session_token: Option<&str>) -> Result<()> {
        let Some(token) = session_token else {
            return Ok(());
        };
        if !self
            .exact_token_stored(Method::DeleteSession, token)
            .await?
        {
            return Ok(());
        }
        self.store
            .delete_session(token)
            .await
            .map_err(|e| self.backend_error(Method::DeleteSession, e))
    }

    /// Whether a session with exactly `token` is stored, where the server's `=` could match
    /// another spelling: MySQL's and SQL Server's `=` ignore trailing spaces whatever the
    /// collation, and a case-insensitive collation (the tables TypeORM made on MariaDB)
    /// ignores case too, so an `UPDATE` or `DELETE … WHERE session_token = ?` would reach the
    /// session of `"<token> "` or of the token in upper case. There the row is read first
    /// and compared here, byte for byte (the token is unique under the collation, so the
    /// statement then reaches that row alone); elsewhere `=` is exact and nothing is read.
    async fn exact_token_stored(&self, method: Method, token: &str) -> Result<bool> {
        if !matches!(self.store.dialect(), Dialect::MySql | Dialect::MsSql) {
            return Ok(true);
        }
        Ok(self
            .store
            .select_session(token)
            .await
            .map_err(|e| self.backend_error(method, e))?
            .is_some_and(|s| s.session_token == token))
    }
}
