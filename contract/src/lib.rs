//! The NextAuth.js v3 database-adapter contract, stated in Rust, and beside it the Auth.js
//! one ([`authjs`]).
//!
//! NextAuth.js v3 keeps users, OAuth accounts, sessions and e-mail verification requests
//! behind an adapter with fifteen methods. This crate is everything a production adapter
//! written in Rust depends on, and nothing a test needs:
//!
//! - [`Adapter`]: the fifteen methods, with v3's arguments in Rust types;
//! - [`records`]: what is stored ([`User`], [`Account`], [`Session`],
//!   [`VerificationRequest`]) and what the methods take ([`NewUser`], [`NewAccount`]);
//! - [`AdapterError`]: one typed error for every failure, always naming its [`Method`];
//! - [`Clock`]: every expiry decision reads an injected clock ([`SystemClock`],
//!   [`ManualClock`]), so tests step time instead of sleeping;
//! - [`SessionPolicy`]: v3's `maxAge` / `updateAge` and the rolling-expiry rule;
//! - [`EmailProvider`] and [`VerificationSender`]: the provider's `sendVerificationRequest`;
//! - [`formulas`]: compound account ids, verification-token hashes and random tokens,
//!   bit-for-bit as v3 computes them;
//! - [`Capabilities`]: the choices on which v3 adapters legitimately differ, declared by
//!   each adapter so that a conformance suite knows what to hold it to;
//! - [`FieldLimits`]: how long a stored string may be, so that overlong input is a typed
//!   error instead of a silently truncated row.
//!
//! The specification this crate follows is the project's `contract-v3.md` (§1–§4, §11).

pub mod adapter;
pub mod authjs;
pub mod capabilities;
pub mod clock;
pub mod collation;
pub mod config;
pub mod error;
pub mod formulas;
pub mod limits;
pub mod method;
pub mod policy;
pub mod records;
pub mod verification;

pub use adapter::{Adapter, SharedAdapter};
pub use capabilities::{
    Capabilities, DeleteUserSupport, EmailMatching, ExpiredSessionHandling, TimestampPrecision,
    TimestampRange, UnlinkAccountSupport, VerificationConsumption,
};
pub use clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use config::AdapterConfig;
pub use error::{AdapterError, Entity, ErrorKind, Result, UniqueKey};
pub use limits::FieldLimits;
pub use method::Method;
pub use policy::{SessionPolicy, SessionPolicyError};
pub use records::{Account, NewAccount, NewUser, Session, User, VerificationRequest};
pub use verification::{
    EmailProvider, RecordingSender, SendError, VerificationMessage, VerificationSender,
};
