//! `synchronize`: create the tables that are missing, refuse a schema that differs.

use super::error::{CapabilityError, StoreError};
use super::sql_adapter::SqlAdapter;
use super::store::SqlStore;
use super::tables::SchemaCheck;
use crate::diff::{Diff, DiffEntry};
use crate::error::{IntrospectError, NameError};
use crate::model::Schema;
use nextauth_adapter::Capabilities;

/// What [`SqlAdapter::synchronize`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOutcome {
    /// The tables it created (full names), in creation order; empty when all existed.
    pub created: Vec<String>,
    /// The live schema against the model afterwards: no errors, possibly allowed
    /// differences (custom columns, extra tables and indexes, wider types, renamed indexes)
    /// and facts (the collations of keyed columns).
    pub diff: Diff,
    /// What the adapter declares from now on: its declaration, with the e-mail matching
    /// the tables' collations decide and the timestamp range their column types decide
    /// (unless the declaration was explicit, in which case it was checked against them).
    pub capabilities: Capabilities,
}

/// Why [`SqlAdapter::synchronize`] refused or failed. It never drops or alters anything.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The configured names cannot form a schema.
    #[error("the schema names are invalid: {0}")]
    Names(#[from] NameError),
    /// The live catalog could not be read.
    #[error(transparent)]
    Introspect(#[from] IntrospectError),
    /// Tables exist but differ from the model in ways the adapter cannot work with (a
    /// missing column or unique index, a narrower type, …). Nothing was changed; the diff
    /// says what to fix.
    #[error("the existing tables differ from the NextAuth v3 schema; nothing was changed:\n{0}")]
    Mismatch(Diff),
    /// The tables compare e-mail addresses in a way the adapter cannot declare honestly, or
    /// otherwise than it was explicitly declared to. Nothing was changed; the error names the
    /// column and the fix.
    #[error(transparent)]
    Capabilities(#[from] CapabilityError),
    /// A `CREATE` statement failed.
    #[error("creating the schema failed: {source}")]
    Ddl {
        /// The driver's error.
        #[source]
        source: StoreError,
    },
}

impl<S: SqlStore> SqlAdapter<S> {
    /// Makes the database ready for this adapter without ever dropping or altering:
    ///
    /// - every table of the model that is missing is created, with its indexes, from the
    ///   dialect's DDL ([`statements`](crate::statements));
    /// - tables that exist are introspected and diffed against the model; any error in the
    ///   diff (a missing column or index, a narrower type, a wrong nullability, …) refuses
    ///   with [`SyncError::Mismatch`] carrying the diff, before anything is created;
    /// - allowed differences (extra nullable columns, extra tables or indexes, wider types,
    ///   indexes another tool named) are accepted and returned; a renamed unique index is
    ///   from then on recognised in conflicts;
    /// - the collations of `users.email` and `verification_requests.identifier` decide the
    ///   e-mail matching: an adapter built with the backend's default capabilities declares
    ///   it from then on (e.g. `MysqlGeneralCi` on tables TypeORM's `synchronize` made on
    ///   MariaDB); an explicit declaration must agree, and a collation the kit does not
    ///   model is refused ([`SyncError::Capabilities`], naming the column and the fix);
    /// - timestamp columns that stop at 2038 (MySQL's `TIMESTAMP`, in the documented DDL and
    ///   in TypeORM's tables) decide the timestamp range likewise: `Unix32`, under which the
    ///   adapter refuses instants outside 1970-2038 itself; timestamp columns keeping fewer
    ///   digits (Prisma's `DATETIME(3)`) decide the precision, and string columns narrower
    ///   than the model's (Prisma's `VARCHAR(191)`) the field limits. An explicit declaration
    ///   the tables cannot honour (`Full` on `TIMESTAMP`, microseconds on `DATETIME(3)`, 255
    ///   characters in `VARCHAR(191)`) is refused with the column and the fix
    ///   ([`SchemaCheck::check_declared`](super::SchemaCheck::check_declared)).
    pub async fn synchronize(&self) -> Result<SyncOutcome, SyncError> {
        let dialect = self.store.dialect();
        let names = self.store.names();
        let expected = Schema::expected(dialect, names)?;
        let before = SchemaCheck::of(dialect, names, self.store.introspect().await?)?;
        if self.explicit {
            before.check_declared(&self.caps())?;
        } else {
            // Refuses now, before creating anything, when no matching can be declared.
            before.adopt(self.caps())?;
        }
        let missing: Vec<&str> = before
            .diff
            .entries
            .iter()
            .filter_map(|e| match e {
                DiffEntry::MissingTable { table } => Some(table.as_str()),
                _ => None,
            })
            .collect();
        if before
            .diff
            .errors()
            .any(|e| !matches!(e, DiffEntry::MissingTable { .. }))
        {
            tracing::warn!(backend = self.store.backend(), diff = %before.diff, "synchronize refused: the tables differ");
            return Err(SyncError::Mismatch(before.diff));
        }
        let to_create = Schema {
            tables: expected
                .tables
                .iter()
                .filter(|t| missing.contains(&t.name.as_str()))
                .cloned()
                .collect(),
        };
        let created: Vec<String> = to_create.tables.iter().map(|t| t.name.clone()).collect();
        if !created.is_empty() {
            self.store
                .execute_ddl(&to_create.create_statements(dialect))
                .await
                .map_err(|source| SyncError::Ddl { source })?;
            tracing::info!(backend = self.store.backend(), tables = ?created, "created missing tables");
        }
        let after = SchemaCheck::of(dialect, names, self.store.introspect().await?)?;
        if !after.diff.is_ok() {
            return Err(SyncError::Mismatch(after.diff));
        }
        for entry in &after.diff.entries {
            if let DiffEntry::IndexRenamed {
                expected, found, ..
            } = entry
                && expected.unique
            {
                self.alias_index(&expected.name, found);
            }
        }
        let declared = self.caps();
        let capabilities = if self.explicit {
            declared
        } else {
            after.adopt(declared)?
        };
        self.set_caps(capabilities);
        if capabilities != declared {
            tracing::info!(
                backend = self.store.backend(),
                ?capabilities,
                "capabilities read off the tables"
            );
        }
        let diff = after.diff;
        Ok(SyncOutcome {
            created,
            diff,
            capabilities,
        })
    }
}
