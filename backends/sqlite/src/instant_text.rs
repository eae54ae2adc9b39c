//! Instants as SQLite stores them: fixed-width UTC text. (Rows become records through the
//! mappers shared by every SQL backend, `nextauth_adapter_sql::adapter::rows`.)

use chrono::{DateTime, Utc};

/// An instant as stored: UTC, `YYYY-MM-DD HH:MM:SS.ffffff`. Fixed width (for years 0–9999),
/// so comparing the text compares the instants.
pub fn text(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
}

/// [`text`] for an optional instant.
pub fn opt_text(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(text)
}
