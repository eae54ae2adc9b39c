//! The interop lane: can a Rust service and a running next-auth@3 app share one database?
//!
//! One run works in a fresh namespace on a PostgreSQL or MySQL/MariaDB server, with tables
//! made either by the project's DDL or by next-auth's own `synchronize` (TypeORM, the seed's
//! example configuration). It opens next-auth@3's default adapter there through the bridge
//! (`bridge/node`, the real npm package) and our SQL adapter (which reads what it declares
//! off the tables when it synchronizes), then runs every scenario in both directions, one
//! adapter writing and the other reading:
//!
//! - **users**: read by id (integer ids as strings), found by e-mail, looked up alike in
//!   another case (both sides find it on a case-insensitive collation, neither on an exact
//!   one), an update read back;
//! - **accounts**: a linked account finds its user by provider account id on the other side
//!   (the compound id both compute), another provider's account finds nobody;
//! - **verification**: a sign-in link stored by one is redeemed through the other (the token
//!   hashed alike), and once deleted by the reader is gone for the writer;
//! - **sessions**: a session created by one is read by the other, rolled by the reader once
//!   due and read with its new expiry by the writer, deleted by the reader and gone for the
//!   writer.
//!
//! Each read is compared field by field with the writer's own read of the row and with what
//! the writer returned. Differences with a known cause are reported with it, not hidden:
//! next-auth's JavaScript `Date` cuts microseconds to milliseconds; next-auth leaves
//! `created_at`/`updated_at` to the database's clock ([`Cause`]). Any other difference, or
//! any failed call, makes the run fail ([`InteropReport::passes`]).
//!
//! `nextauth-certify interop --url …` runs it for a user; `tests/interop.rs` runs it in CI on
//! PostgreSQL and MariaDB, on both kinds of tables.

mod compare;
mod lane;
mod report;
mod scenarios;

pub use compare::{Cause, Explained};
pub use lane::{InteropError, InteropOptions, InteropTables, run};
pub use report::{Check, Direction, FORMAT, InteropReport, Outcome};
