//! Words of the tasks screen.

crate::messages! {
    TasksMsg {
    }
}
