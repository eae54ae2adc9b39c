//! The in-memory reference adapters: NextAuth.js v3's at the root, Auth.js's in [`authjs`].
//!
//! This adapter is the oracle of the conformance kit: it does exactly what the v3 contract
//! says (contract-v3 §2, §3, §11) and nothing else, and the harness's property tests compare
//! every other adapter against it. It is configured with the same
//! [`Capabilities`](nextauth_adapter::Capabilities) the adapter under test declares, so it
//! can model any legitimate v3 adapter; by default it takes the hardened choices
//! ([`Capabilities::HARDENED`](nextauth_adapter::Capabilities::HARDENED)).
//!
//! It reads time only from its [`Clock`](nextauth_adapter::Clock), enforces the unique keys
//! of §2 (several users without an email allowed), refuses accounts and sessions for a user
//! nobody has (`NotFound`: no orphans), stores timestamps at the declared
//! precision, refuses input its declared columns could not hold, and is safe to call from
//! many tasks at once: every method runs under one lock, so each is atomic.

mod adapter;
pub mod authjs;
mod store;

pub use adapter::ReferenceAdapter;
pub use store::{Snapshot, Storage};
