//! Putting customer data together: one customer merged into another ([`merge_into`]), and
//! the rows of an import file turned into new customers and additions to existing ones
//! ([`ImportPlan`]).
//!
//! Both add and fill, never overwrite or drop. A merge keeps every contact, deal,
//! interaction, task, note, ticket, order, survey answer, loyalty entry, tag and custom field
//! of both customers, and fills the fields the kept customer has empty; an email or phone of
//! the merged-away customer that the kept one would lose becomes a contact. The results are
//! [`Edit`]s, so they apply through the document like any edit (one transaction, synced,
//! conflict-free), and the merged-away customer gets [`Edit::MergedInto`] (Trash, restorable).
//!
//! Copied items keep their ids, which is what makes merging again harmless: an item the kept
//! customer already holds unchanged is not copied twice. Only a different item under the same
//! id (ids are random, so practically never) is copied under an id derived from the source.

use crate::customer::{
    new_id, Contact, ContactField, Customer, Edit, Field, Flag, Interaction, Kind, LoyaltyEntry, Note, Order, Summary,
    Survey, Task, Ticket, INTERACTION_KINDS, TICKET_STATUSES,
};
use crate::dedupe::{Index, Resolved};
use crate::import::{ImportedContact, ImportedCustomer, ImportedOrder, Record};
use crate::normalize::{normalize_email, normalize_phone};
use std::collections::{BTreeMap, HashMap};


/// A customer being changed: every change is made to the copy *and* recorded as the
/// [`Edit`] that makes it in the document, so the copy is always what the document will hold.
struct Builder {
    c: Customer,
    edits: Vec<Edit>,
}

impl Builder {
    fn new(c: Customer) -> Self {
        Self { c, edits: Vec::new() }
    }

    /// Sets `f` to `v` if the customer has it empty.
    fn fill(&mut self, f: Field, v: &str) {
        let v = v.trim();
        if v.is_empty() {
            return;
        }
        if let Some(s) = f.slot(&mut self.c) {
            if s.trim().is_empty() {
                *s = v.to_string();
                self.edits.push(Edit::Set(f, v.to_string()));
            }
        }
    }

    fn do_not_call(&mut self) {
        if !self.c.do_not_call {
            self.c.do_not_call = true;
            self.edits.push(Edit::SetFlag(Flag::DoNotCall, true));
        }
    }

    fn email_opt_in(&mut self, v: bool) {
        if self.c.email_opt_in != v {
            self.c.email_opt_in = v;
            self.edits.push(Edit::SetFlag(Flag::EmailOptIn, v));
        }
    }

    fn tag(&mut self, t: &str) {
        let t = t.trim();
        if !t.is_empty() && !self.c.tags.contains_key(t) {
            self.c.tags.insert(t.to_string(), true);
            self.edits.push(Edit::AddTag(t.to_string()));
        }
    }

    fn custom(&mut self, key: &str, value: &str) {
        if !value.is_empty() && self.c.custom.get(key).is_none_or(|v| v.is_empty()) {
            self.c.custom.insert(key.to_string(), value.to_string());
            self.edits.push(Edit::SetCustom { key: key.to_string(), value: value.to_string() });
        }
    }

    /// Adds `contact` under `id` as the edits can write it: its important dates (which no
    /// edit writes one by one) are kept as lines of its note.
    fn contact(&mut self, id: &str, contact: &Contact) {
        let contact = as_copied_contact(contact);
        self.edits.push(Edit::AddContact { id: id.to_string() });
        for f in ContactField::ALL {
            let v = f.get(&contact);
            if !v.is_empty() {
                self.edits.push(Edit::SetContact { id: id.to_string(), field: f, value: v });
            }
        }
        if !contact.emails.is_empty() {
            self.edits.push(Edit::SetContactOthers { id: id.to_string(), phones: false, values: contact.emails.clone() });
        }
        if !contact.phones.is_empty() {
            self.edits.push(Edit::SetContactOthers { id: id.to_string(), phones: true, values: contact.phones.clone() });
        }
        self.c.contacts.insert(id.to_string(), contact);
    }

    fn note(&mut self, id: &str, author: &str, at: i64, text: &str) {
        let note = Note { text: autosurgeon::Text::with_value(text), author: author.to_string(), created_at: at, updated_at: at };
        self.c.notes.insert(id.to_string(), note);
        self.edits.push(Edit::AddNote { id: id.to_string(), author: author.to_string(), at, text: text.to_string() });
    }

    fn order(&mut self, o: Order) {
        self.c.orders.push(o.clone());
        self.edits.push(Edit::AddOrder(o));
    }

    /// Every email and phone key the customer can be reached by (profile and contacts).
    fn reachable(&self) -> (Vec<String>, Vec<String>) {
        let mut emails = vec![normalize_email(&self.c.email)];
        let mut phones = vec![normalize_phone(&self.c.phone)];
        for ct in self.c.contacts.values() {
            emails.extend(ct.all_emails().map(normalize_email));
            phones.extend(ct.all_phones().map(normalize_phone));
        }
        (emails, phones)
    }
}

/// A contact as [`Builder::contact`] writes it (and [`Edit::SetContactOthers`] stores it).
fn as_copied_contact(c: &Contact) -> Contact {
    let mut c = c.clone();
    for list in [&mut c.emails, &mut c.phones] {
        *list = list.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    }
    if !c.dates.is_empty() {
        let lines: Vec<String> = c.dates.iter().map(|(label, date)| format!("{label}: {date}")).collect();
        if !c.note.is_empty() {
            c.note.push('\n');
        }
        c.note.push_str(&lines.join("\n"));
        c.dates = BTreeMap::new();
    }
    c
}

/// The id an item of the source gets in the target: its own, unless the target holds a
/// different item under it. `None` when the item is there already (an earlier merge).
fn copy_id<T: PartialEq>(id: &str, item: &T, source_id: &str, existing: impl Fn(&str) -> Option<T>) -> Option<String> {
    match existing(id) {
        None => Some(id.to_string()),
        Some(t) if t == *item => None,
        Some(_) => {
            let short: String = source_id.chars().take(8).collect();
            let derived = format!("{id}-{short}");
            existing(&derived).is_none().then_some(derived)
        }
    }
}

/// The result of [`merge_into`].
#[derive(Clone, Debug)]
pub struct Merged {
    /// the edits that merge the source into the target, in order
    pub edits: Vec<Edit>,
    /// the target as it is after those edits (to merge a further customer into)
    pub customer: Customer,
}

/// Merges `source` (document `source_id`) into `target`: see the module documentation.
/// Merging the same source again gives no edits.
pub fn merge_into(target: &Customer, source: &Customer, source_id: &str) -> Merged {
    let mut b = Builder::new(target.clone());
    // every profile string a customer can have empty (the kind always has a value)
    for f in Field::ALL.into_iter().filter(|f| *f != Field::Kind) {
        b.fill(f, f.get(source));
    }
    // an email or phone the kept customer does not have would be lost with the merged one
    let (emails, phones) = b.reachable();
    let lost_email = Some(source.email.trim()).filter(|e| !e.is_empty() && !emails.contains(&normalize_email(e)));
    let lost_phone = Some(source.phone.trim()).filter(|p| !p.is_empty() && !phones.contains(&normalize_phone(p)));
    let keep_id = format!("merged-{source_id}");
    if (lost_email.is_some() || lost_phone.is_some()) && !b.c.contacts.contains_key(&keep_id) {
        let contact = Contact {
            name: source.name.clone(),
            email: lost_email.unwrap_or_default().to_string(),
            phone: lost_phone.unwrap_or_default().to_string(),
            ..Default::default()
        };
        b.contact(&keep_id, &contact);
    }
    if source.do_not_call {
        b.do_not_call();
    }
    if source.email_opt_in && !target.email_opt_in && target.email.is_empty() {
        b.email_opt_in(true);
    }
    for t in source.tags.keys() {
        b.tag(t);
    }
    for (k, v) in &source.custom {
        b.custom(k, v);
    }
    for (id, ct) in &source.contacts {
        let copied = as_copied_contact(ct);
        if let Some(id) = copy_id(id, &copied, source_id, |i| b.c.contacts.get(i).cloned()) {
            b.contact(&id, ct);
        }
    }
    for (id, d) in &source.deals {
        let mut d = d.clone();
        if d.title.trim().is_empty() {
            d.title = if source.name.is_empty() { "-".into() } else { source.name.clone() };
        }
        if let Some(id) = copy_id(id, &d, source_id, |i| b.c.deals.get(i).cloned()) {
            b.c.deals.insert(id.clone(), d.clone());
            b.edits.push(Edit::PutDeal { id, deal: d });
        }
    }
    for i in &source.interactions {
        let mut i = i.clone();
        if !INTERACTION_KINDS.contains(&i.kind.as_str()) {
            // a kind this version does not know: kept in words rather than refused
            i.summary = format!("[{}] {}", i.kind, i.summary);
            i.kind = "chat".into();
        }
        let existing = |id: &str| b.c.interactions.iter().find(|x| x.id == id).map(|x| Interaction { id: i.id.clone(), ..x.clone() });
        if let Some(id) = copy_id(&i.id.clone(), &i, source_id, existing) {
            i.id = id;
            b.c.interactions.push(i.clone());
            b.edits.push(Edit::LogInteraction(i));
        }
    }
    for (id, t) in &source.tasks {
        let mut t: Task = t.clone();
        if t.title.trim().is_empty() {
            t.title = "-".into();
        }
        if let Some(id) = copy_id(id, &t, source_id, |i| b.c.tasks.get(i).cloned()) {
            b.c.tasks.insert(id.clone(), t.clone());
            b.edits.push(Edit::PutTask { id, task: t });
        }
    }
    for (id, n) in &source.notes {
        let copied = Note { updated_at: n.created_at, ..n.clone() };
        if let Some(id) = copy_id(id, &copied, source_id, |i| b.c.notes.get(i).cloned()) {
            b.note(&id, &n.author, n.created_at, n.text.as_str());
        }
    }
    for (id, t) in &source.tickets {
        let mut t: Ticket = t.clone();
        if t.subject.trim().is_empty() {
            t.subject = "-".into();
        }
        if !TICKET_STATUSES.contains(&t.status.as_str()) {
            t.status = "new".into();
        }
        if let Some(id) = copy_id(id, &t, source_id, |i| b.c.tickets.get(i).cloned()) {
            b.c.tickets.insert(id.clone(), t.clone());
            b.edits.push(Edit::PutTicket { id, ticket: t });
        }
    }
    for o in &source.orders {
        let existing = |id: &str| b.c.orders.iter().find(|x| x.id == id).map(|x| Order { id: o.id.clone(), ..x.clone() });
        if let Some(id) = copy_id(&o.id, o, source_id, existing) {
            b.order(Order { id, ..o.clone() });
        }
    }
    for s in &source.surveys {
        let existing = |id: &str| b.c.surveys.iter().find(|x| x.id == id).map(|x| Survey { id: s.id.clone(), ..x.clone() });
        if let Some(id) = copy_id(&s.id, s, source_id, existing) {
            let s = Survey { id, ..s.clone() };
            b.c.surveys.push(s.clone());
            b.edits.push(Edit::AddSurvey(s));
        }
    }
    for l in &source.loyalty {
        let existing =
            |id: &str| b.c.loyalty.iter().find(|x| x.id == id).map(|x| LoyaltyEntry { id: l.id.clone(), ..x.clone() });
        if let Some(id) = copy_id(&l.id, l, source_id, existing) {
            let l = LoyaltyEntry { id, ..l.clone() };
            b.c.loyalty.push(l.clone());
            b.edits.push(Edit::AddLoyalty(l));
        }
    }
    Merged { edits: b.edits, customer: b.c }
}

/// The edits for the merged-away customer: it records where it went and moves to the Trash.
pub fn mark_merged(target_id: &str, at: i64, by: &str) -> Vec<Edit> {
    vec![Edit::MergedInto { target: target_id.to_string(), at, by: by.to_string() }]
}

// ---- import -------------------------------------------------------------------------------

/// What to do with an imported row that is a customer already there (same external id, email
/// or phone), a contact the customer already has, or an order number it already has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum OnDuplicate {
    /// leave the existing one as it is
    #[default]
    Skip,
    /// fill in what the existing one has empty (and add new emails, phones, tags)
    FillEmpty,
    /// import the row anyway, as another customer / contact / order
    AsNew,
}

/// The decisions and defaults of one import run.
#[derive(Clone, Debug)]
pub struct PlanOptions {
    pub on_duplicate: OnDuplicate,
    /// for amounts the file gives without a currency
    pub currency: String,
    /// the moment of the import (customers' `created_at`, notes' time)
    pub now: i64,
    /// who imports (notes' author)
    pub author: String,
    /// the name of a customer created for an order or contact whose customer reference is an
    /// id (`Customer {}`, in the user's language); `{}` is the id
    pub name_for_id: String,
}

/// A row the plan refuses although it read fine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanProblem {
    /// the row's customer reference (a name) fits several customers
    AmbiguousCustomer { reference: String, count: usize },
}

/// Something to add to an existing customer, worked out against its document as stored when
/// it is written ([`apply_to_existing`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Pending {
    /// an imported customer row matching this customer (fill its empty fields)
    Fill(ImportedCustomer),
    Contact(ImportedContact),
    Order(Order),
}

/// Additions to existing customers: (document id, what to add), in the file's order.
pub type Additions = Vec<(String, Vec<Pending>)>;

/// Counts of an import run so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlanStats {
    /// rows taken in (not refused)
    pub rows: u64,
    /// customer rows matching a customer (stored or earlier in the file), and contacts or
    /// order numbers the customer had already
    pub duplicates: u64,
    /// of those, left out
    pub skipped: u64,
    pub orders: u64,
    pub contacts: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Who {
    Existing(String),
    New(usize),
}

/// An import run's outcome before anything is written: the customers to create (with their
/// orders and contacts) and what to add to existing ones. Building it writes nothing, so a
/// cancelled import before the write leaves nothing behind.
pub struct ImportPlan {
    opts: PlanOptions,
    index: Index<Who>,
    pub new: Vec<Customer>,
    updates: Additions,
    update_at: HashMap<String, usize>,
    pub stats: PlanStats,
}

impl ImportPlan {
    /// A plan against the customers there are (`existing`; those in the Trash are not matched).
    pub fn new(existing: &[Summary], opts: PlanOptions) -> Self {
        let mut plan = Self::empty(opts);
        for s in existing {
            plan.know(s);
        }
        plan
    }

    /// A plan that knows no customer yet: give it the existing ones with [`Self::know`]
    /// (a page does so a slice at a time) before the first record.
    pub fn empty(opts: PlanOptions) -> Self {
        Self {
            opts,
            index: Index::new(),
            new: Vec::new(),
            updates: Vec::new(),
            update_at: HashMap::new(),
            stats: PlanStats::default(),
        }
    }

    /// Makes an existing customer matchable (one in the Trash is passed over).
    pub fn know(&mut self, s: &Summary) {
        if s.is_deleted() {
            return;
        }
        self.index.add(
            Who::Existing(s.id.clone()),
            &s.external_id,
            &s.name,
            s.emails.iter().chain([&s.email]).map(String::as_str),
            s.phones.iter().chain([&s.phone]).map(String::as_str),
        );
    }

    /// The existing customers (document ids) that get additions, with them.
    pub fn updates(&self) -> &[(String, Vec<Pending>)] {
        &self.updates
    }

    /// The customers to create and the additions to existing customers.
    pub fn into_parts(self) -> (Vec<Customer>, Additions, PlanStats) {
        (self.new, self.updates, self.stats)
    }

    /// Takes in one record read from the file.
    pub fn add(&mut self, record: Record) -> Result<(), PlanProblem> {
        match record {
            Record::Customer(row) => self.add_customer(row),
            Record::Contact(row) => {
                let who = self.customer_for(&row.customer, Kind::Company)?;
                self.stats.rows += 1;
                self.with(who, Pending::Contact(row));
            }
            Record::Order(row) => {
                let who = self.customer_for(&row.customer, Kind::Person)?;
                self.stats.rows += 1;
                let order = order_from(&row, &self.opts.currency);
                self.with(who, Pending::Order(order));
            }
        }
        Ok(())
    }

    fn add_customer(&mut self, row: ImportedCustomer) {
        self.stats.rows += 1;
        let found = self.index.match_customer(&row);
        if let Some((who, _)) = found {
            self.stats.duplicates += 1;
            match self.opts.on_duplicate {
                OnDuplicate::Skip => {
                    self.stats.skipped += 1;
                    return;
                }
                OnDuplicate::FillEmpty => {
                    self.index_row(who.clone(), &row);
                    self.with(who, Pending::Fill(row));
                    return;
                }
                OnDuplicate::AsNew => {}
            }
        }
        let c = customer_from(&row, self.opts.now, &self.opts.author);
        self.push_new(c);
    }

    fn index_row(&mut self, who: Who, row: &ImportedCustomer) {
        self.index.add(who, &row.external_id, &row.name, [row.email.as_str()], [row.phone.as_str()]);
    }

    fn push_new(&mut self, c: Customer) -> Who {
        let who = Who::New(self.new.len());
        let emails = c.contacts.values().flat_map(|ct| ct.all_emails()).chain([c.email.as_str()]);
        let phones = c.contacts.values().flat_map(|ct| ct.all_phones()).chain([c.phone.as_str()]);
        self.index.add(who.clone(), &c.external_id, &c.name, emails, phones);
        self.new.push(c);
        who
    }

    /// The customer an order or contact row belongs to; one is created for a reference that
    /// fits nobody.
    fn customer_for(&mut self, reference: &str, kind: Kind) -> Result<Who, PlanProblem> {
        match self.index.resolve(reference) {
            Resolved::Found(who, _) => Ok(who),
            Resolved::Ambiguous { count } => {
                Err(PlanProblem::AmbiguousCustomer { reference: reference.trim().to_string(), count })
            }
            Resolved::NotFound => {
                let c = customer_for_reference(reference, kind, &self.opts);
                Ok(self.push_new(c))
            }
        }
    }

    fn with(&mut self, who: Who, p: Pending) {
        match who {
            Who::New(i) => {
                let c = std::mem::take(&mut self.new[i]);
                let mut b = Builder::new(c);
                let added = apply(&mut b, &p, self.opts.on_duplicate, &self.opts.author, self.opts.now);
                self.new[i] = b.c;
                let mut counts = Applied::default();
                counts.count(&p, added);
                self.stats.contacts += counts.contacts;
                self.stats.orders += counts.orders;
                self.stats.duplicates += counts.duplicates;
                self.stats.skipped += counts.skipped;
            }
            Who::Existing(id) => {
                let at = *self.update_at.entry(id.clone()).or_insert_with(|| {
                    self.updates.push((id.clone(), Vec::new()));
                    self.updates.len() - 1
                });
                self.updates[at].1.push(p);
            }
        }
    }
}

/// What became of one pending item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Added {
    Yes,
    /// the customer had it already: left out
    Skipped,
    /// the customer had it already: its empty fields filled in
    Filled,
}

/// What applying an existing customer's pending additions did. Contacts and orders of
/// existing customers are counted here, when their documents are at hand, not in
/// [`PlanStats`].
#[derive(Clone, Debug, Default)]
pub struct Applied {
    pub edits: Vec<Edit>,
    pub contacts: u64,
    pub orders: u64,
    /// contacts and orders the customer had already (see [`OnDuplicate`])
    pub duplicates: u64,
    /// of those, left out
    pub skipped: u64,
}

impl Applied {
    fn count(&mut self, p: &Pending, added: Added) {
        match added {
            Added::Yes => match p {
                Pending::Contact(_) => self.contacts += 1,
                Pending::Order(_) => self.orders += 1,
                Pending::Fill(_) => {}
            },
            Added::Skipped => {
                self.duplicates += 1;
                self.skipped += 1;
            }
            Added::Filled => self.duplicates += 1,
        }
    }
}

/// The edits that add `pending` to `target` (an existing customer as stored now).
pub fn apply_to_existing(target: &Customer, pending: &[Pending], on_duplicate: OnDuplicate, author: &str, now: i64) -> Applied {
    let mut b = Builder::new(target.clone());
    let mut out = Applied::default();
    for p in pending {
        let added = apply(&mut b, p, on_duplicate, author, now);
        out.count(p, added);
    }
    out.edits = b.edits;
    out
}

fn apply(b: &mut Builder, p: &Pending, on_duplicate: OnDuplicate, author: &str, now: i64) -> Added {
    match p {
        Pending::Fill(row) => {
            fill_from_row(b, row, author, now);
            Added::Yes
        }
        Pending::Order(o) => {
            let known = !o.external_id.is_empty() && b.c.orders.iter().any(|x| x.external_id == o.external_id);
            if known && on_duplicate != OnDuplicate::AsNew {
                return Added::Skipped;
            }
            b.order(Order { id: fresh_id(|id| b.c.orders.iter().any(|x| x.id == id)), ..o.clone() });
            Added::Yes
        }
        Pending::Contact(row) => add_contact(b, row, on_duplicate),
    }
}

fn fresh_id(taken: impl Fn(&str) -> bool) -> String {
    loop {
        let id = new_id();
        if !taken(&id) {
            return id;
        }
    }
}

fn add_contact(b: &mut Builder, row: &ImportedContact, on_duplicate: OnDuplicate) -> Added {
    let emails: Vec<String> = row.emails.iter().map(|e| normalize_email(e)).collect();
    let phones: Vec<String> = row.phones.iter().map(|p| normalize_phone(p)).filter(|p| !p.is_empty()).collect();
    let name = crate::dedupe::name_key(&row.name);
    let same = b.c.contacts.iter().find(|(_, ct)| {
        (!name.is_empty() && crate::dedupe::name_key(&ct.name) == name)
            || ct.all_emails().any(|e| emails.contains(&normalize_email(e)))
            || ct.all_phones().any(|p| phones.contains(&normalize_phone(p)))
    });
    let incoming = contact_from(row);
    match (same, on_duplicate) {
        (None, _) | (Some(_), OnDuplicate::AsNew) => {
            let id = fresh_id(|id| b.c.contacts.contains_key(id));
            b.contact(&id, &incoming);
            Added::Yes
        }
        (Some(_), OnDuplicate::Skip) => Added::Skipped,
        (Some((id, existing)), OnDuplicate::FillEmpty) => {
            let (id, existing) = (id.clone(), existing.clone());
            for f in ContactField::ALL {
                let v = f.get(&incoming);
                if !v.is_empty() && f.get(&existing).trim().is_empty() {
                    if let Some(ct) = b.c.contacts.get_mut(&id) {
                        *f.slot(ct) = v.clone();
                    }
                    b.edits.push(Edit::SetContact { id: id.clone(), field: f, value: v });
                }
            }
            // emails and phones the contact does not have yet join its others
            for phones in [false, true] {
                let Some(ct) = b.c.contacts.get(&id) else { break };
                let (have, new): (Vec<String>, &Vec<String>) = if phones {
                    (ct.all_phones().map(normalize_phone).collect(), &row.phones)
                } else {
                    (ct.all_emails().map(normalize_email).collect(), &row.emails)
                };
                let norm = |v: &str| if phones { normalize_phone(v) } else { normalize_email(v) };
                let mut others = if phones { ct.phones.clone() } else { ct.emails.clone() };
                let before = others.len();
                for v in new {
                    if !have.contains(&norm(v)) && !others.iter().any(|o| norm(o) == norm(v)) {
                        others.push(v.clone());
                    }
                }
                if others.len() != before {
                    if let Some(ct) = b.c.contacts.get_mut(&id) {
                        if phones {
                            ct.phones = others.clone();
                        } else {
                            ct.emails = others.clone();
                        }
                    }
                    b.edits.push(Edit::SetContactOthers { id: id.clone(), phones, values: others });
                }
            }
            Added::Filled
        }
    }
}

fn fill_from_row(b: &mut Builder, row: &ImportedCustomer, author: &str, now: i64) {
    for (f, v) in row_fields(row) {
        b.fill(f, v);
    }
    if row.do_not_call == Some(true) {
        b.do_not_call();
    }
    for t in &row.tags {
        b.tag(t);
    }
    for (k, v) in &row.custom {
        b.custom(k, v);
    }
    let notes = row.notes.trim();
    if !notes.is_empty() && !b.c.notes.values().any(|n| n.text.as_str().contains(notes)) {
        let id = fresh_id(|id| b.c.notes.contains_key(id));
        b.note(&id, author, now, notes);
    }
}

fn row_fields(row: &ImportedCustomer) -> [(Field, &str); 11] {
    [
        (Field::Name, row.name.as_str()),
        (Field::ExternalId, &row.external_id),
        (Field::Email, &row.email),
        (Field::Phone, &row.phone),
        (Field::Owner, &row.owner),
        (Field::Industry, &row.industry),
        (Field::Size, &row.size),
        (Field::Province, &row.province),
        (Field::City, &row.city),
        (Field::Source, &row.source),
        (Field::ReferredBy, &row.referred_by),
    ]
}

/// A new customer from an imported customer row.
pub fn customer_from(row: &ImportedCustomer, now: i64, author: &str) -> Customer {
    let mut b = Builder::new(Customer { kind: row.kind.unwrap_or_default(), created_at: now, ..Default::default() });
    fill_from_row(&mut b, row, author, now);
    b.c.email_opt_in = row.email_opt_in.unwrap_or(false);
    b.c
}

/// A new contact from an imported contact row: the first email and phone are the main ones.
pub fn contact_from(row: &ImportedContact) -> Contact {
    let mut emails = row.emails.clone();
    let mut phones = row.phones.clone();
    let email = if emails.is_empty() { String::new() } else { emails.remove(0) };
    let phone = if phones.is_empty() { String::new() } else { phones.remove(0) };
    let note: Vec<String> = row.custom.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    Contact {
        name: row.name.clone(),
        title: row.title.clone(),
        role: row.role.clone(),
        email,
        phone,
        emails,
        phones,
        wechat: row.wechat.clone(),
        birthday: row.birthday.map(|d| d.to_string()).unwrap_or_default(),
        note: note.join("\n"),
        ..Default::default()
    }
}

/// An order from an imported order row; `currency` when the row names none.
pub fn order_from(row: &ImportedOrder, currency: &str) -> Order {
    Order {
        id: new_id(),
        external_id: row.order_id.clone(),
        date: row.date.to_string(),
        amount: row.amount_minor,
        currency: if row.currency.is_empty() { currency.to_string() } else { row.currency.clone() },
        quantity: row.quantity.unwrap_or(1),
        items: row.items.join("; "),
    }
}

/// Whether a customer reference reads as an id (`00004`, `C-1024`) rather than a name.
fn looks_like_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./#".contains(c))
}

/// A customer for a reference nobody fits: an id becomes its external id (and, through
/// `name_for_id`, its name), an email its email, anything else its name.
fn customer_for_reference(reference: &str, kind: Kind, opts: &PlanOptions) -> Customer {
    let r = reference.trim();
    let mut c = Customer { kind, created_at: opts.now, ..Default::default() };
    if crate::import::values::is_email(r) {
        c.email = r.to_string();
        c.name = r.to_string();
        c.kind = Kind::Person;
    } else if looks_like_id(r) {
        c.external_id = r.to_string();
        c.name = opts.name_for_id.replace("{}", r);
    } else {
        c.name = r.to_string();
    }
    c
}

/// The rejected rows of an import as a CSV file to fix and import again: `import_line` and
/// `import_reason` (in the reader's language), then the row's fields as in the file.
/// `delimiter` is the file's, to split the raw rows. A row refused after it was read (a
/// customer reference that fits several customers) has no raw text here, only line and reason.
pub fn rejected_csv<S: AsRef<str>>(headers: &[S], delimiter: u8, rows: &[(u64, String, String)]) -> Vec<u8> {
    let mut head = vec!["import_line".to_string(), "import_reason".to_string()];
    head.extend(headers.iter().map(|h| h.as_ref().to_string()));
    let body = rows.iter().map(|(line, reason, raw)| {
        let mut row = vec![line.to_string(), reason.clone()];
        let mut rdr =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(raw.as_bytes());
        let mut rec = csv::StringRecord::new();
        while let Ok(true) = rdr.read_record(&mut rec) {
            row.extend(rec.iter().map(str::to_string));
        }
        row
    });
    crate::export::to_csv(&head, body)
}
