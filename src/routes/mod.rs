//! The screens, one per file (or folder): what a person sees at each address.

pub mod analytics;
pub mod customer;
pub mod customers;
pub mod duplicates;
pub mod import;
pub mod pipeline;
pub mod settings;
pub mod tasks;
pub mod trash;
