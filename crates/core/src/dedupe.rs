//! Who is who: customers that are probably the same one entered twice, and the existing
//! customer an imported row or reference means.
//!
//! Everything compares *keys*, canonical forms of what identifies a customer: an email
//! ([`normalize_email`]), a phone's digits ([`normalize_phone`]), an external id, a name
//! without case, spaces or punctuation. Keys go into hash maps, so finding duplicates among
//! 100,000 customers is one pass over them, never a comparison of every pair.
//!
//! Likely duplicates ([`Finder`], [`find_duplicates`]) share
//! - an email or a phone number (of the customer or of one of its contacts), or
//! - an external id (the id in the system they were imported from), or
//! - a name: a company by its name alone; a person by name together with the city or the
//!   email domain (two people called 张伟 in different cities are different people; two at
//!   `qq.com` say nothing, so public mail domains do not count).
//!
//! A key shared by more than [`MAX_SHARED`] customers (a switchboard number, `info@` of a
//! reseller, `000000`) says nothing about identity and is ignored.

use crate::customer::{Kind, Summary};
use crate::import::ImportedCustomer;
use crate::normalize::{fold_width, normalize_email, normalize_phone};
use std::collections::HashMap;
use std::hash::Hash;

/// A key shared by more customers than this is a shared address, not an identity.
pub const MAX_SHARED: usize = 12;

/// Phone numbers with fewer digits than this (`110`, `0`, an extension) identify nobody.
const MIN_PHONE_DIGITS: usize = 7;

/// Mail providers anyone can sign up with: a shared domain there says nothing.
const PUBLIC_MAIL: &[&str] = &[
    "qq.com", "163.com", "126.com", "sina.com", "sina.cn", "sohu.com", "yeah.net", "139.com", "foxmail.com",
    "aliyun.com", "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
    "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.de", "web.de", "mail.ru", "yandex.ru",
];

/// Why customers were grouped, with the value they share (as compared, not as typed).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    Email(String),
    Phone(String),
    ExternalId(String),
    /// the same name (and for persons the same city or email domain); the name as written by
    /// the first of them
    Name(String),
}

/// Customers that are probably one and the same, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// the customers' ids, in list order (by name)
    pub ids: Vec<String>,
    /// every shared key that joined them, emails and phones first
    pub reasons: Vec<Reason>,
}

/// A name compared without case, width, spaces or punctuation: `ACME, Inc.` = `acme inc`,
/// `张 三` = `张三`.
pub fn name_key(name: &str) -> String {
    fold_width(name).chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// An external id compared without surrounding space, width or case.
pub fn external_key(id: &str) -> String {
    fold_width(id.trim()).to_lowercase()
}

fn email_key(email: &str) -> Option<String> {
    let e = normalize_email(email);
    (e.contains('@') && e.len() > 2).then_some(e)
}

fn phone_key(phone: &str) -> Option<String> {
    let p = normalize_phone(phone);
    (p.len() >= MIN_PHONE_DIGITS).then_some(p)
}

fn domain_of(email_key: &str) -> Option<&str> {
    let d = email_key.rsplit_once('@')?.1;
    (!d.is_empty() && !PUBLIC_MAIL.contains(&d)).then_some(d)
}

/// The first byte of a key says what it is; the order is the order reasons are listed in.
const EMAIL: char = '1';
const PHONE: char = '2';
const EXTERNAL: char = '3';
const NAME: char = '4';

fn hash_of(key: &str) -> u64 {
    use std::hash::Hasher;
    // fixed keys: the same text always hashes the same (only order matters here)
    let mut h = std::collections::hash_map::DefaultHasher::new();
    h.write(key.as_bytes());
    h.finish()
}

/// Collects customers one at a time (so a page can spread the work over frames) and then
/// groups the likely duplicates.
///
/// Keys are kept flat, `(hash, customer, key)` in one vector, and grouped by sorting it: no
/// map of 400,000 small vectors for 100,000 customers. Equal hashes are checked against the
/// key text, so a hash collision never joins anyone.
#[derive(Default)]
pub struct Finder {
    ids: Vec<String>,
    names: Vec<String>,
    /// (hash of the key, customer index, index into `keys`)
    entries: Vec<(u64, u32, u32)>,
    /// each key's text: its kind character, then the compared value
    keys: Vec<String>,
}

impl Finder {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many customers were added.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn key(&mut self, i: u32, kind: char, parts: &[&str]) {
        let mut k = String::with_capacity(1 + parts.iter().map(|p| p.len() + 1).sum::<usize>());
        k.push(kind);
        for (n, p) in parts.iter().enumerate() {
            if n > 0 {
                k.push('\u{0}');
            }
            k.push_str(p);
        }
        self.entries.push((hash_of(&k), i, self.keys.len() as u32));
        self.keys.push(k);
    }

    /// Adds a customer. Customers in the Trash are not candidates and are passed over.
    pub fn add(&mut self, s: &Summary) {
        if s.is_deleted() {
            return;
        }
        let i = self.ids.len() as u32;
        self.ids.push(s.id.clone());
        self.names.push(s.name.clone());
        let mut emails: Vec<String> = s.emails.iter().chain([&s.email]).filter_map(|e| email_key(e)).collect();
        emails.sort_unstable();
        emails.dedup();
        let mut phones: Vec<String> = s.phones.iter().chain([&s.phone]).filter_map(|p| phone_key(p)).collect();
        phones.sort_unstable();
        phones.dedup();
        for e in &emails {
            self.key(i, EMAIL, &[e]);
        }
        for p in &phones {
            self.key(i, PHONE, &[p]);
        }
        let ext = external_key(&s.external_id);
        if !ext.is_empty() {
            self.key(i, EXTERNAL, &[&ext]);
        }
        let name = name_key(&s.name);
        if name.is_empty() {
            return;
        }
        match s.kind {
            Kind::Company => self.key(i, NAME, &["company", &name]),
            Kind::Person => {
                let city = name_key(&s.city);
                if !city.is_empty() {
                    self.key(i, NAME, &["city", &name, &city]);
                }
                let mut domains: Vec<&str> = emails.iter().filter_map(|e| domain_of(e)).collect();
                domains.dedup();
                for d in domains {
                    self.key(i, NAME, &["mail", &name, d]);
                }
            }
        }
    }

    /// The groups of likely duplicates: every customer that shares a key with another, joined
    /// transitively (A and B share a phone, B and C an email: A, B and C are one group).
    pub fn groups(mut self) -> Vec<Group> {
        let n = self.ids.len();
        let mut parent: Vec<u32> = (0..n as u32).collect();
        fn root(parent: &mut [u32], mut i: u32) -> u32 {
            while parent[i as usize] != i {
                let up = parent[parent[i as usize] as usize];
                parent[i as usize] = up;
                i = up;
            }
            i
        }
        self.entries.sort_unstable();
        // (key index, members) of every key shared by 2..=MAX_SHARED customers
        let mut joining: Vec<(u32, Vec<u32>)> = Vec::new();
        let mut start = 0;
        while start < self.entries.len() {
            let hash = self.entries[start].0;
            let end = start + self.entries[start..].iter().take_while(|e| e.0 == hash).count();
            let run = &self.entries[start..end];
            start = end;
            if run.len() < 2 {
                continue;
            }
            // almost always one key per hash; a collision splits by the key's text
            let mut texts: Vec<&str> = run.iter().map(|e| self.keys[e.2 as usize].as_str()).collect();
            texts.sort_unstable();
            texts.dedup();
            for text in texts {
                let mut members: Vec<u32> =
                    run.iter().filter(|e| self.keys[e.2 as usize] == text).map(|e| e.1).collect();
                members.dedup();
                if members.len() >= 2 && members.len() <= MAX_SHARED {
                    let key = run.iter().find(|e| self.keys[e.2 as usize] == text).map_or(0, |e| e.2);
                    joining.push((key, members));
                }
            }
        }
        for (_, members) in &joining {
            let first = root(&mut parent, members[0]);
            for &m in &members[1..] {
                let r = root(&mut parent, m);
                if r != first {
                    parent[r as usize] = first;
                }
            }
        }
        // reasons per group: emails, phones, ids, names, each in order of first member
        joining.sort_by(|a, b| {
            let kind = |k: u32| self.keys[k as usize].chars().next();
            kind(a.0).cmp(&kind(b.0)).then_with(|| a.1[0].cmp(&b.1[0]))
        });
        let mut reasons: HashMap<u32, Vec<Reason>> = HashMap::new();
        for (key, members) in &joining {
            let text = &self.keys[*key as usize];
            let reason = match text.chars().next() {
                Some(EMAIL) => Reason::Email(text[1..].to_string()),
                Some(PHONE) => Reason::Phone(text[1..].to_string()),
                Some(EXTERNAL) => Reason::ExternalId(text[1..].to_string()),
                _ => Reason::Name(self.names[members[0] as usize].trim().to_string()),
            };
            let list = reasons.entry(root(&mut parent, members[0])).or_default();
            if !list.contains(&reason) {
                list.push(reason);
            }
        }
        let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
        for i in 0..n as u32 {
            let r = root(&mut parent, i);
            if reasons.contains_key(&r) {
                members.entry(r).or_default().push(i);
            }
        }
        let sort_key = |i: &u32| {
            let name = &self.names[*i as usize];
            (name.is_empty(), name.to_lowercase(), self.ids[*i as usize].clone())
        };
        let mut groups: Vec<(_, Group)> = members
            .into_iter()
            .map(|(r, mut m)| {
                m.sort_by_cached_key(sort_key);
                let first = sort_key(&m[0]);
                let ids = m.iter().map(|&i| self.ids[i as usize].clone()).collect();
                (first, Group { ids, reasons: reasons.remove(&r).unwrap_or_default() })
            })
            .collect();
        groups.sort_by(|a, b| a.0.cmp(&b.0));
        groups.into_iter().map(|(_, g)| g).collect()
    }
}

/// The likely duplicates among `summaries` (see [`Finder`]).
pub fn find_duplicates(summaries: &[Summary]) -> Vec<Group> {
    let mut f = Finder::new();
    for s in summaries {
        f.add(s);
    }
    f.groups()
}

/// How an import row or reference was matched to a customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchedBy {
    ExternalId,
    Email,
    Phone,
    Name,
}

/// What a customer reference (an order's or contact's `customer` column) points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved<Id> {
    Found(Id, MatchedBy),
    /// the reference names several customers (a name shared by `count` of them)
    Ambiguous { count: usize },
    NotFound,
}

/// The identifying keys of customers, to match imported rows against: those already stored
/// and those the import itself is creating. `Id` is whatever the caller names them by.
pub struct Index<Id> {
    external: HashMap<String, Vec<Id>>,
    email: HashMap<String, Vec<Id>>,
    phone: HashMap<String, Vec<Id>>,
    name: HashMap<String, Vec<Id>>,
}

impl<Id> Default for Index<Id> {
    fn default() -> Self {
        Self { external: HashMap::new(), email: HashMap::new(), phone: HashMap::new(), name: HashMap::new() }
    }
}

fn push_unique<K: Hash + Eq, Id: PartialEq>(map: &mut HashMap<K, Vec<Id>>, key: K, id: Id) {
    let list = map.entry(key).or_default();
    if !list.contains(&id) {
        list.push(id);
    }
}

impl<Id: Clone + PartialEq> Index<Id> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a customer's keys. Empty and meaningless values (`n/a` as a phone) are skipped.
    pub fn add<'a>(
        &mut self,
        id: Id,
        external_id: &str,
        name: &str,
        emails: impl IntoIterator<Item = &'a str>,
        phones: impl IntoIterator<Item = &'a str>,
    ) {
        let ext = external_key(external_id);
        if !ext.is_empty() {
            push_unique(&mut self.external, ext, id.clone());
        }
        let n = name_key(name);
        if !n.is_empty() {
            push_unique(&mut self.name, n, id.clone());
        }
        for e in emails.into_iter().filter_map(email_key) {
            push_unique(&mut self.email, e, id.clone());
        }
        for p in phones.into_iter().filter_map(phone_key) {
            push_unique(&mut self.phone, p, id.clone());
        }
    }

    /// The customer an imported customer row is (already) - by external id, else email,
    /// else phone. Names alone never match a row: two customers may share one.
    pub fn match_customer(&self, c: &ImportedCustomer) -> Option<(Id, MatchedBy)> {
        let first = |map: &HashMap<String, Vec<Id>>, key: Option<String>| -> Option<Id> {
            map.get(&key?).and_then(|ids| ids.first().cloned())
        };
        let ext = Some(external_key(&c.external_id)).filter(|k| !k.is_empty());
        if let Some(id) = first(&self.external, ext) {
            return Some((id, MatchedBy::ExternalId));
        }
        if let Some(id) = first(&self.email, email_key(&c.email)) {
            return Some((id, MatchedBy::Email));
        }
        first(&self.phone, phone_key(&c.phone)).map(|id| (id, MatchedBy::Phone))
    }

    /// The customer a reference written in an order or contact row means: an external id,
    /// an email, a phone number or a name, tried in that order.
    pub fn resolve(&self, reference: &str) -> Resolved<Id> {
        let one = |ids: Option<&Vec<Id>>, by| match ids.map(Vec::as_slice) {
            Some([id]) => Some(Resolved::Found(id.clone(), by)),
            Some(ids) if ids.len() > 1 => Some(Resolved::Ambiguous { count: ids.len() }),
            _ => None,
        };
        let ext = external_key(reference);
        if ext.is_empty() {
            return Resolved::NotFound;
        }
        one(self.external.get(&ext), MatchedBy::ExternalId)
            .or_else(|| one(email_key(reference).and_then(|k| self.email.get(&k)), MatchedBy::Email))
            .or_else(|| {
                // digits with separators only: a name like "3M" must not be read as a phone
                let phone_like = reference.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c));
                let key = phone_key(reference).filter(|_| phone_like);
                one(key.and_then(|k| self.phone.get(&k)), MatchedBy::Phone)
            })
            .or_else(|| one(self.name.get(&name_key(reference)), MatchedBy::Name))
            .unwrap_or(Resolved::NotFound)
    }
}

impl Index<String> {
    /// The keys of every customer not in the Trash, named by document id.
    pub fn of_summaries(summaries: &[Summary]) -> Self {
        let mut index = Index::new();
        for s in summaries.iter().filter(|s| !s.is_deleted()) {
            index.add(
                s.id.clone(),
                &s.external_id,
                &s.name,
                s.emails.iter().chain([&s.email]).map(String::as_str),
                s.phones.iter().chain([&s.phone]).map(String::as_str),
            );
        }
        index
    }
}

/// The existing customer (document id) an imported row duplicates, if any: the same external
/// id, email or phone.
pub fn match_existing(index: &Index<String>, row: &ImportedCustomer) -> Option<String> {
    index.match_customer(row).map(|(id, _)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(id: &str, kind: Kind, name: &str, email: &str, phone: &str) -> Summary {
        Summary {
            id: id.into(),
            kind,
            name: name.into(),
            email: email.into(),
            phone: phone.into(),
            emails: [email.to_string()].into_iter().filter(|e| !e.is_empty()).collect(),
            phones: [phone.to_string()].into_iter().filter(|p| !p.is_empty()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn keys_fold_case_width_and_punctuation() {
        assert_eq!(name_key(" ACME, Inc. "), "acmeinc");
        assert_eq!(name_key("张 三"), "张三");
        assert_eq!(external_key(" Ｃ001 "), "c001");
        assert_eq!(phone_key("110"), None);
        assert_eq!(email_key("n/a"), None);
    }

    #[test]
    fn a_key_everyone_shares_joins_nobody() {
        let all: Vec<Summary> =
            (0..=MAX_SHARED).map(|i| s(&format!("{i}"), Kind::Person, &format!("P{i}"), "", "400-800-8888")).collect();
        assert!(find_duplicates(&all).is_empty());
        assert_eq!(find_duplicates(&all[..2]).len(), 1);
    }

    #[test]
    fn deleted_customers_are_not_candidates() {
        let mut b = s("b", Kind::Company, "ACME", "", "");
        b.deleted_at = 5;
        assert!(find_duplicates(&[s("a", Kind::Company, "Acme", "", ""), b]).is_empty());
    }

    #[test]
    fn references_resolve_by_id_email_phone_then_name() {
        let index = Index::of_summaries(&[
            Summary { external_id: "00004".into(), ..s("a", Kind::Company, "3M", "buy@3m.example", "+86 138 0013 8000") },
            s("b", Kind::Person, "张伟", "", ""),
            s("c", Kind::Person, "张伟", "", ""),
        ]);
        assert_eq!(index.resolve("00004"), Resolved::Found("a".into(), MatchedBy::ExternalId));
        assert_eq!(index.resolve("BUY@3m.example"), Resolved::Found("a".into(), MatchedBy::Email));
        assert_eq!(index.resolve("13800138000"), Resolved::Found("a".into(), MatchedBy::Phone));
        assert_eq!(index.resolve("3m"), Resolved::Found("a".into(), MatchedBy::Name));
        assert_eq!(index.resolve("张伟"), Resolved::Ambiguous { count: 2 });
        assert_eq!(index.resolve("4"), Resolved::NotFound);
        assert_eq!(index.resolve("  "), Resolved::NotFound);
    }
}
