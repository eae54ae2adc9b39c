//! The schema's string columns agree with the contract's `FieldLimits::DOCUMENTED`: a value
//! the contract accepts always fits its column, and the column never silently allows
//! less. `users.image` is `VARCHAR(255)` like the contract says, in every dialect.

use nextauth_adapter::FieldLimits;
use nextauth_adapter::limits::Field;
use nextauth_adapter_sql::{ColumnType, Dialect, Schema, SchemaNames, TableKind};

/// Where each contract field lives.
const FIELDS: [(Field, TableKind, &str); 9] = [
    (Field::UserName, TableKind::Users, "name"),
    (Field::UserEmail, TableKind::Users, "email"),
    (Field::UserImage, TableKind::Users, "image"),
    (Field::ProviderType, TableKind::Accounts, "provider_type"),
    (Field::ProviderId, TableKind::Accounts, "provider_id"),
    (
        Field::ProviderAccountId,
        TableKind::Accounts,
        "provider_account_id",
    ),
    (Field::RefreshToken, TableKind::Accounts, "refresh_token"),
    (
        Field::AccountAccessToken,
        TableKind::Accounts,
        "access_token",
    ),
    (
        Field::VerificationIdentifier,
        TableKind::VerificationRequests,
        "identifier",
    ),
];

#[test]
fn column_types_match_the_documented_field_limits() {
    let names = SchemaNames::default();
    for dialect in Dialect::ALL {
        let schema = Schema::expected(dialect, &names).expect("valid names");
        for (field, kind, column) in FIELDS {
            let column_type = &schema
                .table(&names.table(kind))
                .and_then(|t| t.column(column))
                .unwrap_or_else(|| panic!("{kind}.{column} missing"))
                .column_type;
            let limit = FieldLimits::DOCUMENTED.limit(field);
            let expected = match limit.max_chars {
                Some(n) => ColumnType::Varchar(u32::try_from(n).expect("small limit")),
                None => ColumnType::Text,
            };
            assert_eq!(
                column_type, &expected,
                "{dialect} {kind}.{column} vs {field:?}"
            );
        }
    }
}
