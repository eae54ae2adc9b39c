//! An example NextAuth.js v3 database adapter, written from scratch against the
//! [`nextauth_adapter`] contract and certified by the conformance harness.
//!
//! This is the companion crate of `docs/adapter-guide.md`: everything a new adapter needs,
//! in its smallest complete form. [`MemoryAdapter`] keeps the four v3 tables in hash maps
//! behind one [`tokio::sync::RwLock`]; a real adapter replaces the maps with a database and
//! keeps the same structure.
//!
//! - [`MemoryAdapter`] implements all fifteen methods of [`nextauth_adapter::Adapter`],
//!   reads time only from its configured clock, and declares its
//!   [`Capabilities`](nextauth_adapter::Capabilities) in
//!   [`MemoryAdapter::CAPABILITIES`];
//! - `testing` (behind the cargo feature `testing`, which only `cargo test` turns on) holds
//!   what the conformance suite needs: a `BackendFactory` that opens a fresh adapter per
//!   rule and an `Inspector` that reads the maps directly. Production builds never compile
//!   it, so they never depend on the harness.
//!
//! ```
//! use nextauth_adapter::{Adapter, AdapterConfig, NewUser};
//! use nextauth_example_memory_adapter::MemoryAdapter;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> nextauth_adapter::Result<()> {
//! let adapter = MemoryAdapter::new(AdapterConfig::default());
//! let user = adapter
//!     .create_user(NewUser {
//!         email: Some("ada@example.com".into()),
//!         ..NewUser::default()
//!     })
//!     .await?;
//! let session = adapter.create_session(&user).await?;
//! let found = adapter.get_session(Some(&session.session_token)).await?;
//! assert_eq!(found.map(|s| s.user_id), Some(user.id));
//! # Ok(())
//! # }
//! ```

mod adapter;
#[cfg(feature = "testing")]
pub mod testing;

pub use adapter::MemoryAdapter;
