//! Words of the palette screen.

crate::messages! {
    PaletteMsg {
    }
}
