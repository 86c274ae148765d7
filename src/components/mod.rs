//! Parts shared by several screens.

pub mod charts;
pub mod command_palette;
pub mod sync_status;
pub mod text_field;
