//! The sync exchange, the same between any two nodes (browser and relay, or two peers):
//! each says what it has as a version vector, then sends the chunks the other lacks, and
//! acknowledges chunks once they are durable. Sans-IO: [`Session`] turns incoming
//! [`Message`]s into [`Effect`]s that the adapter carries out (storage, sockets).

mod message;
pub mod peer;
mod session;

pub use message::{Message, ProtocolError, FRAME_BUDGET, MAX_CHUNK_BODY, MAX_DEVICES, MAX_EPHEMERAL, MAX_FRAME};
pub use session::{Effect, Session};
