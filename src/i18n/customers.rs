//! Words of the customers screen.

crate::messages! {
    CustomersMsg {
    }
}
