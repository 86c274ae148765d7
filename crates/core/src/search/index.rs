//! The in-memory index the customer list searches on every keystroke.
//!
//! All text lives in arenas shared by every entry, in entry order: `text` holds, per entry,
//! the folded (lower-cased) text of each field, each followed by `\n` so no term (which
//! never contains whitespace) matches across two fields, then the original text of the
//! fields whose folded form differs (Chinese and already lower-case text is stored once);
//! `spans` holds the field kinds and lengths; `codes` the pinyin of each character of the
//! fields searched by pinyin, looked up once at upsert. Per entry, a [`Filter`] (scanned on
//! every search) holds Bloom filters of its text's bytes and byte pairs and of the letter
//! pairs its pinyin can produce, and where its text is; an [`Entry`] holds the rest.
//!
//! Why: at 100k customers a search is bound by memory, not by comparing bytes. One
//! allocation per customer costs a cache miss per row before anything is compared. Here a
//! search first tests each term against the filters, one contiguous array, which rejects
//! most rows in a few nanoseconds, and reads the text of the rest in arena order. Replaced
//! and removed entries leave dead text behind; the arenas are rewritten once that is more
//! than half of them.
//!
//! Nothing per row is allocated while searching: rows that match are collected as
//! `(score, slot)` pairs, the best `limit` are selected (not the whole list sorted), and only
//! those become [`Hit`]s with text and highlight ranges.

use super::matching::{digits_to_phone_range, find_digits, grade_substring, pinyin_match, pinyin_range, How};
use super::pinyin::{code, Code};
use super::query::{Query, Term};
use super::text::{find, fold_into, has_all, letter_bit, original_range, pair, set_bit, text_filter, TextFilter};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::Arc;

/// What a piece of a customer's text is. The order is the ranking order: a match in a name
/// beats one in a company, which beats one in a contact, and so on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SearchField {
    /// the customer's own name (the first `Name` field is the one ties are ordered by)
    Name,
    Company,
    /// a contact person's name or title
    Contact,
    Email,
    /// matched also by its digits alone: `138 0013` finds `+86 138-0013-8000`
    Phone,
    Tag,
    /// anything else worth finding: owner, city, industry
    Other,
    Note,
}

impl SearchField {
    /// Every kind, in ranking order.
    pub const ALL: [SearchField; 8] =
        [Self::Name, Self::Company, Self::Contact, Self::Email, Self::Phone, Self::Tag, Self::Other, Self::Note];

    /// Score of a match in this field before the bonus for how it matched. Spaced so no other
    /// field, however it matched, outranks a match inside a name (600).
    fn base(self) -> u32 {
        match self {
            Self::Name => 600,
            Self::Company => 400,
            Self::Contact => 350,
            Self::Email | Self::Phone => 300,
            Self::Tag => 250,
            Self::Other => 150,
            Self::Note => 100,
        }
    }

    /// Fields people search by the pinyin of their Chinese text (not e-mails, numbers, notes).
    fn has_pinyin(self) -> bool {
        matches!(self, Self::Name | Self::Company | Self::Contact | Self::Tag)
    }

    fn score(self, how: How) -> u32 {
        match (self, how) {
            (Self::Name, How::Prefix) => 900,
            (Self::Name, How::WordPrefix) => 800,
            (Self::Name, How::PinyinStart) => 700,
            (Self::Name, How::Pinyin) => 650,
            (Self::Name, How::Inside) => 600,
            (field, how) => {
                field.base()
                    + match how {
                        How::Prefix => 30,
                        How::WordPrefix => 20,
                        How::PinyinStart => 15,
                        How::Pinyin => 10,
                        How::Inside => 0,
                    }
            }
        }
    }
}

/// Added when the whole query is the whole name (`li wei` for "Li Wei", `张三` for 张三).
const EXACT_NAME: u32 = 10_000;
/// Longer field texts are cut (at a character boundary): no one searches past a megabyte.
const MAX_FIELD_BYTES: usize = 1 << 20;
const MAX_FIELDS: usize = 256;
/// Longer fields are not searched by pinyin (names, companies and tags are far shorter).
const MAX_PINYIN_BYTES: usize = 4096;

/// One customer found by a search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub id: String,
    /// higher is better; comparable only within one search
    pub score: u32,
    /// the field shown for this hit: the one the best-matching term matched
    pub field: SearchField,
    /// that field's original text
    pub text: String,
    /// byte ranges of `text` to highlight, sorted and disjoint; matches through pinyin
    /// highlight the Chinese characters they matched (`zs` highlights 张三)
    pub ranges: Vec<(usize, usize)>,
}

/// The best `limit` hits of a search, best first, and how many customers matched in all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchResult {
    pub hits: Vec<Hit>,
    pub total: usize,
    /// what [`SearchIndex::search_after`] needs to look only at these matches next time
    scope: Scope,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Scope {
    index: u64,
    generation: u64,
    terms: Vec<String>,
    /// slots of every matching entry (empty for the empty query, which matches all)
    matched: Vec<u32>,
}

/// Search over the summary rows of every customer; see the module docs of [`crate::search`].
pub struct SearchIndex {
    entries: Vec<Entry>,
    /// `filters[i]` belongs to `entries[i]`: apart, so a search scans only what it tests
    filters: Vec<Filter>,
    /// every entry's folded texts (each followed by `\n`), then its originals that differ
    text: String,
    spans: Vec<Span>,
    /// the pinyin [`Code`] of every character of every field searched by pinyin
    codes: Vec<Code>,
    /// bytes of `text` and items of `spans`, `codes` no entry refers to any more (replaced,
    /// removed)
    dead_text: usize,
    dead_spans: usize,
    dead_codes: usize,
    slots: HashMap<Arc<str>, u32>,
    /// tells results of this index from those of another (for `search_after`)
    instance: u64,
    /// bumped by every change, which makes earlier results unusable for narrowing
    generation: u64,
}

impl Default for SearchIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("len", &self.entries.len()).finish_non_exhaustive()
    }
}

impl SearchIndex {
    pub fn new() -> Self {
        static INSTANCES: AtomicU64 = AtomicU64::new(1);
        Self {
            entries: Vec::new(),
            filters: Vec::new(),
            text: String::new(),
            spans: Vec::new(),
            codes: Vec::new(),
            dead_text: 0,
            dead_spans: 0,
            dead_codes: 0,
            slots: HashMap::new(),
            instance: INSTANCES.fetch_add(1, AtomicOrdering::Relaxed),
            generation: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds the customer `id`, or replaces everything known about it, with `fields`.
    /// Empty texts are skipped; order does not matter except among fields of one kind.
    pub fn upsert(&mut self, id: &str, fields: &[(SearchField, &str)]) {
        self.generation += 1;
        self.compact_if_mostly_dead();
        let slot = self.slots.get(id).copied();
        let id = match slot {
            Some(slot) => Arc::clone(&self.entries[slot as usize].id),
            None => Arc::from(id),
        };
        let ends = (self.text.len(), self.spans.len(), self.codes.len());
        let Some((entry, filter)) = self.append(Arc::clone(&id), fields) else {
            // past 4 GiB of text: drop the customer rather than keep it half-written
            self.text.truncate(ends.0);
            self.spans.truncate(ends.1);
            self.codes.truncate(ends.2);
            self.remove(&id);
            return;
        };
        match slot {
            Some(slot) => {
                self.count_dead(slot as usize);
                self.entries[slot as usize] = entry;
                self.filters[slot as usize] = filter;
            }
            None => {
                let Ok(slot) = u32::try_from(self.entries.len()) else { return };
                self.entries.push(entry);
                self.filters.push(filter);
                self.slots.insert(id, slot);
            }
        }
    }

    /// Forgets the customer `id`; false when it was not there.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(slot) = self.slots.remove(id) else { return false };
        self.generation += 1;
        self.count_dead(slot as usize);
        self.entries.swap_remove(slot as usize);
        self.filters.swap_remove(slot as usize);
        if let Some(moved) = self.entries.get(slot as usize) {
            if let Some(s) = self.slots.get_mut(&*moved.id) {
                *s = slot;
            }
        }
        true
    }

    /// The customers matching every whitespace-separated term of `query`, best first, at most
    /// `limit` of them. An empty query matches everyone, in name order.
    pub fn search(&self, query: &str, limit: usize) -> SearchResult {
        self.run(Query::parse(query), limit, None)
    }

    /// Like [`search`](Self::search), but when `query` only types on from `previous` (each
    /// term extended, or terms added) and the index has not changed since, looks only at
    /// what `previous` matched. Pass the last result of the search box.
    pub fn search_after(&self, previous: &SearchResult, query: &str, limit: usize) -> SearchResult {
        let query = Query::parse(query);
        let scope = &previous.scope;
        let within = (scope.index == self.instance && scope.generation == self.generation && query.narrows(&scope.terms))
            .then_some(scope.matched.as_slice());
        self.run(query, limit, within)
    }

    fn run(&self, query: Query, limit: usize, within: Option<&[u32]>) -> SearchResult {
        let mut scope = Scope { index: self.instance, generation: self.generation, ..Scope::default() };
        if query.is_empty() {
            return self.everyone(limit, scope);
        }
        let mut matched: Vec<(u32, u32)> = Vec::new();
        let mut check = |slot: u32| {
            if let Some(score) = self.score(slot as usize, &query) {
                matched.push((score, slot));
            }
        };
        match within {
            Some(slots) => slots.iter().copied().for_each(&mut check),
            // `upsert` keeps the length within u32
            None => (0..self.entries.len() as u32).for_each(&mut check),
        }
        scope.matched = matched.iter().map(|&(_, slot)| slot).collect();
        scope.terms = query.terms.iter().map(|t| t.text.clone()).collect();
        let total = matched.len();
        self.best_first(&mut matched, limit, true);
        let hits = matched.iter().map(|&(score, slot)| self.row(slot as usize).hit(&query, score)).collect();
        SearchResult { hits, total, scope }
    }

    fn everyone(&self, limit: usize, scope: Scope) -> SearchResult {
        let mut all: Vec<(u32, u32)> = (0..self.entries.len() as u32).map(|slot| (0, slot)).collect();
        self.best_first(&mut all, limit, false);
        let hits = all
            .iter()
            .map(|&(_, slot)| {
                let row = self.row(slot as usize);
                let text = if row.name().is_empty() { String::new() } else { row.original(0).to_string() };
                Hit { id: row.entry.id.to_string(), score: 0, field: SearchField::Name, text, ranges: Vec::new() }
            })
            .collect();
        SearchResult { hits, total: self.entries.len(), scope }
    }

    /// Leaves the best `limit` of the `(score, slot)` pairs in `items`, best first: a
    /// selection, then a sort of only those, instead of sorting every match. Ties go to
    /// shorter names (when `shorter_first`; unnamed last either way), then by name, then by id.
    fn best_first(&self, items: &mut Vec<(u32, u32)>, limit: usize, shorter_first: bool) {
        let cmp = |a: &(u32, u32), b: &(u32, u32)| {
            let (ea, eb) = (&self.entries[a.1 as usize], &self.entries[b.1 as usize]);
            let length = |e: &Entry| if shorter_first { e.name_chars } else { u16::from(e.name_chars == NO_NAME) };
            b.0.cmp(&a.0)
                .then(length(ea).cmp(&length(eb)))
                .then(ea.name_key.cmp(&eb.name_key))
                .then_with(|| self.name(a.1 as usize).cmp(self.name(b.1 as usize)))
                .then_with(|| ea.id.cmp(&eb.id))
        };
        if limit == 0 {
            items.clear();
            return;
        }
        if items.len() > limit {
            items.select_nth_unstable_by(limit - 1, cmp);
            items.truncate(limit);
        }
        items.sort_unstable_by(cmp);
    }

    /// The entry's score for `query`, `None` unless every term matches. The masks are tested
    /// first, for every term, so most rows are rejected without reading their text.
    fn score(&self, slot: usize, query: &Query) -> Option<u32> {
        let filter = self.filters.get(slot)?;
        if !query.terms.iter().all(|t| filter.may_match(t)) {
            return None;
        }
        let row = self.row(slot);
        let mut total = 0u32;
        let mut first_in_name = false;
        for (i, term) in query.terms.iter().enumerate() {
            let found = row.best(term)?;
            first_in_name |= i == 0 && row.spans[found.span].kind == SearchField::Name;
            total = total.saturating_add(found.score);
        }
        if first_in_name && row.is_whole_name(query) {
            total = total.saturating_add(EXACT_NAME);
        }
        Some(total)
    }

    fn count_dead(&mut self, slot: usize) {
        let (entry, filter) = (&self.entries[slot], &self.filters[slot]);
        self.dead_text += (filter.folded_len + entry.originals_len) as usize;
        self.dead_spans += usize::from(filter.spans_len);
        self.dead_codes += filter.codes_len as usize;
    }

    /// The folded name of the entry in `slot`, which ties are ordered by ("" without a name).
    fn name(&self, slot: usize) -> &str {
        let start = self.filters[slot].text_start as usize;
        self.text.get(start..start + self.entries[slot].name_len as usize).unwrap_or_default()
    }

    fn row(&self, slot: usize) -> Row<'_> {
        let (entry, filter) = (&self.entries[slot], &self.filters[slot]);
        let start = filter.text_start as usize;
        let folded_end = start + filter.folded_len as usize;
        let end = folded_end + entry.originals_len as usize;
        let spans = filter.spans_start as usize..filter.spans_start as usize + usize::from(filter.spans_len);
        let codes = filter.codes_start as usize..filter.codes_start as usize + filter.codes_len as usize;
        Row {
            entry,
            filter,
            folded: self.text.get(start..folded_end).unwrap_or_default(),
            originals: self.text.get(folded_end..end).unwrap_or_default(),
            spans: self.spans.get(spans).unwrap_or_default(),
            codes: self.codes.get(codes).unwrap_or_default(),
        }
    }

    /// Writes an entry's texts and spans at the end of the arenas. `None` when they would
    /// outgrow the u32 offsets.
    fn append(&mut self, id: Arc<str>, fields: &[(SearchField, &str)]) -> Option<(Entry, Filter)> {
        // by kind, keeping the order within a kind (a loop: no sort code in the download)
        let fields: Vec<(SearchField, &str)> = SearchField::ALL
            .iter()
            .flat_map(|&kind| fields.iter().filter(move |(k, text)| *k == kind && !text.is_empty()))
            .take(MAX_FIELDS)
            .map(|&(kind, text)| (kind, truncate(text)))
            .collect();

        let (text_start, spans_start, codes_start) = (self.text.len(), self.spans.len(), self.codes.len());
        let mut originals = String::new();
        let mut pinyin = PinyinFilter::default();
        let mut has_digits = false;
        for &(kind, text) in &fields {
            let start = self.text.len();
            fold_into(text, &mut self.text);
            let folded = &self.text[start..];
            let same = folded == text;
            let (mut flags, mut field_firsts, mut units) = (0, 0, 0);
            if kind.has_pinyin() && folded.len() <= MAX_PINYIN_BYTES {
                let codes_at = self.codes.len();
                let field = pinyin_codes(folded, &mut self.codes);
                if self.codes[codes_at..].iter().any(|&c| c != Code(0)) {
                    flags |= HAN;
                    field_firsts = field.firsts;
                    units = (self.codes.len() - codes_at) as u16; // <= MAX_PINYIN_BYTES
                    pinyin.add(&field);
                } else {
                    self.codes.truncate(codes_at);
                }
            }
            let folded_len = folded.len() as u32; // < 4 * MAX_FIELD_BYTES
            let digits: String = if kind == SearchField::Phone { folded.chars().filter(char::is_ascii_digit).collect() } else { String::new() };
            if !digits.is_empty() && digits.len() == folded_len as usize {
                flags |= ALL_DIGITS;
                has_digits = true;
            }
            self.spans.push(Span { kind, flags, units, folded_len, text_len: if same { 0 } else { text.len() as u32 }, pinyin_firsts: field_firsts });
            if !same {
                originals.push_str(text);
            }
            self.text.push('\n');
            if !digits.is_empty() && digits.len() != folded_len as usize {
                has_digits = true;
                self.spans.push(Span { kind, flags: DIGITS, units: 0, folded_len: digits.len() as u32, text_len: 0, pinyin_firsts: 0 });
                self.text.push_str(&digits);
                self.text.push('\n');
            }
        }
        let folded = &self.text[text_start..];
        let name = match fields.first() {
            Some(&(SearchField::Name, _)) => folded.get(..self.spans[spans_start].folded_len as usize).unwrap_or_default(),
            _ => "",
        };
        let name_len = name.len() as u32;
        let name_chars = if name.is_empty() { NO_NAME } else { name.chars().count().min(usize::from(NO_NAME - 1)) as u16 };
        let mut key = [0; 8];
        let n = name.len().min(8);
        key[..n].copy_from_slice(&name.as_bytes()[..n]);
        let entry = Entry { id, originals_len: u32::try_from(originals.len()).ok()?, name_len, name_key: u64::from_be_bytes(key), name_chars };
        let filter = Filter {
            text: text_filter(folded.as_bytes()),
            pinyin,
            text_start: u32::try_from(text_start).ok()?,
            folded_len: u32::try_from(folded.len()).ok()?,
            spans_start: u32::try_from(spans_start).ok()?,
            codes_start: u32::try_from(codes_start).ok()?,
            codes_len: u32::try_from(self.codes.len() - codes_start).ok()?,
            spans_len: u16::try_from(self.spans.len() - spans_start).ok()?,
            has_digits,
        };
        self.text.push_str(&originals);
        u32::try_from(self.text.len()).ok()?;
        Some((entry, filter))
    }

    /// Rewrites the arenas without what replaced and removed entries left, once that is
    /// more than half of them: amortised, every byte is copied at most once per replacement.
    fn compact_if_mostly_dead(&mut self) {
        let worth = |dead: usize, len: usize| dead > 4096 && dead * 2 > len;
        if !worth(self.dead_text, self.text.len()) && !worth(self.dead_spans, self.spans.len()) && !worth(self.dead_codes, self.codes.len()) {
            return;
        }
        let mut text = String::with_capacity(self.text.len() - self.dead_text);
        let mut spans = Vec::with_capacity(self.spans.len() - self.dead_spans);
        let mut codes = Vec::with_capacity(self.codes.len() - self.dead_codes);
        for (entry, filter) in self.entries.iter().zip(&mut self.filters) {
            // offsets only shrink
            let start = filter.text_start as usize;
            let end = start + (filter.folded_len + entry.originals_len) as usize;
            filter.text_start = text.len() as u32;
            text.push_str(self.text.get(start..end).unwrap_or_default());
            let start = filter.spans_start as usize;
            filter.spans_start = spans.len() as u32;
            spans.extend_from_slice(self.spans.get(start..start + usize::from(filter.spans_len)).unwrap_or_default());
            let start = filter.codes_start as usize;
            filter.codes_start = codes.len() as u32;
            codes.extend_from_slice(self.codes.get(start..start + filter.codes_len as usize).unwrap_or_default());
        }
        self.text = text;
        self.spans = spans;
        self.codes = codes;
        self.dead_text = 0;
        self.dead_spans = 0;
        self.dead_codes = 0;
    }
}

/// `Entry::name_chars` of an entry without a name: after every name.
const NO_NAME: u16 = u16::MAX;

/// One customer: what a search needs of it only once it matched.
struct Entry {
    id: Arc<str>,
    /// bytes of the originals after the folded text (see [`Filter::text_start`])
    originals_len: u32,
    /// bytes of the folded name at the start of the folded text (0 without a name)
    name_len: u32,
    /// the first 8 bytes of the folded name, big-endian: orders most ties without the text
    name_key: u64,
    /// characters in the name, for ties (shorter first); [`NO_NAME`] without a name
    name_chars: u16,
}

/// What a search reads of every entry: the filters that reject it before its text is read,
/// and where that text is. Kept apart from [`Entry`] in one array of small fixed-size
/// items, so that the scan over every customer reads little and touches nothing else for
/// the rows it rejects.
#[derive(Clone, Copy)]
struct Filter {
    /// [`text_filter`] of the folded texts (phone digits included)
    text: TextFilter,
    pinyin: PinyinFilter,
    text_start: u32,
    folded_len: u32,
    spans_start: u32,
    codes_start: u32,
    codes_len: u32,
    spans_len: u16,
    /// some phone field has digits
    has_digits: bool,
}

impl Filter {
    /// False when the filter rules out every way `term` could match.
    fn may_match(&self, term: &Term) -> bool {
        has_all(&self.text, &term.filter) || self.may_match_pinyin(term) || self.may_match_digits(term)
    }

    fn may_match_pinyin(&self, term: &Term) -> bool {
        term.pinyin.is_some_and(|m| {
            m.first & !self.pinyin.firsts == 0 && m.letters & !self.pinyin.letters == 0 && has_all(&self.pinyin.pairs, &m.pairs)
        })
    }

    fn may_match_digits(&self, term: &Term) -> bool {
        self.has_digits && term.digits.as_ref().is_some_and(|(_, filter)| has_all(&self.text, filter))
    }
}

/// What the pinyin automaton can consume in the fields searched by pinyin.
#[derive(Clone, Copy, Default)]
struct PinyinFilter {
    /// letters a character's reading (or an ASCII character) starts with: a term's first
    /// letter must be one of them
    firsts: u32,
    /// letters in the readings and ASCII characters: every letter of a term is one of them
    letters: u32,
    /// pairs of letters the automaton can consume in a row, hashed into 128 bits: inside a
    /// reading (`zh` of zhang), or any letter of one character's reading followed by the
    /// first letter of the next one's (`zs`, `gs` of zhang san)
    pairs: [u64; 2],
}

impl PinyinFilter {
    fn add(&mut self, other: &PinyinFilter) {
        self.firsts |= other.firsts;
        self.letters |= other.letters;
        self.pairs[0] |= other.pairs[0];
        self.pairs[1] |= other.pairs[1];
    }
}

/// One field of an entry: its kind, and the lengths that locate it in the entry's text.
#[derive(Clone, Copy)]
struct Span {
    kind: SearchField,
    flags: u8,
    /// characters of a field searched by pinyin (its codes), else 0
    units: u16,
    folded_len: u32,
    /// length of the original text in the originals part, 0 when it equals the folded text
    text_len: u32,
    /// like `Entry::pinyin_firsts`, for this field alone: spares the pinyin matcher the
    /// fields a term cannot start in
    pinyin_firsts: u32,
}

/// the field has Chinese characters with readings and is searched by pinyin
const HAN: u8 = 1;
/// the span holds only the digits of the phone field before it
const DIGITS: u8 = 2;
/// a phone field written with digits only: it is its own digits span
const ALL_DIGITS: u8 = 4;

/// Which way a term matched, to find its highlight range again.
#[derive(Clone, Copy, Debug)]
enum Via {
    /// at this byte offset of the span's folded text
    Text(usize),
    /// at this byte offset of a digits span, by the term's digits
    Digits(usize),
    Pinyin,
}

#[derive(Clone, Copy, Debug)]
struct Found {
    score: u32,
    span: usize,
    via: Via,
}

/// An entry with its text, once the masks have let it through.
struct Row<'a> {
    entry: &'a Entry,
    filter: &'a Filter,
    folded: &'a str,
    originals: &'a str,
    spans: &'a [Span],
    codes: &'a [Code],
}

impl Row<'_> {
    /// The folded name, which ties are ordered by ("" without a name).
    fn name(&self) -> &str {
        self.folded.get(..self.entry.name_len as usize).unwrap_or_default()
    }

    fn is_whole_name(&self, query: &Query) -> bool {
        self.name().split_whitespace().eq(query.terms.iter().map(|t| t.text.as_str()))
    }

    /// Where span `i` starts in the folded part and in the originals part.
    fn offsets(&self, i: usize) -> (usize, usize) {
        self.spans[..i].iter().fold((0, 0), |(f, o), s| (f + s.folded_len as usize + 1, o + s.text_len as usize))
    }

    fn folded_field(&self, i: usize) -> &str {
        let (f, _) = self.offsets(i);
        self.folded.get(f..f + self.spans[i].folded_len as usize).unwrap_or_default()
    }

    fn original(&self, i: usize) -> &str {
        let (f, o) = self.offsets(i);
        match self.spans[i] {
            span if span.text_len == 0 => self.folded.get(f..f + span.folded_len as usize),
            span => self.originals.get(o..o + span.text_len as usize),
        }
        .unwrap_or_default()
    }

    /// The best match of `term` in any field. Spans are sorted by field, so once a match
    /// scores at least what the next field could, the rest are not read.
    fn best(&self, term: &Term) -> Option<Found> {
        let (hay, needle) = (self.folded.as_bytes(), term.text.as_bytes());
        let mut next_text = if has_all(&self.filter.text, &term.filter) { find(hay, needle, 0) } else { None };
        let pinyin = term.pinyin.filter(|_| self.filter.may_match_pinyin(term));
        let digits = self.filter.may_match_digits(term);
        if next_text.is_none() && pinyin.is_none() && !digits {
            return None;
        }
        let mut best: Option<Found> = None;
        let (mut start, mut codes_at) = (0, 0);
        for (i, span) in self.spans.iter().enumerate() {
            let to_beat = best.map_or(0, |b| b.score);
            if to_beat >= span.kind.score(How::Prefix) {
                break;
            }
            let end = start + span.folded_len as usize;
            let field = self.folded.get(start..end).unwrap_or_default();
            let mut consider = |score: u32, via: Via| {
                if best.is_none_or(|b| score > b.score) {
                    best = Some(Found { score, span: i, via });
                }
            };
            if let Some(at) = next_text.filter(|&at| at < end) {
                // occurrences before `start` were in earlier spans, and graded there
                let (how, at) = grade_substring(field, &term.text, at - start);
                consider(span.kind.score(how), Via::Text(at));
                next_text = find(hay, needle, end + 1);
            }
            let codes = self.codes.get(codes_at..codes_at + usize::from(span.units)).unwrap_or_default();
            codes_at += usize::from(span.units);
            let can_start = pinyin.is_some_and(|m| m.first & !span.pinyin_firsts == 0);
            if can_start && span.flags & HAN != 0 && span.kind.score(How::PinyinStart) > to_beat {
                let matched = match *needle {
                    // one letter: `can_start` already says some character can take it
                    [letter] => Some(field.chars().zip(codes).next().is_some_and(|(c, code)| code.may_start(c, c.encode_utf8(&mut [0; 4]).as_bytes(), letter))),
                    _ => pinyin_match(field, codes, needle),
                };
                if let Some(from_start) = matched {
                    consider(span.kind.score(if from_start { How::PinyinStart } else { How::Pinyin }), Via::Pinyin);
                }
            }
            if digits && span.flags & (DIGITS | ALL_DIGITS) != 0 {
                if let Some(at) = find_digits(field, term) {
                    consider(span.kind.score(if at == 0 { How::Prefix } else { How::Inside }), Via::Digits(at));
                }
            }
            start = end + 1;
        }
        best
    }

    fn hit(&self, query: &Query, score: u32) -> Hit {
        // a digits span is shown as the phone field it was made from
        let shown = |span: usize| if self.spans[span].flags & DIGITS != 0 { span - 1 } else { span };
        let found: Vec<(&Term, Found)> = query.terms.iter().filter_map(|t| Some((t, self.best(t)?))).collect();
        let top = found.iter().fold(None::<Found>, |b, &(_, f)| if b.is_none_or(|b| f.score > b.score) { Some(f) } else { b });
        let field = top.map_or(0, |f| shown(f.span));
        let (text, folded_field) = if self.spans.is_empty() { ("", "") } else { (self.original(field), self.folded_field(field)) };
        let mut ranges: Vec<(usize, usize)> = found
            .iter()
            .filter(|(_, f)| shown(f.span) == field)
            .filter_map(|&(term, f)| {
                let folded_range = match f.via {
                    Via::Text(at) if f.span != field => digits_to_phone_range(folded_field, (at, at + term.text.len())),
                    Via::Text(at) => (at, at + term.text.len()),
                    Via::Digits(at) => digits_to_phone_range(folded_field, (at, at + term.digits.as_ref()?.0.len())),
                    Via::Pinyin => pinyin_range(folded_field, term.text.as_bytes())?,
                };
                Some(original_range(text, folded_range))
            })
            .collect();
        // one range per term: an insertion sort, then touching ranges merged
        for i in 1..ranges.len() {
            let mut j = i;
            while j > 0 && ranges[j - 1] > ranges[j] {
                ranges.swap(j - 1, j);
                j -= 1;
            }
        }
        ranges.dedup_by(|next, prev| {
            let touches = next.0 <= prev.1;
            if touches {
                prev.1 = prev.1.max(next.1);
            }
            touches
        });
        Hit {
            id: self.entry.id.to_string(),
            score,
            field: self.spans.get(field).map_or(SearchField::Name, |s| s.kind),
            text: text.to_string(),
            ranges,
        }
    }
}

/// Appends the [`Code`] of each character of `field` to `codes`, and returns what the
/// pinyin automaton can consume in it (a character consumes a prefix of one of its readings,
/// or itself).
fn pinyin_codes(field: &str, codes: &mut Vec<Code>) -> PinyinFilter {
    let mut filter = PinyinFilter::default();
    // letters the previous character can end a consumption with (any letter of its readings)
    let mut previous = 0u32;
    for c in field.chars() {
        let code = if c.is_ascii() { Code(0) } else { code(c) };
        codes.push(code);
        let (mut firsts, mut all) = (0u32, 0u32);
        if c.is_ascii_lowercase() {
            firsts = letter_bit(c as u8);
            all = firsts;
        }
        let (first, second) = code.readings(c);
        for reading in [first, second].into_iter().flatten() {
            // ü is typed as v or u
            for u_for_v in [false, true] {
                if u_for_v && !reading.contains('v') {
                    continue;
                }
                let mut last = None;
                for b in reading.bytes().map(|b| if u_for_v && b == b'v' { b'u' } else { b }) {
                    match last {
                        None => firsts |= letter_bit(b),
                        Some(a) => set_bit(&mut filter.pairs, pair(a, b)),
                    }
                    all |= letter_bit(b);
                    last = Some(b);
                }
            }
        }
        for a in bits(previous) {
            for b in bits(firsts) {
                set_bit(&mut filter.pairs, pair(a, b));
            }
        }
        filter.firsts |= firsts;
        filter.letters |= all;
        previous = all;
    }
    filter
}

/// The letters whose bits are set in `mask`.
fn bits(mask: u32) -> impl Iterator<Item = u8> {
    (0..26u8).filter(move |i| mask >> i & 1 != 0).map(|i| b'a' + i)
}

fn truncate(text: &str) -> &str {
    if text.len() <= MAX_FIELD_BYTES {
        return text;
    }
    let mut end = MAX_FIELD_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

