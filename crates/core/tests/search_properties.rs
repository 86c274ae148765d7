//! Search holds up on any text: it never panics, finds exactly the customers a plain
//! (slow, obviously right) matcher finds, and its ranges are valid highlights.

use crm_core::search::pinyin::readings;
use crm_core::search::{SearchField, SearchIndex};
use proptest::prelude::*;
use proptest::sample::select;
use std::collections::BTreeSet;

#[path = "search_synthetic.rs"]
mod synthetic;
use synthetic::{fold, plain_search};

/// Text with the hard parts: case, Chinese with and without second readings, phone
/// punctuation, emoji, combining marks, full-width forms, characters whose lower case is
/// longer, final sigma, and whitespace of several kinds.
const TEXT: &str = "[a-zA-Z0-9 \\-+().@/张三丰李四王五单曾吕布中国银行八安😀🎉\u{301}\u{308}İΣςßＡｚ１\n\u{3000}]{0,14}";
const QUERY: &str = "[a-z0-9 张三李单吕\\-+(ｚ\u{301}]{0,6}";

fn query() -> impl Strategy<Value = String> {
    prop_oneof![
        QUERY,
        select(&["zs", "zhang", "zhangs", "san", "li", "lv", "lu", "shan", "dan", "yinhang", "138", "+86", "(1", "ba", "ban", "z s"][..])
            .prop_map(str::to_string),
    ]
}

fn rows() -> impl Strategy<Value = Vec<Vec<(SearchField, String)>>> {
    prop::collection::vec(prop::collection::vec((select(&SearchField::ALL[..]), TEXT), 0..5), 0..12)
}

fn build(rows: &[Vec<(SearchField, String)>]) -> SearchIndex {
    let mut index = SearchIndex::new();
    for (i, fields) in rows.iter().enumerate() {
        let fields: Vec<(SearchField, &str)> = fields.iter().map(|(k, t)| (*k, t.as_str())).collect();
        index.upsert(&format!("e{i}"), &fields);
    }
    index
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn search_finds_exactly_what_the_plain_matcher_finds(rows in rows(), query in query()) {
        let index = build(&rows);
        let result = index.search(&query, usize::MAX);
        let found: BTreeSet<String> = result.hits.iter().map(|h| h.id.clone()).collect();
        prop_assert_eq!(result.total, result.hits.len());
        prop_assert_eq!(found, plain_search(&rows, &query));
    }

    #[test]
    fn any_pinyin_spelling_of_a_run_of_characters_finds_its_customer(rows in rows(), picks in prop::collection::vec(any::<u16>(), 8)) {
        // spell a run of characters of some field the way people type: each character as a
        // prefix of one of its readings, or as itself
        let fields: Vec<(usize, &String)> = rows.iter().enumerate().flat_map(|(i, f)| f.iter().map(move |(_, t)| (i, t))).collect();
        prop_assume!(!fields.is_empty());
        let (row, text) = fields[usize::from(picks[0]) % fields.len()];
        let chars: Vec<char> = fold(text).chars().collect();
        prop_assume!(!chars.is_empty());
        let start = usize::from(picks[1]) % chars.len();
        let mut term = String::new();
        for (n, &c) in chars[start..].iter().take(1 + usize::from(picks[2]) % 4).enumerate() {
            let pick = usize::from(picks[3 + n]);
            let spellings: Vec<String> = readings(c).flat_map(|r| (1..=r.len()).map(move |k| r[..k].to_string())).chain(std::iter::once(c.to_string())).collect();
            term.push_str(&spellings[pick % spellings.len()]);
        }
        prop_assume!(!term.trim().is_empty() && term.split_whitespace().count() == 1);
        let index = build(&rows);
        let found: BTreeSet<String> = index.search(&term, usize::MAX).hits.into_iter().map(|h| h.id).collect();
        let expected = plain_search(&rows, &term);
        prop_assert_eq!(&found, &expected, "{:?}", term);
        let kind = rows[row].iter().find(|(_, t)| t == text).map(|(k, _)| *k);
        if matches!(kind, Some(SearchField::Name | SearchField::Company | SearchField::Contact | SearchField::Tag)) {
            prop_assert!(found.contains(&format!("e{row}")), "{:?} in {:?}", term, text);
        }
    }

    #[test]
    fn hits_are_ordered_and_highlight_whole_characters_of_a_real_field(rows in rows(), query in query(), limit in 0usize..6) {
        let index = build(&rows);
        let result = index.search(&query, limit);
        prop_assert!(result.hits.len() <= limit && result.hits.len() <= result.total);
        prop_assert!(result.hits.windows(2).all(|w| w[0].score >= w[1].score));
        for hit in &result.hits {
            let i: usize = hit.id[1..].parse().unwrap();
            let own = rows[i].iter().any(|(k, t)| *k == hit.field && *t == hit.text);
            prop_assert!(own || (hit.text.is_empty() && query.trim().is_empty()), "{:?} is not a field of {:?}", hit, rows[i]);
            let mut last_end = None;
            for &(s, e) in &hit.ranges {
                prop_assert!(s < e && e <= hit.text.len(), "{:?}", hit);
                prop_assert!(hit.text.is_char_boundary(s) && hit.text.is_char_boundary(e), "{:?}", hit);
                prop_assert!(last_end.is_none_or(|l| l < s), "ranges overlap or touch: {:?}", hit);
                last_end = Some(e);
            }
        }
    }

    #[test]
    fn narrowing_while_typing_gives_the_same_results(rows in rows(), first in query(), more in "[a-z0-9 \\-]{1,4}") {
        let index = build(&rows);
        let previous = index.search(&first, 5);
        let typed = format!("{first}{more}");
        let narrowed = index.search_after(&previous, &typed, 5);
        let fresh = index.search(&typed, 5);
        prop_assert_eq!(narrowed.total, fresh.total);
        prop_assert_eq!(narrowed.hits, fresh.hits);
    }

    #[test]
    fn any_text_at_all_never_panics(fields in prop::collection::vec((select(&SearchField::ALL[..]), any::<String>()), 0..6), query in any::<String>()) {
        let mut index = SearchIndex::new();
        let fields: Vec<(SearchField, &str)> = fields.iter().map(|(k, t)| (*k, t.as_str())).collect();
        index.upsert("x", &fields);
        index.upsert("y", &fields[fields.len() / 2..]);
        let result = index.search(&query, 10);
        let _ = index.search_after(&result, &format!("{query}a"), 10);
        index.remove("x");
        let _ = index.search(&query, 10);
    }
}
