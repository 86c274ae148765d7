//! Who changed what and when, read from the document's own change graph (DESIGN.md section 6):
//! the history list, the customer "as of" any point in it, the values of a conflicted field with
//! who wrote each, and the raw-document edits behind "keep this value" (resolving a conflict)
//! and "restore" (an earlier value of a field, or a removed item). Keeping and restoring are
//! ordinary new changes, so they reach every device like any other edit.
//!
//! Paths name a place in the document: `phone`, `contacts.<id>.email`, `deals.<id>`.

use super::{scalar_string, Conflict, Customer, CustomerDoc, ModelError};
use crate::ids::DeviceId;
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, Automerge, ChangeHash, ObjId, ObjType, PatchAction, Prop, ReadDoc, Value, ROOT};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The device whose app wrote with `actor`: an actor is the device id plus a per-session
/// suffix ([`super::session_actor`]).
pub fn device_of(actor: &ActorId) -> Option<DeviceId> {
    let b = actor.to_bytes();
    b.get(..16).map(|d| DeviceId(d.try_into().expect("16 bytes")))
}

/// One of the values a conflicted field holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictValue {
    pub value: String,
    /// the operation that wrote it: what [`super::Edit::KeepValue`] names
    pub op: String,
    /// the device that wrote it
    pub device: Option<DeviceId>,
    /// when it was written (ms since the epoch; 0 when the writer did not say)
    pub at: i64,
}

/// What one change did to one place in the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub path: String,
    /// the value before (None: it did not exist); an item reads as its name or title
    pub before: Option<String>,
    /// the value after (None: removed)
    pub after: Option<String>,
    /// the place holds an item (a contact, a deal, ...) rather than a value
    pub item: bool,
}

/// One change in a customer's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub hash: String,
    pub device: Option<DeviceId>,
    /// ms since the epoch; 0 when unknown (changes written before times were recorded)
    pub at: i64,
    pub changes: Vec<FieldChange>,
    /// the document's heads just before this change: restoring a value "as it was before"
    pub before: Vec<String>,
    /// the heads of the history up to and including this change: "view as of" this point
    pub upto: Vec<String>,
}

fn hex_heads(h: &[ChangeHash]) -> Vec<String> {
    h.iter().map(|h| h.to_string()).collect()
}

/// Parses heads named by the UI; a malformed or unknown one is an error, never a panic.
pub fn parse_heads(doc: &Automerge, heads: &[String]) -> Result<Vec<ChangeHash>, ModelError> {
    heads
        .iter()
        .map(|h| {
            let hash: ChangeHash = h.parse().map_err(|_| ModelError::Invalid(format!("{h:?} is not a change id")))?;
            doc.get_change_by_hash(&hash)
                .map(|_| hash)
                .ok_or_else(|| ModelError::Invalid(format!("change {h} is not in this customer's history")))
        })
        .collect()
}

fn prop_name(p: &Prop) -> String {
    match p {
        Prop::Map(k) => k.clone(),
        Prop::Seq(i) => i.to_string(),
    }
}

fn join(path: &[(ObjId, Prop)], last: Option<&Prop>) -> String {
    path.iter().map(|(_, p)| p).chain(last).map(prop_name).collect::<Vec<_>>().join(".")
}

/// The parent object and final key of `path` in `doc`, or the first segment that is missing.
fn locate<R: ReadDoc>(doc: &R, path: &str) -> Result<(ObjId, Prop), usize> {
    let parts: Vec<&str> = path.split('.').collect();
    let mut obj = ROOT;
    for (i, part) in parts.iter().enumerate() {
        let prop = match doc.object_type(&obj) {
            Ok(ObjType::List) | Ok(ObjType::Text) => Prop::Seq(part.parse().map_err(|_| i)?),
            _ => Prop::Map(part.to_string()),
        };
        if i + 1 == parts.len() {
            return Ok((obj, prop));
        }
        match doc.get(&obj, prop) {
            Ok(Some((Value::Object(_), child))) => obj = child,
            _ => return Err(i),
        }
    }
    Err(0)
}

/// A value in words, and whether it is an item. An item reads as its name, title or subject
/// (as of `heads`), so a removed contact is still "Li Na" in the history.
fn display(doc: &Automerge, v: &(Value<'_>, ObjId), heads: &[ChangeHash]) -> (String, bool) {
    match &v.0 {
        Value::Object(ObjType::Map) => {
            let name = ["name", "title", "subject"]
                .iter()
                .find_map(|k| match doc.get_at(&v.1, *k, heads) {
                    Ok(Some((s @ Value::Scalar(_), _))) => Some(scalar_string(&s)).filter(|s| !s.is_empty()),
                    _ => None,
                })
                .unwrap_or_default();
            (name, true)
        }
        Value::Object(_) => (String::new(), true),
        s => (scalar_string(s), false),
    }
}

/// Writes `src`'s value (an object is copied whole, as new objects) at `prop` of `dst_obj`.
fn copy_value(src: &Automerge, value: (Value<'_>, ObjId), dst: &mut AutoCommit, dst_obj: &ObjId, prop: Prop) -> Result<(), ModelError> {
    match value.0 {
        Value::Scalar(s) => {
            dst.put(dst_obj, prop, s.into_owned())?;
        }
        Value::Object(t) => {
            let new = dst.put_object(dst_obj, prop, t)?;
            fill(src, &value.1, t, dst, &new)?;
        }
    }
    Ok(())
}

fn fill(src: &Automerge, from: &ObjId, t: ObjType, dst: &mut AutoCommit, to: &ObjId) -> Result<(), ModelError> {
    match t {
        ObjType::Map | ObjType::Table => {
            for key in src.keys(from) {
                if let Some(v) = src.get(from, key.as_str())? {
                    copy_value(src, v, dst, to, Prop::Map(key))?;
                }
            }
        }
        ObjType::List => {
            for i in 0..src.length(from) {
                match src.get(from, i)? {
                    Some((Value::Scalar(s), _)) => {
                        dst.insert(to, i, s.into_owned())?;
                    }
                    Some((Value::Object(ct), child)) => {
                        let new = dst.insert_object(to, i, ct)?;
                        fill(src, &child, ct, dst, &new)?;
                    }
                    None => {}
                }
            }
        }
        ObjType::Text => {
            dst.splice_text(to, 0, 0, &src.text(from)?)?;
        }
    }
    Ok(())
}

impl CustomerDoc {
    /// Like [`Self::conflicts`], with who wrote each value and when (the shown value first).
    pub fn conflicts_detailed(&mut self) -> Vec<Conflict> {
        let mut out = self.conflicts();
        if out.is_empty() {
            return out;
        }
        let doc = self.inner.doc.document();
        for c in &mut out {
            let Ok((obj, prop)) = locate(doc, &c.path) else { continue };
            let winner = doc.get(&obj, prop.clone()).ok().flatten().map(|(_, id)| id);
            let Ok(mut all) = doc.get_all(&obj, prop) else { continue };
            all.sort_by_key(|(_, id)| Some(id) != winner.as_ref());
            c.values = all
                .into_iter()
                .map(|(v, id)| {
                    let at = doc
                        .hash_for_opid(&id)
                        .and_then(|h| doc.get_change_meta_by_hash(&h).map(|m| m.timestamp))
                        .unwrap_or(0);
                    let device = match &id {
                        ObjId::Id(_, actor, _) => device_of(actor),
                        ObjId::Root => None,
                    };
                    ConflictValue { value: scalar_string(&v), op: id.to_string(), device, at }
                })
                .collect();
        }
        out
    }

    /// The newest `limit` changes, newest first, each with what it did.
    pub fn history(&mut self, limit: usize) -> Vec<Version> {
        let doc = self.inner.doc.document();
        let metas = doc.get_changes_meta(&[]);
        // the heads of each prefix of the (topologically ordered) change list
        let mut heads: BTreeSet<ChangeHash> = BTreeSet::new();
        let mut upto = Vec::with_capacity(metas.len());
        for m in &metas {
            for d in &m.deps {
                heads.remove(d);
            }
            heads.insert(m.hash);
            upto.push(heads.iter().copied().collect::<Vec<_>>());
        }
        let start = metas.len().saturating_sub(limit);
        let mut out = Vec::with_capacity(metas.len() - start);
        for (m, upto) in metas[start..].iter().zip(&upto[start..]).rev() {
            out.push(Version {
                hash: m.hash.to_string(),
                device: device_of(&m.actor),
                at: m.timestamp,
                changes: what_changed(doc, &m.deps, m.hash),
                before: hex_heads(&m.deps),
                upto: hex_heads(upto),
            });
        }
        out
    }

    /// The customer as it was at `heads` (from [`Version::upto`]).
    pub fn customer_as_of(&mut self, heads: &[String]) -> Result<Customer, ModelError> {
        let doc = self.inner.doc.document();
        let heads = parse_heads(doc, heads)?;
        let past = doc.fork_at(&heads)?;
        Ok(autosurgeon::hydrate(&past)?)
    }

    /// Makes `op`'s value the only value of the field at `path` (see [`Self::conflicts_detailed`]).
    pub(super) fn keep_value(&mut self, path: &str, op: &str) -> Result<(), ModelError> {
        let gone = || ModelError::Invalid(format!("{path} no longer holds that value: the conflict was resolved already"));
        let (obj, prop) = locate(&self.inner.doc, path).map_err(|_| gone())?;
        let all = self.inner.doc.get_all(&obj, prop.clone())?;
        let (v, _) = all.into_iter().find(|(_, id)| id.to_string() == op).ok_or_else(gone)?;
        match v {
            Value::Scalar(s) => {
                self.inner.doc.put(&obj, prop, s.into_owned())?;
                Ok(())
            }
            Value::Object(_) => Err(ModelError::Invalid(format!("{path} holds an item, not a value"))),
        }
    }

    /// Sets the place at `path` back to what it was at `heads`: a value, a whole removed item,
    /// or (when it did not exist then) its absence. When an enclosing item has been removed
    /// since, that item is restored whole.
    pub(super) fn restore_value(&mut self, path: &str, heads: &[String]) -> Result<(), ModelError> {
        let past = {
            let doc = self.inner.doc.document();
            let heads = parse_heads(doc, heads)?;
            doc.fork_at(&heads)?
        };
        let parts: Vec<&str> = path.split('.').collect();
        // restore the outermost place that is missing now
        let path = match locate(&self.inner.doc, path) {
            Ok(_) => path.to_string(),
            Err(missing) => parts[..=missing].join("."),
        };
        let (obj, prop) = locate(&self.inner.doc, &path)
            .map_err(|_| ModelError::Invalid(format!("{path} cannot be restored: its place in the customer is gone")))?;
        let then = locate(&past, &path).ok().and_then(|(o, p)| past.get(&o, p).ok().flatten());
        match (then, &prop) {
            (Some(v), Prop::Map(_)) => copy_value(&past, v, &mut self.inner.doc, &obj, prop),
            (None, Prop::Map(k)) => {
                if self.inner.doc.get(&obj, k.as_str())?.is_some() {
                    self.inner.doc.delete(&obj, k.as_str())?;
                }
                Ok(())
            }
            (_, Prop::Seq(_)) => Err(ModelError::Invalid(format!("{path} is an entry of a log, which is never rewritten"))),
        }
    }
}

/// What the change `hash` did, relative to its own dependencies.
fn what_changed(doc: &Automerge, deps: &[ChangeHash], hash: ChangeHash) -> Vec<FieldChange> {
    let mut out: BTreeMap<String, FieldChange> = BTreeMap::new();
    for p in doc.diff(deps, &[hash]) {
        match p.action {
            PatchAction::PutMap { key, value, .. } => {
                let before = doc.get_at(&p.obj, key.as_str(), deps).ok().flatten().map(|v| display(doc, &v, deps));
                let (after, item) = display(doc, &value, &[hash]);
                // a new item is listed by its fields, which follow as their own changes
                if item && before.is_none() {
                    continue;
                }
                let path = join(&p.path, Some(&Prop::Map(key)));
                out.insert(
                    path.clone(),
                    FieldChange { path, before: before.map(|b| b.0), after: Some(after), item },
                );
            }
            PatchAction::DeleteMap { key } => {
                let before = doc.get_at(&p.obj, key.as_str(), deps).ok().flatten().map(|v| display(doc, &v, deps));
                let item = before.as_ref().map(|b| b.1).unwrap_or(false);
                let path = join(&p.path, Some(&Prop::Map(key)));
                out.insert(path.clone(), FieldChange { path, before: before.map(|b| b.0), after: None, item });
            }
            PatchAction::Insert { index, values } => {
                for (i, (v, id, _)) in values.iter().enumerate() {
                    let (after, item) = display(doc, &(v.clone(), id.clone()), &[hash]);
                    let path = join(&p.path, Some(&Prop::Seq(index + i)));
                    out.insert(path.clone(), FieldChange { path, before: None, after: Some(after), item });
                }
            }
            PatchAction::SpliceText { .. } | PatchAction::DeleteSeq { .. }
                if matches!(doc.object_type(&p.obj), Ok(ObjType::Text)) =>
            {
                let path = join(&p.path, None);
                let before = doc.text_at(&p.obj, deps).ok();
                let after = doc.text_at(&p.obj, &[hash]).ok();
                out.insert(path.clone(), FieldChange { path, before, after, item: false });
            }
            _ => {}
        }
    }
    out.into_values().collect()
}
