//! Ephemeral messages (DESIGN.md section 6): who has which customer open and which field they
//! are editing, and peer-to-peer signalling. They are sealed with the workspace key, carried
//! by the relay (or a peer channel, or between tabs) to whoever is connected right now, and
//! never stored: presence fades when its sender stops repeating it.

use crate::crypto::WorkspaceKeys;
use crate::ids::{DeviceId, DocId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A sender repeats its presence this often ...
pub const HEARTBEAT_MS: i64 = 5_000;
/// ... and is forgotten when not heard for this long (closed tab, lost network).
pub const FADE_MS: i64 = 15_000;

/// One app instance (a tab) saying where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    /// the sending tab, random per app start
    pub session: u64,
    pub device: DeviceId,
    /// the sender's member name ("" when not set)
    pub name: String,
    /// the customer open, if any
    pub doc: Option<DocId>,
    /// the field being edited (the id of its control on the customer page), if any
    pub field: Option<String>,
    /// the sender's counter: a late, older message never replaces a newer one
    pub tick: u64,
    /// the tab is closing: forget it now
    pub leaving: bool,
}

/// Everything sent as an ephemeral message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ephemeral {
    Presence(Presence),
    /// WebRTC signalling (an offer or answer as JSON) from one tab to another
    Signal { from: u64, to: u64, data: String },
    /// a leading tab that can take peer-to-peer connections, repeated like presence
    Peer { session: u64, device: DeviceId },
}

impl Ephemeral {
    pub fn seal(&self, keys: &WorkspaceKeys) -> Vec<u8> {
        // plain owned data always serialises
        keys.seal_ephemeral(&postcard::to_stdvec(self).expect("postcard encode"))
    }

    /// Opens a body from the network; anything not sealed by this workspace, or malformed,
    /// is an error that says so.
    pub fn open(keys: &WorkspaceKeys, body: &[u8]) -> Result<Ephemeral, String> {
        let plain = keys.open_ephemeral(body).map_err(|e| e.to_string())?;
        postcard::from_bytes(&plain).map_err(|e| format!("ephemeral message could not be decoded: {e}"))
    }
}

/// Who is where, as last heard. Times are the receiver's own clock (`now` in ms), so clock
/// differences between devices do not matter.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PresenceBoard {
    seen: BTreeMap<u64, (Presence, i64)>,
}

impl PresenceBoard {
    /// Records a message; returns true when what the board shows changed.
    pub fn apply(&mut self, p: Presence, now: i64) -> bool {
        if let Some((old, _)) = self.seen.get(&p.session) {
            if old.tick > p.tick {
                return false;
            }
        }
        if p.leaving {
            return self.seen.remove(&p.session).is_some();
        }
        let changed = self.seen.get(&p.session).map(|(old, _)| (&old.doc, &old.field, &old.name) != (&p.doc, &p.field, &p.name)).unwrap_or(true);
        self.seen.insert(p.session, (p, now));
        changed
    }

    /// Forgets whoever has not been heard for [`FADE_MS`]; returns true when someone went.
    pub fn fade(&mut self, now: i64) -> bool {
        let before = self.seen.len();
        self.seen.retain(|_, (_, heard)| now - *heard < FADE_MS);
        self.seen.len() != before
    }

    /// The others (not `me`, this device) who have `doc` open, by name.
    pub fn on(&self, doc: &DocId, me: &DeviceId) -> Vec<&Presence> {
        let mut v: Vec<&Presence> =
            self.seen.values().map(|(p, _)| p).filter(|p| p.doc.as_ref() == Some(doc) && p.device != *me).collect();
        v.sort_by(|a, b| a.name.cmp(&b.name).then(a.session.cmp(&b.session)));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WorkspaceSecret;

    fn p(session: u64, tick: u64, doc: Option<DocId>, field: Option<&str>) -> Presence {
        Presence { session, device: DeviceId([session as u8; 16]), name: format!("n{session}"), doc, field: field.map(Into::into), tick, leaving: false }
    }

    #[test]
    fn presence_is_sealed_to_the_workspace() {
        let k = WorkspaceSecret([1; 32]).keys();
        let m = Ephemeral::Presence(p(1, 1, Some(DocId([3; 16])), Some("f-phone")));
        let body = m.seal(&k);
        assert!(!body.windows(7).any(|w| w == b"f-phone"));
        assert_eq!(Ephemeral::open(&k, &body).unwrap(), m);
        assert!(Ephemeral::open(&WorkspaceSecret([2; 32]).keys(), &body).unwrap_err().contains("could not be opened"));
        let mut bent = body.clone();
        bent[30] ^= 1;
        assert!(Ephemeral::open(&k, &bent).is_err());
        assert!(Ephemeral::open(&k, &body[..10]).unwrap_err().contains("too short"));
    }

    #[test]
    fn the_board_shows_others_on_a_customer_and_fades_them() {
        let doc = DocId([9; 16]);
        let me = DeviceId([1; 16]);
        let mut b = PresenceBoard::default();
        assert!(b.apply(p(1, 1, Some(doc), None), 0), "my own other tab is recorded ...");
        assert!(b.apply(p(2, 1, Some(doc), Some("f-phone")), 0));
        assert!(b.on(&doc, &me).iter().all(|x| x.device != me), "... but not shown to me");
        assert_eq!(b.on(&doc, &me)[0].field.as_deref(), Some("f-phone"));
        // an older message arriving late changes nothing
        assert!(!b.apply(p(2, 0, Some(doc), None), 1));
        assert_eq!(b.on(&doc, &me)[0].field.as_deref(), Some("f-phone"));
        // a heartbeat keeps it; silence fades it
        assert!(!b.apply(p(2, 2, Some(doc), Some("f-phone")), HEARTBEAT_MS));
        b.fade(HEARTBEAT_MS + FADE_MS - 1);
        assert_eq!(b.on(&doc, &me).len(), 1, "heard {HEARTBEAT_MS} ms ago: still here");
        assert!(b.fade(HEARTBEAT_MS + FADE_MS));
        assert!(b.on(&doc, &me).is_empty());
        // leaving is immediate
        b.apply(p(3, 1, Some(doc), None), 0);
        assert!(b.apply(Presence { leaving: true, ..p(3, 2, None, None) }, 1));
        assert!(b.on(&doc, &me).is_empty());
    }
}
