//! Words of the settings screen.

crate::messages! {
    SettingsMsg {
    }
}
