//! The raw floors' SQL, one text per step, shared by both drivers of a server (and, for the
//! session read, by the server's own load tool in `limit`): the least each flow needs, with
//! the same columns our adapter reads and writes.

/// PostgreSQL (`$n` placeholders).
pub mod pg {
    /// A session by its token: the full row.
    pub const SESSION_BY_TOKEN: &str = "SELECT id, user_id, expires, session_token, access_token, created_at, updated_at \
         FROM sessions WHERE session_token = $1";
    /// A user by id: the full row.
    pub const USER_BY_ID: &str = "SELECT id, name, email, email_verified, image, created_at, updated_at \
         FROM users WHERE id = $1";
    /// The user behind an account, by the account's compound id: one join.
    pub const USER_BY_ACCOUNT: &str = "SELECT u.id, u.name, u.email, u.email_verified, u.image, u.created_at, u.updated_at \
         FROM accounts a JOIN users u ON u.id = a.user_id WHERE a.compound_id = $1";
    /// A user by email: the full row.
    pub const USER_BY_EMAIL: &str = "SELECT id, name, email, email_verified, image, created_at, updated_at \
         FROM users WHERE email = $1";
    /// A new session (user, expires, session token, access token, now).
    pub const INSERT_SESSION: &str = "INSERT INTO sessions (user_id, expires, session_token, access_token, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5)";
    /// A new verification request (identifier, hashed token, expires, now).
    pub const INSERT_VERIFICATION: &str = "INSERT INTO verification_requests (identifier, token, expires, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4)";
    /// Consumes a verification request (hashed token, identifier), returning its expiry.
    pub const CONSUME_VERIFICATION: &str =
        "DELETE FROM verification_requests WHERE token = $1 AND identifier = $2 RETURNING expires";
    /// The delete v3 core makes after a consuming get (a no-op by then).
    pub const DELETE_VERIFICATION: &str =
        "DELETE FROM verification_requests WHERE token = $1 AND identifier = $2";
    /// A user's update (name, email, email_verified, image, updated_at, id).
    pub const UPDATE_USER: &str = "UPDATE users SET name = $1, email = $2, email_verified = $3, image = $4, updated_at = $5 \
         WHERE id = $6";
}

/// MySQL and MariaDB (`?` placeholders).
pub mod mysql {
    /// A session by its token: the full row.
    pub const SESSION_BY_TOKEN: &str = "SELECT id, user_id, expires, session_token, access_token, created_at, updated_at \
         FROM sessions WHERE session_token = ?";
    /// A user by id: the full row.
    pub const USER_BY_ID: &str = "SELECT id, name, email, email_verified, image, created_at, updated_at \
         FROM users WHERE id = ?";
    /// The user behind an account, by the account's compound id: one join.
    pub const USER_BY_ACCOUNT: &str = "SELECT u.id, u.name, u.email, u.email_verified, u.image, u.created_at, u.updated_at \
         FROM accounts a JOIN users u ON u.id = a.user_id WHERE a.compound_id = ?";
    /// A user by email: the full row.
    pub const USER_BY_EMAIL: &str = "SELECT id, name, email, email_verified, image, created_at, updated_at \
         FROM users WHERE email = ?";
    /// A new session (user, expires, session token, access token, created, updated).
    pub const INSERT_SESSION: &str = "INSERT INTO sessions (user_id, expires, session_token, access_token, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?)";
    /// A new verification request (identifier, hashed token, expires, created, updated).
    pub const INSERT_VERIFICATION: &str = "INSERT INTO verification_requests (identifier, token, expires, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?)";
    /// MariaDB: consumes a verification request (hashed token, identifier), returning its expiry.
    pub const CONSUME_VERIFICATION: &str =
        "DELETE FROM verification_requests WHERE token = ? AND identifier = ? RETURNING expires";
    /// MySQL 8 (no `DELETE … RETURNING`): locks the request inside a transaction.
    pub const LOCK_VERIFICATION: &str = "SELECT id, expires FROM verification_requests WHERE token = ? AND identifier = ? FOR UPDATE";
    /// MySQL 8: deletes the locked request.
    pub const DELETE_VERIFICATION_BY_ID: &str = "DELETE FROM verification_requests WHERE id = ?";
    /// The delete v3 core makes after a consuming get (a no-op by then).
    pub const DELETE_VERIFICATION: &str =
        "DELETE FROM verification_requests WHERE token = ? AND identifier = ?";
    /// A user's update (name, email, email_verified, image, updated_at, id).
    pub const UPDATE_USER: &str = "UPDATE users SET name = ?, email = ?, email_verified = ?, image = ?, updated_at = ? \
         WHERE id = ?";
}
