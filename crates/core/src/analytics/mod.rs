//! Customer analytics computed on the device from the customers' own records (DESIGN.md
//! section 8).

pub mod bgnbd;
pub mod fit;
pub mod gamma_gamma;
pub mod optimize;
pub mod purchases;
pub mod special;
pub mod churn;
pub mod facts;
pub mod job;
pub mod lifecycle;
pub mod report;
pub mod rfm;

pub use job::{run, Job, Phase};
pub use report::{Dimension, Options, Report, Scores, ValueTier};
