//! The bridge in the Auth.js profile: a child whose `hello` says `"profile": "authjs"` serves
//! an `@auth/core` adapter, and the parent certifies it with the Auth.js catalogue. The
//! messages are the v3 profile's (`docs/bridge-protocol.md`); the methods, their arguments and
//! what `stored` returns are Auth.js's ([`wire`]).

mod adapter;
mod factory;
pub mod wire;

pub use adapter::{AuthjsBridgeAdapter, AuthjsBridgeInspector};
pub use factory::AuthjsBridgeFactory;
