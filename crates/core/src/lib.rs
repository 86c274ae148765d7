//! The pure-Rust core of the CRM. It knows nothing of browsers, sockets or disks: it takes
//! bytes and events and returns bytes and effects, so the web app (`crm-web`) and the relay
//! (`crm-relay`) are thin adapters around it and nearly all logic is tested natively.
//!
//! Data model first: every customer is one Automerge document ([`customer::CustomerDoc`]).
//! Each batch of local edits to a document becomes one [`chunk::Chunk`], the changes since the
//! last chunk (`save_after(heads)`), tagged `(device, seq, doc)` and sealed with the
//! workspace key ([`crypto`]). Every device appends to its own log with gap-free sequence
//! numbers, so what a node holds is summarised by a [`vv::VersionVector`] and two nodes sync
//! by exchanging vectors and then the chunks the other lacks ([`sync`]).

pub mod analytics;
pub mod chunk;
pub mod clock;
pub mod compaction;
pub mod crypto;
pub mod customer;
pub mod dates;
pub mod dedupe;
pub mod doc;
pub mod export;
pub mod ids;
pub mod import;
pub mod members;
pub mod merge;
pub mod normalize;
pub mod presence;
pub mod replica;
pub mod search;
pub mod sync;
pub mod text_merge;
pub mod views;
pub mod vv;
pub mod workspace;

// the adapters name Automerge types (actor ids) through the core, so versions never drift
pub use automerge;

pub use chunk::{Chunk, ChunkKey, Covers, SealedChunk};
pub use crypto::{WorkspaceKeys, WorkspaceSecret};
pub use customer::{Conflict, Contact, ContactField, Customer, CustomerDoc, Edit, Field, Kind, Summary, SUMMARY_VERSION};
pub use workspace::{Settings, WorkspaceDoc, WORKSPACE_DOC};
pub use ids::{DeviceId, DocId, WorkspaceId};
pub use vv::{ChunkLog, VersionVector};
