//! The screens, one per file.

pub mod customer;
pub mod customers;
pub mod settings;
