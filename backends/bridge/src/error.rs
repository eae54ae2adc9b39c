//! The bridge's own errors: starting the child, talking to it, setting up fixtures.

use std::time::Duration;

/// Everything that can go wrong between the parent and the adapter process.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BridgeError {
    /// The command line was empty.
    #[error("the adapter command is empty")]
    EmptyCommand,
    /// The child could not be started.
    #[error("cannot start the adapter process `{command}`: {reason}")]
    Spawn {
        /// The command line, for the message.
        command: String,
        /// The operating system's reason.
        reason: String,
    },
    /// The child exited, closed its output, wrote something that is not a reply, or was
    /// killed: every pending and later request fails with this.
    #[error("the adapter process `{command}` is unusable: {reason}")]
    Dead {
        /// The command line, for the message.
        command: String,
        /// Why: its exit status, or the bad line.
        reason: String,
    },
    /// No reply within the request timeout.
    #[error("the adapter process `{command}` did not answer `{method}` within {timeout:?}")]
    Timeout {
        /// The command line, for the message.
        command: String,
        /// The request's method.
        method: String,
        /// The timeout that passed.
        timeout: Duration,
    },
    /// The child answered a control message (`hello`, `open`, `stored`, …) with an error.
    #[error("the adapter process refused `{method}`: {kind}: {message}")]
    Refused {
        /// The request's method.
        method: String,
        /// The error's kind as the child sent it.
        kind: crate::protocol::WireErrorKind,
        /// The child's message.
        message: String,
    },
    /// A reply did not have the shape the protocol prescribes.
    #[error("bad reply to `{method}`: {reason}")]
    BadReply {
        /// The request's method.
        method: String,
        /// What was wrong.
        reason: String,
    },
    /// The child speaks another protocol version.
    #[error("the adapter process speaks protocol {theirs}, this bridge speaks {ours}")]
    Version {
        /// The child's version.
        theirs: u32,
        /// Ours.
        ours: u32,
    },
    /// Creating, preparing or dropping a namespace failed.
    #[error("namespace: {0}")]
    Namespace(String),
}
