//! Renderers: SQL DDL per dialect and the Prisma schema of the v3 legacy model.

mod ddl;
mod prisma;
mod spelling;

pub use ddl::{script, statements};
pub use prisma::prisma_schema;
pub use spelling::{
    MSSQL_STRING_COLLATION, MYSQL_COLLATION, MYSQL_TABLE_OPTIONS, MYSQL8_COLLATION, collation_sql,
    default_sql, mysql_collation_for, mysql_ddl_for, type_sql,
};
