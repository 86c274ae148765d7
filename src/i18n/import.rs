//! Words of the import screen.

crate::messages! {
    ImportMsg {
    }
}
