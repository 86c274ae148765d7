//! The workspace document: team settings every member shares (DESIGN.md section 3):
//! pipelines and their stages, custom field definitions, loyalty tiers, saved views, members.
//!
//! It syncs like a customer, as chunks of one document with the fixed id [`WORKSPACE_DOC`].
//! Two devices that start offline must not each create their own root maps (Automerge would
//! keep only one of two concurrently created maps under one key, hiding the other's
//! contents), so every device builds the same *genesis* change: same actor, same time, same
//! operations, hence the same change hash. Genesis is never sent; everything after it is.

use crate::customer::record::record;
use crate::doc::{ChunkError, ChunkedDoc};
use crate::ids::DocId;
use automerge::{transaction::CommitOptions, ActorId, AutoCommit};
use autosurgeon::{Hydrate, Reconcile};
use std::collections::BTreeMap;

/// The id of the workspace document (no customer id is all zeros: they are random).
pub const WORKSPACE_DOC: DocId = DocId([0; 16]);

/// The actor of the genesis change; never used for anything else.
const GENESIS_ACTOR: [u8; 16] = *b"crm-genesis-v1\0\0";

record! {
    /// A stage of a pipeline. `name` empty means the built-in name for `id`, shown in the
    /// reader's language.
    pub struct Stage {
        #[key]
        pub id: String,
        pub name: String,
        /// win probability, 0-100
        pub probability: i64,
        /// "" for an open stage, "won" or "lost" for the closing columns
        pub outcome: String,
    }
}

record! {
    pub struct Pipeline {
        pub name: String,
        pub stages: Vec<Stage>,
        pub order: i64,
    }
}

pub const CUSTOM_FIELD_KINDS: [&str; 4] = ["text", "number", "date", "choice"];

record! {
    pub struct CustomFieldDef {
        pub label: String,
        /// one of [`CUSTOM_FIELD_KINDS`]
        pub kind: String,
        pub choices: Vec<String>,
        pub order: i64,
    }
}

record! {
    pub struct Tier {
        #[key]
        pub id: String,
        pub name: String,
        pub min_points: i64,
    }
}

record! {
    /// A named filter + sort of the customer list, shared with the team.
    pub struct SavedView {
        pub name: String,
        /// the view's filters and sort, as JSON ([`crate::views::ViewSpec`])
        pub spec: String,
        pub created_by: String,
        pub created_at: i64,
    }
}

record! {
    pub struct Member {
        pub name: String,
        pub devices: BTreeMap<String, bool>,
        /// removed from the team (Settings → Team → Remove): its devices got no envelope of
        /// the key epoch made then, and the relay refuses them (`members.rs`)
        pub removed: bool,
        /// each of its devices' X25519 public key (device hex -> 64 hex digits), published by
        /// the device itself so a rotation can seal the new key ring to it. Kept here rather
        /// than in a map of its own at the root: a root map would have to be in the shared
        /// genesis change, and changing that splits old and new devices' documents.
        pub keys: BTreeMap<String, String>,
    }
}

record! {
    pub struct Settings {
        pub pipelines: BTreeMap<String, Pipeline>,
        pub custom_fields: BTreeMap<String, CustomFieldDef>,
        pub tiers: Vec<Tier>,
        pub views: BTreeMap<String, SavedView>,
        pub members: BTreeMap<String, Member>,
        /// the currency new deals and orders default to
        pub currency: String,
        /// marketing spend by month ("YYYY-MM" -> minor units), for the 6C cost figures
        pub marketing_costs: BTreeMap<String, i64>,
        /// STUN/TURN servers for peer-to-peer connections, one per entry:
        /// `stun:host:port` or `turn:host:port username credential` (none: LAN only)
        pub ice_servers: Vec<String>,
    }
}

record! {
    /// The genesis change's content, frozen: every device of every app version must build the
    /// same genesis bytes, or a device running a newer version would start from another root
    /// and never merge the team's settings. Fields added to [`Settings`] later (e.g.
    /// `ice_servers`) are left out of it; reading a document without them gives their default.
    pub struct GenesisV2 {
        pub pipelines: BTreeMap<String, Pipeline>,
        pub custom_fields: BTreeMap<String, CustomFieldDef>,
        pub tiers: Vec<Tier>,
        pub views: BTreeMap<String, SavedView>,
        pub members: BTreeMap<String, Member>,
        pub currency: String,
        pub marketing_costs: BTreeMap<String, i64>,
    }
}

impl Settings {
    /// The member a device belongs to: (member id, member).
    pub fn member_of(&self, device: &crate::DeviceId) -> Option<(&str, &Member)> {
        let d = device.to_string();
        self.members.iter().find(|(_, m)| m.devices.contains_key(&d)).map(|(id, m)| (id.as_str(), m))
    }

    /// Who a device is, in words: its member's name, or "device 1a2b3c4d" for a device nobody
    /// has named yet.
    pub fn who(&self, device: &crate::DeviceId) -> String {
        match self.member_of(device) {
            Some((_, m)) if !m.name.trim().is_empty() => m.name.clone(),
            _ => format!("device {}", &device.to_string()[..8]),
        }
    }

    /// Records that `device` belongs to the member `member` (created with `name` when new,
    /// renamed when `name` is not empty), and to no other member.
    pub fn join_member(&mut self, member: &str, name: &str, device: &crate::DeviceId) {
        let d = device.to_string();
        let mut key = None;
        for (id, m) in self.members.iter_mut() {
            if id != member {
                m.devices.remove(&d);
                key = m.keys.remove(&d).or(key);
            }
        }
        let m = self.members.entry(member.to_string()).or_default();
        if !name.trim().is_empty() {
            m.name = name.trim().to_string();
        }
        m.devices.insert(d.clone(), true);
        if let Some(k) = key {
            m.keys.insert(d, k);
        }
    }

    /// Publishes `device`'s public key under its member (a member of its own, named by the
    /// device id, until the person picks or names one). Returns false when it was there.
    pub fn publish_device_key(&mut self, device: &crate::DeviceId, public_hex: &str) -> bool {
        let d = device.to_string();
        let member = self.member_of(device).map(|(id, _)| id.to_string()).unwrap_or_else(|| d.clone());
        if self.members.get(&member).and_then(|m| m.keys.get(&d)).is_some_and(|k| k == public_hex) {
            return false;
        }
        self.join_member(&member, "", device);
        self.members.get_mut(&member).expect("just joined").keys.insert(d, public_hex.to_string());
        true
    }

    /// Marks `member` removed. Its devices stay listed (history names them) but get no key
    /// of later epochs. Refuses to remove the member `me` belongs to, or an unknown one.
    pub fn remove_member(&mut self, member: &str, me: &crate::DeviceId) -> Result<(), String> {
        if self.member_of(me).is_some_and(|(id, _)| id == member) {
            return Err("you cannot remove yourself from the team".into());
        }
        let m = self.members.get_mut(member).ok_or_else(|| format!("there is no member {member}"))?;
        m.removed = true;
        Ok(())
    }

    /// Whether `device` belongs to a removed member.
    pub fn is_removed(&self, device: &str) -> bool {
        self.members.values().any(|m| m.removed && m.devices.contains_key(device))
    }

    /// The devices a new key epoch is sealed to: every device that published a key, less
    /// those of removed members. (device hex, public key hex)
    pub fn remaining_device_keys(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = self
            .members
            .values()
            .filter(|m| !m.removed)
            .flat_map(|m| m.keys.iter().filter(|(d, _)| m.devices.contains_key(*d)))
            .filter(|(d, _)| !self.is_removed(d))
            .map(|(d, k)| (d.as_str(), k.as_str()))
            .collect();
        out.sort();
        out
    }

    /// What a new workspace starts with: one sales pipeline and three loyalty tiers, with
    /// built-in names (empty `name`) so each reader sees them in their language.
    pub fn genesis() -> Settings {
        let stage = |id: &str, p: i64, outcome: &str| Stage {
            id: id.into(),
            name: String::new(),
            probability: p,
            outcome: outcome.into(),
        };
        let mut pipelines = BTreeMap::new();
        pipelines.insert(
            "sales".to_string(),
            Pipeline {
                name: String::new(),
                order: 0,
                stages: vec![
                    stage("lead", 10, ""),
                    stage("qualified", 25, ""),
                    stage("proposal", 50, ""),
                    stage("negotiation", 75, ""),
                    stage("won", 100, "won"),
                    stage("lost", 0, "lost"),
                ],
            },
        );
        let tier = |id: &str, min| Tier { id: id.into(), name: String::new(), min_points: min };
        Settings {
            pipelines,
            tiers: vec![tier("bronze", 0), tier("silver", 1000), tier("gold", 5000)],
            currency: "CNY".into(),
            ..Default::default()
        }
    }

    /// Pipelines in display order.
    pub fn pipelines_sorted(&self) -> Vec<(&String, &Pipeline)> {
        let mut v: Vec<_> = self.pipelines.iter().collect();
        v.sort_by_key(|(id, p)| (p.order, (*id).clone()));
        v
    }

    pub fn stage(&self, pipeline: &str, stage: &str) -> Option<&Stage> {
        self.pipelines.get(pipeline)?.stages.iter().find(|s| s.id == stage)
    }

    /// The tier a points balance earns: the highest whose minimum it reaches.
    pub fn tier_for(&self, points: i64) -> Option<&Tier> {
        self.tiers.iter().filter(|t| points >= t.min_points).max_by_key(|t| t.min_points)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("workspace settings could not be read: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("workspace settings have an unexpected shape: {0}")]
    Shape(String),
    #[error("{0}")]
    Invalid(String),
    #[error("local edits must be taken as a chunk before remote changes are merged")]
    UnchunkedLocalEdits,
}

impl From<ChunkError> for SettingsError {
    fn from(e: ChunkError) -> Self {
        match e {
            ChunkError::Automerge(e) => SettingsError::Automerge(e),
            ChunkError::UnchunkedLocalEdits => SettingsError::UnchunkedLocalEdits,
            ChunkError::Waiting => SettingsError::Invalid(ChunkError::Waiting.to_string()),
        }
    }
}

pub struct WorkspaceDoc {
    inner: ChunkedDoc,
}

impl WorkspaceDoc {
    /// The document every device of every workspace starts from (identical bytes everywhere).
    pub fn genesis(actor: ActorId) -> Self {
        let mut doc = AutoCommit::new().with_actor(ActorId::from(GENESIS_ACTOR.to_vec()));
        let g = Settings::genesis();
        let frozen = GenesisV2 {
            pipelines: g.pipelines,
            custom_fields: g.custom_fields,
            tiers: g.tiers,
            views: g.views,
            members: g.members,
            currency: g.currency,
            marketing_costs: g.marketing_costs,
        };
        autosurgeon::reconcile(&mut doc, &frozen).expect("reconcile into an empty document");
        doc.commit_with(CommitOptions::default().with_time(0));
        Self { inner: ChunkedDoc::settled(doc.with_actor(actor)) }
    }

    pub fn load(snapshot: &[u8], actor: ActorId) -> Result<Self, SettingsError> {
        Ok(Self { inner: ChunkedDoc::load(snapshot, actor)? })
    }

    pub fn settings(&self) -> Settings {
        autosurgeon::hydrate(&self.inner.doc).unwrap_or_default()
    }

    /// Changes the settings through `f`; nothing is written if it fails.
    pub fn update(&mut self, f: impl FnOnce(&mut Settings) -> Result<(), String>) -> Result<(), SettingsError> {
        let mut s = self.settings();
        f(&mut s).map_err(SettingsError::Invalid)?;
        if let Err(e) = autosurgeon::reconcile(&mut self.inner.doc, &s) {
            self.inner.rollback();
            return Err(SettingsError::Shape(e.to_string()));
        }
        self.inner.mark_dirty();
        Ok(())
    }

    pub fn take_chunk(&mut self) -> Option<Vec<u8>> {
        self.inner.take_chunk()
    }

    pub fn merge_chunk(&mut self, data: &[u8]) -> Result<(), SettingsError> {
        Ok(self.inner.merge_chunk(data)?)
    }

    pub fn save(&mut self) -> Vec<u8> {
        self.inner.save()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(n: u8) -> ActorId {
        ActorId::from(vec![n; 20])
    }

    #[test]
    fn two_devices_that_start_offline_share_one_genesis_and_merge_their_settings() {
        let mut a = WorkspaceDoc::genesis(actor(1));
        let mut b = WorkspaceDoc::genesis(actor(2));
        a.update(|s| {
            s.currency = "USD".into();
            s.custom_fields.insert("vat".into(), CustomFieldDef { label: "VAT no".into(), kind: "text".into(), ..Default::default() });
            Ok(())
        })
        .unwrap();
        b.update(|s| {
            s.tiers.push(Tier { id: "platinum".into(), name: "Platinum".into(), min_points: 20_000 });
            s.pipelines.get_mut("sales").unwrap().stages[0].probability = 5;
            Ok(())
        })
        .unwrap();
        let (ca, cb) = (a.take_chunk().unwrap(), b.take_chunk().unwrap());
        a.merge_chunk(&cb).unwrap();
        b.merge_chunk(&ca).unwrap();
        let (sa, sb) = (a.settings(), b.settings());
        assert_eq!(sa, sb);
        assert_eq!(sa.currency, "USD");
        assert_eq!(sa.custom_fields["vat"].label, "VAT no");
        assert_eq!(sa.tiers.len(), 4);
        assert_eq!(sa.pipelines["sales"].stages[0].probability, 5);
        assert_eq!(sa.pipelines["sales"].stages.len(), 6, "genesis stages are not duplicated");
        assert_eq!(sa.tier_for(1500).unwrap().id, "silver");
        // an edit that fails writes nothing
        assert!(a.update(|s| { s.currency = "X".into(); Err("no".into()) }).is_err());
        assert_eq!(a.settings().currency, "USD");
        assert!(a.take_chunk().is_none());
    }

    #[test]
    fn devices_join_members_and_are_named_by_them() {
        let mut s = Settings::genesis();
        let (d1, d2) = (crate::DeviceId([1; 16]), crate::DeviceId([2; 16]));
        assert_eq!(s.who(&d1), "device 01010101");
        s.join_member("m1", "Li Na", &d1);
        s.join_member("m2", "Wang", &d2);
        assert_eq!(s.who(&d1), "Li Na");
        // a second device of the same person; an empty name keeps the member's name
        s.join_member("m1", "", &d2);
        assert_eq!(s.who(&d2), "Li Na");
        assert!(s.members["m2"].devices.is_empty(), "a device belongs to one member");
        assert_eq!(s.member_of(&d2).unwrap().0, "m1");
        s.join_member("m2", "Wang", &d2);
        assert!(s.publish_device_key(&d1, "k1"));
        assert!(!s.publish_device_key(&d1, "k1"), "already there");
        assert!(s.publish_device_key(&d2, "k2"));
        let d3 = crate::DeviceId([3; 16]);
        assert!(s.publish_device_key(&d3, "k3"), "a device with no member gets one of its own");
        assert_eq!(s.member_of(&d3).unwrap().0, d3.to_string());
        s.join_member("m1", "", &d3);
        assert_eq!(s.members["m1"].keys[&d3.to_string()], "k3", "the key moves with the device");
        assert!(s.remove_member("m1", &d1).is_err(), "not yourself");
        assert!(s.remove_member("nobody", &d1).is_err());
        s.remove_member("m2", &d1).unwrap();
        assert!(s.is_removed(&d2.to_string()) && !s.is_removed(&d1.to_string()));
        let mut want = vec![(d1.to_string(), "k1"), (d3.to_string(), "k3")];
        want.sort();
        let got: Vec<(String, &str)> = s.remaining_device_keys().into_iter().map(|(d, k)| (d.to_string(), k)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn the_genesis_change_is_the_same_in_every_version_of_the_app() {
        // the hash every device built since the analytics release: a new settings field must
        // not change it (see GenesisV2)
        let mut d = WorkspaceDoc::genesis(actor(1));
        let heads: Vec<String> = d.inner.heads().iter().map(|h| h.to_string()).collect();
        assert_eq!(heads, vec!["43f6cbf660f4e56a0852e33f9acf20684c6529f372d1a9db649343eb5a953f0d"]);
        // and a document from before a field existed reads it as its default
        assert!(d.settings().ice_servers.is_empty());
        assert_eq!(d.settings().pipelines.len(), 1);
    }
}
