//! Search as you type over every customer, with pinyin.
//!
//! The customer list searches on each keystroke, in the browser, over 10k-100k customers,
//! within a frame (DESIGN.md section 10). Many users work in Chinese and type names in pinyin,
//! full or by initials, without switching input method. So:
//!
//! - [`SearchIndex`] keeps one entry per customer built from typed fields ([`SearchField`]):
//!   folded (lower-case) text computed once at [`SearchIndex::upsert`], plus filters that
//!   reject most rows before their text is read. A search allocates nothing per row.
//! - Every whitespace-separated term must match somewhere in the customer (AND). A term
//!   matches a field as a substring, through the pinyin of its Chinese characters in names,
//!   companies, contacts and tags (`zhangsan`, `zhangs`, `zs` all find 张三; see
//!   `search/matching.rs`), or, for phone numbers, by digits alone (`138-0013` finds
//!   `+86 138 0013 8000`).
//! - Ranking: the whole name > name prefix > word prefix in the name > pinyin of the name >
//!   inside the name > other fields (company, contact, e-mail and phone, tag, other, note).
//!   Ties: shorter name first, then by name, then by id, so results never jump around.
//! - Each hit carries the byte ranges to highlight in the matched field's own text, mapped
//!   back from folded text and from pinyin to the Chinese characters.
//! - [`SearchIndex::search_after`] narrows: when the user types on, only the previous
//!   matches are looked at.
//!
//! The pinyin table ([`pinyin`]) is generated at build time into a compact form, so the wasm
//! carries ~12 kB for it (~10 kB compressed) and not a pinyin crate.
//!
//! Cost, for orientation (synthetic customers, `examples/search_bench.rs`): ~450 bytes of
//! heap per customer including growth slack; a search over 100k customers takes about
//! 1-5 ms natively, and typing on from a previous result only looks at its matches.

mod index;
mod matching;
pub mod pinyin;
mod query;
mod text;

pub use index::{Hit, SearchField, SearchIndex, SearchResult};
