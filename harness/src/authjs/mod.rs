//! The Auth.js profile: the same suite machinery (rules, executor, reports, findings) over
//! the Auth.js contract ([`nextauth_adapter::authjs`]).
//!
//! - [`BackendFactory`], [`Fixture`], [`Inspector`]: how the suite gets a fresh Auth.js adapter,
//!   and raw reads of its storage, for every rule;
//! - [`Ctx`]: what a rule works with, and what core would pass (ids, tokens, expiries);
//! - [`core`]: `@auth/core`'s call sequences, modelled call for call;
//! - [`catalogue`]: the rules, ids starting with `authjs.`;
//! - [`broken`]: deliberately broken Auth.js adapters, each caught by named rules;
//! - [`execute`]: running one rule.

pub mod backend;
pub mod broken;
pub mod catalogue;
pub mod context;
pub mod core;
pub mod execute;
pub mod properties;

pub use backend::{BackendFactory, Fixture, Inspector, ReferenceFactory};
pub use context::Ctx;
