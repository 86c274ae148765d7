//! Parts shared by several screens.

pub mod sync_status;
pub mod text_field;
