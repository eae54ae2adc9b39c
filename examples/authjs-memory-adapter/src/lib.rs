//! An example Auth.js adapter, written from scratch against `nextauth_adapter::authjs` the way
//! an author would, and certified by the conformance harness's Auth.js profile
//! (`tests/conformance.rs`). It keeps its rows in memory, in maps keyed the way an SQL schema
//! keys its tables, under one lock per call so that every method is atomic.
//!
//! What it declares ([`MemoryAdapter::CAPABILITIES`]): every method but the five WebAuthn ones
//! (their rules are reported as not applicable), ids of its own (`u1`, `u2`, … like a serial
//! column, core's ignored), exact e-mail matching, millisecond instants.

mod adapter;
#[cfg(feature = "testing")]
pub mod testing;

pub use adapter::MemoryAdapter;
