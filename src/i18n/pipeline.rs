//! Words of the pipeline screen.

crate::messages! {
    PipelineMsg {
    }
}
