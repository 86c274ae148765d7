//! Words of the customer screen.

crate::messages! {
    CustomerMsg {
    }
}
