//! Words of the trash screen.

crate::messages! {
    TrashMsg {
    }
}
