//! What the customer search finds, in what order, and what it highlights.

use crm_core::search::{Hit, SearchField, SearchIndex, SearchResult};
use SearchField::*;

fn build(rows: &[(&str, &[(SearchField, &str)])]) -> SearchIndex {
    let mut index = SearchIndex::new();
    for (id, fields) in rows {
        index.upsert(id, fields);
    }
    index
}

fn ids(result: &SearchResult) -> Vec<&str> {
    result.hits.iter().map(|h| h.id.as_str()).collect()
}

/// The highlighted parts of a hit's text.
fn marked(hit: &Hit) -> Vec<&str> {
    hit.ranges.iter().map(|&(s, e)| &hit.text[s..e]).collect()
}

fn people() -> SearchIndex {
    build(&[
        ("zs", &[(Name, "张三")]),
        ("ls", &[(Name, "李四")]),
        ("zsf", &[(Name, "张三丰")]),
        ("ww", &[(Name, "王五")]),
        ("lb", &[(Name, "吕布")]),
    ])
}

#[test]
fn zhang_san_is_found_by_pinyin_initials_and_characters() {
    let index = people();
    for query in ["zs", "zhangsan", "张三", "zhang san", "zhangs", "ZhangSan", "ｚｓ", "张s"] {
        let found = ids(&index.search(query, 10)).contains(&"zs");
        assert!(found, "{query}");
    }
}

#[test]
fn initials_do_not_find_other_names() {
    let index = people();
    assert_eq!(ids(&index.search("zs", 10)), ["zs", "zsf"]);
    assert_eq!(ids(&index.search("zsf", 10)), ["zsf"]);
    assert_eq!(ids(&index.search("ls", 10)), ["ls"]);
    assert!(index.search("zsx", 10).hits.is_empty());
}

#[test]
fn lv_and_lu_both_find_the_u_umlaut_syllable() {
    let index = people();
    assert_eq!(ids(&index.search("lvbu", 10)), ["lb"]);
    assert_eq!(ids(&index.search("lubu", 10)), ["lb"]);
}

#[test]
fn surnames_with_two_readings_are_found_by_either() {
    let index = build(&[("a", &[(Name, "单田芳")]), ("b", &[(Name, "曾国藩")]), ("c", &[(Name, "Someone"), (Company, "中国银行")])]);
    assert_eq!(ids(&index.search("shantianfang", 10)), ["a"]);
    assert_eq!(ids(&index.search("dantf", 10)), ["a"]);
    assert_eq!(ids(&index.search("zengguofan", 10)), ["b"]);
    assert_eq!(ids(&index.search("yinhang", 10)), ["c"]);
}

#[test]
fn latin_substring_is_highlighted_in_the_original_text() {
    let index = build(&[("a", &[(Name, "Big ACME Corp")])]);
    let hit = &index.search("acme", 10).hits[0];
    assert_eq!((hit.field, hit.text.as_str()), (Name, "Big ACME Corp"));
    assert_eq!(hit.ranges, [(4, 8)]);
}

#[test]
fn chinese_characters_are_highlighted() {
    let hit = &people().search("三", 10).hits[0];
    assert_eq!(hit.id, "zs");
    assert_eq!(marked(hit), ["三"]);
}

#[test]
fn pinyin_matches_highlight_the_characters_they_matched() {
    let index = people();
    for (query, want) in [("zs", "张三"), ("zhangs", "张三"), ("zhangsan", "张三"), ("zhang", "张")] {
        let hit = &index.search(query, 10).hits[0];
        assert_eq!(hit.id, "zs", "{query}");
        assert_eq!(marked(hit), [want], "{query}");
    }
    let result = index.search("sf", 10);
    assert_eq!(marked(&result.hits[0]), ["三丰"]);
    // two terms: touching ranges are merged into one highlight
    assert_eq!(marked(&index.search("zhang san", 10).hits[0]), ["张三"]);
    assert_eq!(marked(&index.search("zhang feng", 10).hits[0]), ["张", "丰"]);
}

#[test]
fn ranking_follows_exact_prefix_word_pinyin_inside_then_other_fields() {
    let index = build(&[
        ("inside", &[(Name, "Oli")]),
        ("company", &[(Name, "Zed"), (Company, "Li & Co")]),
        ("pinyin-mid", &[(Name, "王李")]),
        ("pinyin-start", &[(Name, "李四")]),
        ("word", &[(Name, "Bo Li")]),
        ("prefix", &[(Name, "Li Wei")]),
        ("exact", &[(Name, "LI")]),
        ("note", &[(Name, "Nobody"), (Note, "li")]),
    ]);
    let result = index.search("li", 10);
    assert_eq!(ids(&result), ["exact", "prefix", "word", "pinyin-start", "pinyin-mid", "inside", "company", "note"]);
    let scores: Vec<u32> = result.hits.iter().map(|h| h.score).collect();
    assert!(scores.windows(2).all(|w| w[0] > w[1]), "{scores:?}");
}

#[test]
fn whole_name_in_several_terms_ranks_first() {
    let index = build(&[("a", &[(Name, "Li Wei Trading")]), ("b", &[(Name, "Li  Wei")]), ("c", &[(Name, "Wei Li")])]);
    // "Wei Li" before "Li Wei Trading": equal scores, and the shorter name first
    assert_eq!(ids(&index.search("li wei", 10)), ["b", "c", "a"]);
}

#[test]
fn ties_go_to_shorter_names_then_alphabetical() {
    let index = build(&[
        ("long", &[(Name, "张三丰")]),
        ("b", &[(Name, "张四")]),
        ("a", &[(Name, "张三")]),
        ("latin-b", &[(Name, "Acme Beta")]),
        ("latin-a", &[(Name, "Acme Alfa")]),
    ]);
    assert_eq!(ids(&index.search("zhang", 10)), ["a", "b", "long"]);
    assert_eq!(ids(&index.search("acme", 10)), ["latin-a", "latin-b"]);
}

#[test]
fn phone_numbers_match_by_digits_whatever_the_punctuation() {
    let index = build(&[("a", &[(Name, "Wang"), (Phone, "+86 138-0013-8000")]), ("b", &[(Name, "Zhao"), (Phone, "139 0000 1111")])]);
    for query in ["138 0013", "13800138000", "138-0013-8000", "(138) 0013", "+86138", "８０００"] {
        assert_eq!(ids(&index.search(query, 10)), ["a"], "{query}");
    }
    let digits_only = build(&[("c", &[(Phone, "4008001234")])]);
    assert_eq!(ids(&digits_only.search("(400) 800-1234", 10)), ["c"]);
    let hit = &index.search("138-0013", 10).hits[0];
    assert_eq!((hit.field, hit.text.as_str()), (Phone, "+86 138-0013-8000"));
    assert_eq!(marked(hit), ["138-0013"]);
    assert_eq!(marked(&index.search("13800138000", 10).hits[0]), ["138-0013-8000"]);
    assert_eq!(marked(&index.search("138 0013", 10).hits[0]), ["138", "0013"]);
}

#[test]
fn every_term_must_match_somewhere_in_the_customer() {
    let index = build(&[
        ("both", &[(Name, "张三"), (Company, "Acme Ltd")]),
        ("name-only", &[(Name, "张三"), (Company, "Globex")]),
        ("company-only", &[(Name, "李四"), (Company, "Acme Inc")]),
        ("email", &[(Name, "Zhang Wei"), (Email, "wei@acme.com")]),
    ]);
    assert_eq!(ids(&index.search("zs acme", 10)), ["both"]);
    assert_eq!(ids(&index.search("acme zhang", 10)), ["email", "both"]);
    let hit = &index.search("acme zs", 10).hits[0];
    assert_eq!((hit.field, marked(hit)), (Name, vec!["张三"]), "the name is shown: it matched best");
}

#[test]
fn upsert_replaces_and_remove_removes() {
    let mut index = build(&[("a", &[(Name, "Alice")]), ("b", &[(Name, "Bob")]), ("c", &[(Name, "Carol")])]);
    index.upsert("a", &[(Name, "Alfred"), (Email, "alfred@example.com")]);
    assert_eq!(index.len(), 3);
    assert!(index.search("alice", 10).hits.is_empty());
    assert_eq!(ids(&index.search("alfred", 10)), ["a"]);

    assert!(index.remove("a"));
    assert!(!index.remove("a"));
    assert_eq!(index.len(), 2);
    assert!(index.search("alfred", 10).hits.is_empty());
    // the row moved into the freed slot is still found and still removable
    assert_eq!(ids(&index.search("carol", 10)), ["c"]);
    assert!(index.remove("c"));
    assert_eq!(ids(&index.search("", 10)), ["b"]);
}

#[test]
fn empty_query_lists_everyone_by_name_unnamed_last() {
    let index = build(&[("3", &[(Email, "x@y.z")]), ("1", &[(Name, "bob")]), ("2", &[(Name, "Alice")]), ("4", &[(Name, "张三")])]);
    let result = index.search("  ", 10);
    assert_eq!(result.total, 4);
    assert_eq!(ids(&result), ["2", "1", "4", "3"]);
    assert_eq!(result.hits[0].text, "Alice");
    assert_eq!(index.search("", 2).hits.len(), 2);
    assert_eq!(index.search("", 2).total, 4);
}

#[test]
fn total_counts_beyond_the_limit() {
    let rows: Vec<(String, String)> = (0..50).map(|i| (format!("id{i}"), format!("Acme {i}"))).collect();
    let mut index = SearchIndex::new();
    for (id, name) in &rows {
        index.upsert(id, &[(Name, name)]);
    }
    let result = index.search("acme", 5);
    assert_eq!((result.hits.len(), result.total), (5, 50));
    assert_eq!(ids(&result), ["id0", "id1", "id2", "id3", "id4"]);
    assert!(index.search("acme", 0).hits.is_empty());
}

#[test]
fn typing_on_narrows_to_the_same_results_as_a_fresh_search() {
    let index = build(&[
        ("a", &[(Name, "张三"), (Phone, "+86 138 0013 8000")]),
        ("b", &[(Name, "Zhang Sanfeng"), (Email, "zs@acme.com")]),
        ("c", &[(Name, "赵四")]),
        ("d", &[(Name, "Acme"), (Phone, "(021) 1380 0000")]),
    ]);
    let mut previous = index.search("", 10);
    for query in ["z", "zs", "zsa", "zh", "zhang", "zhang s", "zhang sa", "+", "+8", "+86", "+86 1", "+86 13"] {
        let narrowed = index.search_after(&previous, query, 10);
        let fresh = index.search(query, 10);
        assert_eq!((ids(&narrowed), narrowed.total), (ids(&fresh), fresh.total), "{query}");
        previous = narrowed;
    }
}

#[test]
fn narrowing_sees_changes_made_since_the_previous_search() {
    let mut index = build(&[("a", &[(Name, "Acme")])]);
    let previous = index.search("ac", 10);
    index.upsert("b", &[(Name, "Acme Two")]);
    assert_eq!(ids(&index.search_after(&previous, "acm", 10)), ["a", "b"]);
    let other = SearchIndex::new();
    assert!(other.search_after(&previous, "acm", 10).hits.is_empty());
}

#[test]
fn odd_text_never_panics_and_still_matches() {
    let index = build(&[
        ("emoji", &[(Name, "😀 Party Ltd 🎉")]),
        ("combining", &[(Name, "Cafe\u{301} Zo\u{308}e")]),
        ("turkish", &[(Name, "İstanbul Tekstil")]),
        ("greek", &[(Name, "ΟΔΥΣΣΕΑΣ")]),
        ("rare", &[(Name, "\u{9FA5}\u{4DB5}\u{20000}")]),
        ("newline", &[(Note, "first line\nsecond line")]),
    ]);
    assert_eq!(ids(&index.search("party", 10)), ["emoji"]);
    assert_eq!(marked(&index.search("🎉", 10).hits[0]), ["🎉"]);
    assert_eq!(marked(&index.search("cafe\u{301}", 10).hits[0]), ["Cafe\u{301}"]);
    assert_eq!(marked(&index.search("stanbul", 10).hits[0]), ["stanbul"]);
    assert_eq!(marked(&index.search("İst", 10).hits[0]), ["İst"]);
    assert_eq!(ids(&index.search("οδυσσεας", 10)), ["greek"]);
    assert_eq!(ids(&index.search("\u{20000}", 10)), ["rare"]);
    for query in ["\u{301}", "\u{0}", "\u{FFFF}", "\u{10FFFF}", "((((", "+", "-", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"] {
        let _ = index.search(query, 10);
    }
}

#[test]
fn replacing_customers_over_and_over_keeps_every_one_findable() {
    // enough replaced text that the index rewrites its storage several times
    let mut index = SearchIndex::new();
    for round in 0..6 {
        for i in 0..300 {
            let name = format!("Customer {i} round {round}");
            let phone = format!("+86 139-{i:04}-{round:04}");
            index.upsert(&format!("id{i}"), &[(Name, &name), (Phone, &phone), (Company, "北京华为科技有限公司")]);
            if i % 3 == 0 {
                index.remove(&format!("id{}", i / 2));
            }
        }
        let result = index.search(&format!("round {round}"), 1000);
        assert_eq!(result.total, index.len(), "round {round}");
        let hit = index.search(&format!("customer 299 round {round}"), 5).hits.into_iter().next().unwrap();
        assert_eq!((hit.id.as_str(), hit.text.as_str()), ("id299", format!("Customer 299 round {round}").as_str()));
        assert_eq!(index.search(&format!("139{:04}", 17), 5).hits[0].id, "id17");
        assert_eq!(index.search("bjhw", 1000).total, index.len());
    }
}
