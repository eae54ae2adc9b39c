//! Every generated artifact, pinned: DDL for the four dialects and the Prisma schema for
//! the four providers, under the documented names and under a mapped variant (prefix
//! `nextauth_`, singular table names). The `.snap` files under `tests/snapshots/` are the
//! product; review them as such.

use nextauth_adapter_sql::{Dialect, SchemaNames, prisma_schema, script};

/// The documented names, no prefix.
fn documented() -> SchemaNames {
    SchemaNames::default()
}

/// A TypeORM `entityPrefix` plus Prisma-`@@map`-style renames.
fn mapped() -> SchemaNames {
    SchemaNames {
        prefix: "nextauth_".into(),
        users: "user".into(),
        accounts: "account".into(),
        sessions: "session".into(),
        verification_requests: "verification_request".into(),
    }
}

#[test]
fn ddl_scripts() {
    for dialect in Dialect::ALL {
        for (variant, names) in [("documented", documented()), ("mapped", mapped())] {
            let name = format!("ddl_{dialect}_{variant}");
            insta::assert_snapshot!(name, script(dialect, &names).expect("valid names"));
        }
    }
}

#[test]
fn prisma_schemas() {
    for dialect in Dialect::ALL {
        for (variant, names) in [("documented", documented()), ("mapped", mapped())] {
            let name = format!("prisma_{dialect}_{variant}");
            insta::assert_snapshot!(name, prisma_schema(dialect, &names).expect("valid names"));
        }
    }
}
