//! At 100k customers the index finds exactly what the plain matcher finds, ranks by its
//! rules, and keeps ids straight through replacements and removals. No timing here: the
//! benchmark (`examples/search_bench.rs`) measures speed.

use crm_core::search::{SearchField, SearchIndex};

#[path = "search_synthetic.rs"]
mod synthetic;
use synthetic::{customers, plain_matches};

const N: usize = 100_000;

#[test]
fn a_hundred_thousand_customers_are_searched_exactly() {
    let all = customers(N, 42);
    let mut index = SearchIndex::new();
    for c in &all {
        index.upsert(&c.id, &c.fields());
    }
    assert_eq!(index.len(), N);

    for query in ["zs", "zhang", "张", "acme", "138", "li wei", "wang 138", "shan", "13800", "bj hw"] {
        let result = index.search(query, 50);
        let expected = all.iter().filter(|c| plain_matches(&c.fields(), query)).count();
        assert_eq!(result.total, expected, "{query}");
        assert_eq!(result.hits.len(), expected.min(50), "{query}");
        assert!(result.hits.windows(2).all(|w| w[0].score >= w[1].score), "{query}");
    }

    // everyone, by name
    let everyone = index.search("", 10);
    assert_eq!(everyone.total, N);
    let names: Vec<String> = everyone.hits.iter().map(|h| h.text.to_lowercase()).collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");

    // replace every tenth, remove every seventh: ids and slots stay consistent
    for c in all.iter().step_by(10) {
        index.upsert(&c.id, &[(SearchField::Name, "Renamed Customer"), (SearchField::Phone, c.phone.as_str())]);
    }
    let mut removed = 0;
    for c in all.iter().step_by(7) {
        assert!(index.remove(&c.id));
        removed += 1;
    }
    assert_eq!(index.len(), N - removed);
    let renamed = index.search("renamed customer", 10);
    let still_there = (0..N).filter(|i| i.is_multiple_of(10) && !i.is_multiple_of(7)).count();
    assert_eq!(renamed.total, still_there);
    for hit in &renamed.hits {
        let i: usize = hit.id[1..].parse().unwrap();
        assert!(i.is_multiple_of(10) && !i.is_multiple_of(7), "{}", hit.id);
    }
    let c = &all[1];
    assert_eq!(index.search(&c.phone, 5).hits.iter().filter(|h| h.id == c.id).count(), 1, "{}", c.phone);
}
