//! The Auth.js (`@auth/core`, `next-auth` v4/v5) adapter contract, the kit's second profile.
//!
//! Auth.js keeps v3's idea (users, linked accounts, database sessions, e-mail verification)
//! behind a different interface, stated here beside the v3 one and sharing its error type,
//! its [`Method`](crate::Method) names and its capability vocabulary:
//!
//! - [`Adapter`]: the nineteen methods, every one optional, with the implemented ones
//!   declared in [`Capabilities::methods`];
//! - [`records`]: `AdapterUser`, `AdapterAccount`, `AdapterSession`, `VerificationToken`,
//!   `AdapterAuthenticator`, and the partial updates ([`Patch`]) core sends;
//! - [`Capabilities`]: where the maintained adapters legitimately differ (who issues user
//!   ids, e-mail matching, timestamp precision).
//!
//! What differs from v3, and why an adapter of one contract is not one of the other: core
//! issues user ids (and passes them to `create_user`), session tokens and hashed verification
//! tokens; the adapter reads no clock and decides no expiry; `use_verification_token` must
//! return a token once and remove it in the same step; accounts are keyed by
//! `(provider, providerAccountId)`; `delete_user` removes the user's sessions and accounts.
//! `docs/specification.md` (part II) states the contract in full.

pub mod adapter;
pub mod capabilities;
pub mod records;

pub use adapter::{Adapter, SharedAdapter};
pub use capabilities::{Capabilities, IdSource, MethodSet};
pub use records::{
    Account, AccountKey, AccountType, Authenticator, NewUser, Patch, Session, SessionAndUser,
    SessionPatch, User, UserPatch, VerificationKey, VerificationToken,
};
