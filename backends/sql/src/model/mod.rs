//! The declarative schema model: tables, columns with logical types, primary keys and
//! indexes. The same types describe the schema we expect ([`Schema::expected`]) and what
//! introspection reads back from a live database, so the two can be diffed.

mod collation;
mod column;
mod index;
mod nextauth_v3;
mod schema;
mod table;

pub use collation::{Collation, CollationKind};
pub use column::{Column, ColumnDefault, ColumnType};
pub use index::{Index, IndexFilter};
pub use nextauth_v3::{Content, content};
pub use schema::Schema;
pub use table::Table;
