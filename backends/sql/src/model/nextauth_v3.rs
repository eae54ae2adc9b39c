//! The four tables of NextAuth.js v3 (contract-v3 §2, §7.1), declared once.

use super::collation::Collation;
use super::column::{Column, ColumnType};
use super::index::{Index, IndexFilter};
use super::schema::Schema;
use super::table::Table;
use crate::dialect::Dialect;
use crate::error::NameError;
use crate::names::{SchemaNames, TableKind};
use crate::render::{MSSQL_STRING_COLLATION, MYSQL_COLLATION};
use nextauth_adapter::limits::{Field, LARGE_TOKEN_CHARS};

/// `VARCHAR(255)`: every documented string column but the OAuth tokens, `users.image`
/// included (the contract's `FieldLimits::DOCUMENTED`).
const VARCHAR: ColumnType = ColumnType::Varchar(255);

impl Schema {
    /// The NextAuth v3 schema as it should exist in `dialect`: the logical model of
    /// [`Schema::nextauth_v3`] with the dialect's adjustments. On SQL Server every unique
    /// index over a nullable column is filtered `WHERE col IS NOT NULL` so that, as
    /// everywhere else, several users may have no e-mail address.
    ///
    /// This is what the DDL renders and what introspection is diffed against.
    pub fn expected(dialect: Dialect, names: &SchemaNames) -> Result<Schema, NameError> {
        let mut schema = Schema::nextauth_v3(names)?;
        if dialect.filters_nullable_unique_indexes() {
            for table in &mut schema.tables {
                let nullable: Vec<String> = table
                    .columns
                    .iter()
                    .filter(|c| c.nullable)
                    .map(|c| c.name.clone())
                    .collect();
                for index in table.indexes.iter_mut().filter(|i| i.unique) {
                    if let [column] = index.columns.as_slice()
                        && nullable.contains(column)
                    {
                        index.filter = Some(IndexFilter::NotNull(column.clone()));
                    }
                }
            }
        }
        // The collation the DDL gives text columns, which a check expects there.
        let collation = match dialect {
            Dialect::MySql => Some(Collation::mysql(MYSQL_COLLATION)),
            Dialect::MsSql => Some(Collation::mssql(MSSQL_STRING_COLLATION)),
            Dialect::Postgres | Dialect::Sqlite => None,
        };
        for column in schema.tables.iter_mut().flat_map(|t| t.columns.iter_mut()) {
            if matches!(
                column.column_type,
                ColumnType::Varchar(_) | ColumnType::Text
            ) {
                column.collation.clone_from(&collation);
            }
        }
        Ok(schema)
    }

    /// The dialect-independent NextAuth v3 schema under `names`.
    ///
    /// Columns, their order, nullability and the eight documented indexes follow the
    /// documented DDL (contract-v3 §7.1). Every table has `id` as primary key (the SQL
    /// Server docs forgot it). There are no foreign keys: v3 allows orphans.
    pub fn nextauth_v3(names: &SchemaNames) -> Result<Schema, NameError> {
        let tables: Vec<Table> = TableKind::ALL
            .into_iter()
            .map(|kind| declare(kind, names))
            .collect();
        names.validate(
            tables
                .iter()
                .flat_map(|t| t.indexes.iter().map(|i| i.name.as_str())),
        )?;
        Ok(Schema { tables })
    }
}

/// What a string column of the model holds, as far as its width matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// A value the caller gives, held to the declared limit of this field.
    Field(Field),
    /// A value the adapter makes, always this many characters (hex tokens and hashes).
    Fixed(u32),
}

impl Content {
    /// The fewest characters a column holding this must hold for an adapter on it to
    /// conform: the tokens' width; for OAuth tokens, the kilobytes providers issue
    /// ([`LARGE_TOKEN_CHARS`]); one character for the other fields (their limit is then
    /// declared).
    pub fn minimum(self) -> u32 {
        match self {
            Content::Fixed(width) => width,
            Content::Field(Field::RefreshToken | Field::AccountAccessToken) => {
                u32::try_from(LARGE_TOKEN_CHARS).unwrap_or(u32::MAX)
            }
            Content::Field(_) => 1,
        }
    }
}

/// What the model's string column `column` (of type `expected`) holds; `None` for columns
/// that hold no string. Token columns hold 64 hex characters (sha256 hex, 32 random bytes
/// in hex); the others hold a caller's value.
pub fn content(column: &str, expected: &ColumnType) -> Option<Content> {
    let field = match (column, expected) {
        ("compound_id" | "session_token" | "token", _)
        | ("access_token", ColumnType::Varchar(_)) => return Some(Content::Fixed(64)),
        ("name", _) => Field::UserName,
        ("email", _) => Field::UserEmail,
        ("image", _) => Field::UserImage,
        ("provider_type", _) => Field::ProviderType,
        ("provider_id", _) => Field::ProviderId,
        ("provider_account_id", _) => Field::ProviderAccountId,
        ("refresh_token", _) => Field::RefreshToken,
        ("access_token", _) => Field::AccountAccessToken,
        ("identifier", _) => Field::VerificationIdentifier,
        _ => return None,
    };
    Some(Content::Field(field))
}

/// One table of the model under `names`.
fn declare(kind: TableKind, names: &SchemaNames) -> Table {
    use ColumnType::{Id, Integer, Text, Timestamp};
    let (columns, indexes): (Vec<Column>, Vec<(&str, &str, bool)>) = match kind {
        TableKind::Users => (
            vec![
                Column::optional("name", VARCHAR),
                Column::optional("email", VARCHAR),
                Column::optional("email_verified", Timestamp),
                Column::optional("image", VARCHAR),
            ],
            vec![("email", "email", true)],
        ),
        TableKind::Accounts => (
            vec![
                Column::required("compound_id", VARCHAR),
                Column::required("user_id", Integer),
                Column::required("provider_type", VARCHAR),
                Column::required("provider_id", VARCHAR),
                Column::required("provider_account_id", VARCHAR),
                Column::optional("refresh_token", Text),
                Column::optional("access_token", Text),
                Column::optional("access_token_expires", Timestamp),
            ],
            vec![
                ("compound_id", "compound_id", true),
                ("provider_account_id", "provider_account_id", false),
                ("provider_id", "provider_id", false),
                ("user_id", "user_id", false),
            ],
        ),
        TableKind::Sessions => (
            vec![
                Column::required("user_id", Integer),
                Column::required("expires", Timestamp),
                Column::required("session_token", VARCHAR),
                Column::required("access_token", VARCHAR),
            ],
            vec![
                ("session_token", "session_token", true),
                ("access_token", "access_token", true),
            ],
        ),
        TableKind::VerificationRequests => (
            vec![
                Column::required("identifier", VARCHAR),
                Column::required("token", VARCHAR),
                Column::required("expires", Timestamp),
            ],
            vec![("token", "token", true)],
        ),
    };
    let mut all = vec![Column::required("id", Id)];
    all.extend(columns);
    all.push(Column::insert_time("created_at"));
    all.push(Column::insert_time("updated_at"));
    Table {
        name: names.table(kind),
        columns: all,
        primary_key: vec!["id".to_owned()],
        indexes: indexes
            .into_iter()
            .map(|(name, column, unique)| Index {
                name: names.index(name),
                columns: vec![column.to_owned()],
                unique,
                filter: None,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mssql_filters_only_the_nullable_unique_email() {
        let schema = Schema::expected(Dialect::MsSql, &SchemaNames::default()).unwrap();
        let filtered: Vec<&str> = schema
            .tables
            .iter()
            .flat_map(|t| &t.indexes)
            .filter(|i| i.filter.is_some())
            .map(|i| i.name.as_str())
            .collect();
        assert_eq!(filtered, ["email"]);
        let pg = Schema::expected(Dialect::Postgres, &SchemaNames::default()).unwrap();
        assert!(
            pg.tables
                .iter()
                .flat_map(|t| &t.indexes)
                .all(|i| i.filter.is_none())
        );
    }

    #[test]
    fn bad_names_fail_the_model() {
        let names = SchemaNames {
            prefix: "a-b".into(),
            ..SchemaNames::default()
        };
        assert!(Schema::nextauth_v3(&names).is_err());
    }
}
