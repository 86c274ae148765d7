//! Duplicate detection, merging two customers, and turning import rows into customers.

use crm_core::customer::{
    session_actor, Contact, Deal, Interaction, LoyaltyEntry, Note, Order, Survey, Task, Ticket, TicketUpdate,
};
use crm_core::dedupe::{find_duplicates, match_existing, Finder, Index, Reason};
use crm_core::import::{guess_mapping, ImportJob, ImportKind, ImportedCustomer, Record};
use crm_core::merge::{
    apply_to_existing, merge_into, mark_merged, rejected_csv, ImportPlan, OnDuplicate, Pending, PlanOptions, PlanProblem,
};
use crm_core::{Customer, CustomerDoc, DeviceId, DocId, Kind, Summary};
use std::collections::BTreeMap;

fn summary(id: &str, kind: Kind, name: &str, email: &str, phone: &str) -> Summary {
    let c = Customer { kind, name: name.into(), email: email.into(), phone: phone.into(), ..Default::default() };
    Summary::of(id, &c, 0)
}

fn ids(groups: &[crm_core::dedupe::Group]) -> Vec<Vec<&str>> {
    groups.iter().map(|g| g.ids.iter().map(String::as_str).collect()).collect()
}

#[test]
fn one_email_or_phone_written_differently_is_one_customer() {
    let all = [
        summary("a", Kind::Person, "Li Lei", "Li.Lei@Example.com ", ""),
        summary("b", Kind::Person, "Lei Li", "li.lei@example.com", ""),
        summary("c", Kind::Company, "Pearl River Tea", "", "+86 138-0013-8000"),
        summary("d", Kind::Company, "珠江茶业", "", "13800138000"),
        summary("e", Kind::Company, "Other", "other@example.com", "010-8888 6666"),
    ];
    let groups = find_duplicates(&all);
    assert_eq!(ids(&groups), [vec!["b", "a"], vec!["c", "d"]]);
    assert_eq!(groups[0].reasons, [Reason::Email("li.lei@example.com".into())]);
    assert_eq!(groups[1].reasons, [Reason::Phone("13800138000".into())]);
}

#[test]
fn a_contacts_email_counts_like_the_customers_own() {
    let mut c = Customer { name: "Acme".into(), ..Default::default() };
    c.contacts.insert("x".into(), Contact { name: "Wu".into(), emails: vec!["wu@acme.cn".into()], ..Default::default() });
    let all = [Summary::of("a", &c, 0), summary("b", Kind::Person, "Wu Fang", "WU@acme.cn", "")];
    assert_eq!(ids(&find_duplicates(&all)), [vec!["a", "b"]]);
}

#[test]
fn companies_match_by_name_persons_only_with_the_same_city_or_company_domain() {
    let city = |id: &str, name: &str, c: &str| Summary { city: c.into(), ..summary(id, Kind::Person, name, "", "") };
    let all = [
        summary("a", Kind::Company, "ACME, Inc.", "", ""),
        summary("b", Kind::Company, "acme inc", "", ""),
        city("c", "张伟", "北京"),
        city("d", "张 伟", "北京"),
        city("e", "张伟", "上海"),
        summary("f", Kind::Person, "王芳", "wf@qq.com", ""),
        summary("g", Kind::Person, "王芳", "wangfang@qq.com", ""),
        summary("h", Kind::Person, "Ann Lee", "ann@pearl.cn", ""),
        summary("i", Kind::Person, "ann lee", "a.lee@pearl.cn", ""),
    ];
    let groups = find_duplicates(&all);
    assert_eq!(ids(&groups), [vec!["b", "a"], vec!["h", "i"], vec!["d", "c"]], "in list order (by name)");
    assert_eq!(groups[0].reasons, [Reason::Name("ACME, Inc.".into())]);
}

#[test]
fn groups_join_transitively_and_list_every_reason() {
    let all = [
        summary("a", Kind::Person, "A", "a@x.cn", "13800000001"),
        summary("b", Kind::Person, "B", "a@x.cn", "13900000002"),
        summary("c", Kind::Person, "C", "", "139 0000 0002"),
    ];
    let groups = find_duplicates(&all);
    assert_eq!(ids(&groups), [vec!["a", "b", "c"]]);
    assert_eq!(groups[0].reasons, [Reason::Email("a@x.cn".into()), Reason::Phone("13900000002".into())]);
}

#[test]
fn exactly_the_planted_duplicates_are_found_among_100k_customers() {
    let n = 100_000;
    let mut all: Vec<Summary> = (0..n)
        .map(|i| {
            let kind = if i % 3 == 0 { Kind::Company } else { Kind::Person };
            let mut s = summary(
                &format!("{i:06}"),
                kind,
                &format!("Customer {i}"),
                &format!("user{i}@example{}.com", i % 97),
                &format!("+86 139{i:08}"),
            );
            s.city = format!("City {}", i % 50);
            s
        })
        .collect();
    // 100 planted pairs: 40 by email (other case), 40 by phone (other spelling), 20 by company name
    for k in 0..100 {
        let i = k * 997;
        let mut twin = match k % 5 {
            0 | 1 => summary(&format!("dup{k}"), Kind::Person, &format!("Twin {k}"), &format!("USER{i}@EXAMPLE{}.COM", i % 97), ""),
            2 | 3 => summary(&format!("dup{k}"), Kind::Person, &format!("Twin {k}"), "", &format!("139-{:04}-{:04}", i / 10_000, i % 10_000)),
            _ => summary(&format!("dup{k}"), Kind::Company, &format!("  customer {i} "), "", ""),
        };
        if k % 5 == 4 {
            all[i].kind = Kind::Company;
        }
        twin.city = "Elsewhere".into();
        all.push(twin);
    }
    let start = std::time::Instant::now();
    let mut finder = Finder::new();
    for s in &all {
        finder.add(s);
    }
    let groups = finder.groups();
    eprintln!("100k customers grouped in {:?}", start.elapsed());
    assert_eq!(groups.len(), 100, "{:?}", &groups[..groups.len().min(5)]);
    let mut found: Vec<(String, String)> = groups
        .iter()
        .map(|g| {
            assert_eq!(g.ids.len(), 2, "{g:?}");
            let dup = g.ids.iter().find(|id| id.starts_with("dup")).expect("a planted twin").clone();
            let orig = g.ids.iter().find(|id| !id.starts_with("dup")).expect("its original").clone();
            (dup, orig)
        })
        .collect();
    found.sort();
    let mut planted: Vec<(String, String)> = (0..100).map(|k| (format!("dup{k}"), format!("{:06}", k * 997))).collect();
    planted.sort();
    assert_eq!(found, planted);
}

#[test]
fn an_import_row_matches_an_existing_customer_by_external_id_email_or_phone() {
    let existing = [
        Summary { external_id: "C-7".into(), ..summary("a", Kind::Company, "Acme", "buy@acme.cn", "") },
        summary("b", Kind::Person, "Li", "", "+86 138 0013 8000"),
        summary("c", Kind::Person, "Same Name", "", ""),
    ];
    let index = Index::of_summaries(&existing);
    let row = |ext: &str, email: &str, phone: &str, name: &str| ImportedCustomer {
        external_id: ext.into(),
        email: email.into(),
        phone: phone.into(),
        name: name.into(),
        ..Default::default()
    };
    assert_eq!(match_existing(&index, &row("c-7", "", "", "Whoever")).as_deref(), Some("a"));
    assert_eq!(match_existing(&index, &row("", "BUY@acme.cn", "", "")).as_deref(), Some("a"));
    assert_eq!(match_existing(&index, &row("", "", "13800138000", "")).as_deref(), Some("b"));
    assert_eq!(match_existing(&index, &row("", "", "", "Same Name")), None, "a name alone is no match");
}

// ---- merge ----------------------------------------------------------------------------------

/// A customer with one or two of everything, ids prefixed so the two sides never share one.
fn full_customer(p: &str, name: &str) -> Customer {
    let mut c = Customer {
        name: name.into(),
        kind: Kind::Company,
        email: format!("{p}@{p}.example"),
        phone: format!("+86 13{}", if p == "t" { "800138000" } else { "900139000" }),
        created_at: 1,
        ..Default::default()
    };
    c.tags.insert(format!("{p}-tag"), true);
    c.tags.insert("shared".into(), true);
    c.custom.insert(format!("{p}-field"), "v".into());
    let mut dates = BTreeMap::new();
    dates.insert("anniversary".to_string(), "2020-05-01".to_string());
    c.contacts.insert(
        format!("{p}c1"),
        Contact { name: format!("{p} one"), emails: vec![format!("{p}1@x.cn")], dates, ..Default::default() },
    );
    c.contacts.insert(format!("{p}c2"), Contact { name: format!("{p} two"), phone: "021 5555 0000".into(), ..Default::default() });
    c.deals.insert(format!("{p}d1"), Deal { title: format!("{p} deal"), amount: 500, status: "open".into(), ..Default::default() });
    c.interactions.push(Interaction { id: format!("{p}i1"), kind: "call".into(), at: 5, summary: "hi".into(), ..Default::default() });
    c.tasks.insert(format!("{p}t1"), Task { title: format!("{p} task"), due: 9, ..Default::default() });
    c.notes.insert(
        format!("{p}n1"),
        Note { text: autosurgeon::Text::with_value(format!("{p} note 备注")), author: "me".into(), created_at: 3, updated_at: 4 },
    );
    c.tickets.insert(
        format!("{p}k1"),
        Ticket {
            subject: format!("{p} ticket"),
            status: "new".into(),
            updates: vec![TicketUpdate { id: "u1".into(), at: 1, by: "me".into(), text: "first".into() }],
            ..Default::default()
        },
    );
    for k in 0..2 {
        c.orders.push(Order { id: format!("{p}o{k}"), date: "2024-01-0{k}".into(), amount: 100 + k, ..Default::default() });
    }
    c.surveys.push(Survey { id: format!("{p}s1"), kind: "nps".into(), score: 9, ..Default::default() });
    c.loyalty.push(LoyaltyEntry { id: format!("{p}l1"), points: 50, ..Default::default() });
    c
}

fn doc_of(c: &Customer) -> CustomerDoc {
    let mut d = CustomerDoc::create_from(DocId::random(), session_actor(DeviceId::random()), c);
    d.take_chunk();
    d
}

#[test]
fn merging_keeps_every_item_of_both_customers() {
    let target = full_customer("t", "Pearl River Tea");
    let source = full_customer("s", "Pearl River Tea Co");
    let mut doc = doc_of(&target);
    let merged = merge_into(&doc.customer(), &source, "f00dfeedf00dfeed");
    doc.edit(&merged.edits).expect("merge edits apply");
    let c = doc.customer();
    assert_eq!(c, merged.customer, "the plan's copy is what the document holds");
    assert!(doc.conflicts().is_empty());

    // two contacts each, plus the source's email and phone, which the target lacked
    assert_eq!(c.contacts.len(), 5);
    let kept = &c.contacts["merged-f00dfeedf00dfeed"];
    assert_eq!((kept.name.as_str(), kept.email.as_str(), kept.phone.as_str()), ("Pearl River Tea Co", "s@s.example", "+86 13900139000"));
    assert_eq!(c.contacts["sc1"].note, "anniversary: 2020-05-01", "important dates are kept in the note");
    assert_eq!(c.contacts["sc1"].emails, ["s1@x.cn"]);
    assert_eq!(c.deals.len(), 2);
    assert_eq!(c.interactions.len(), 2);
    assert_eq!(c.tasks.len(), 2);
    assert_eq!(c.notes.len(), 2);
    assert_eq!(c.notes["sn1"].text.as_str(), "s note 备注");
    assert_eq!(c.tickets.len(), 2);
    assert_eq!(c.tickets["sk1"].updates.len(), 1);
    assert_eq!(c.orders.len(), 4);
    assert_eq!(c.orders.iter().map(|o| o.amount).sum::<i64>(), 2 * (100 + 101));
    assert_eq!(c.surveys.len(), 2);
    assert_eq!(c.loyalty.len(), 2);
    assert_eq!(c.tag_list(), ["s-tag", "shared", "t-tag"]);
    assert_eq!(c.custom.len(), 2);
    // the target's own profile wins; nothing of it is overwritten
    assert_eq!((c.name.as_str(), c.email.as_str()), ("Pearl River Tea", "t@t.example"));
}

#[test]
fn merging_fills_only_empty_profile_fields() {
    let target = Customer { name: "Acme".into(), city: "Beijing".into(), ..Default::default() };
    let source = Customer {
        name: "ACME Ltd".into(),
        city: "Shanghai".into(),
        industry: "Tea".into(),
        email: "buy@acme.cn".into(),
        do_not_call: true,
        ..Default::default()
    };
    let m = merge_into(&target, &source, "abc");
    let c = m.customer;
    assert_eq!((c.name.as_str(), c.city.as_str(), c.industry.as_str(), c.email.as_str()), ("Acme", "Beijing", "Tea", "buy@acme.cn"));
    assert!(c.do_not_call, "a do-not-call wish survives the merge");
    assert!(c.contacts.is_empty(), "the email moved to the profile, so no contact is needed for it");
}

#[test]
fn merging_the_same_customer_again_adds_nothing() {
    let mut doc = doc_of(&full_customer("t", "T"));
    let source = full_customer("s", "S");
    let first = merge_into(&doc.customer(), &source, "s1");
    doc.edit(&first.edits).expect("apply");
    let again = merge_into(&doc.customer(), &source, "s1");
    assert!(again.edits.is_empty(), "{:?}", again.edits);
}

#[test]
fn an_item_id_both_customers_use_is_copied_under_another_id() {
    let mut target = full_customer("t", "T");
    let mut source = full_customer("s", "S");
    let clash = Order { id: "same".into(), amount: 1, ..Default::default() };
    target.orders.push(clash.clone());
    source.orders.push(Order { amount: 2, ..clash });
    source.contacts.insert("tc1".into(), Contact { name: "someone else".into(), ..Default::default() });
    let m = merge_into(&target, &source, "0123456789abcdef");
    let c = m.customer;
    assert_eq!(c.orders.iter().filter(|o| o.id.starts_with("same")).map(|o| o.amount).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(c.contacts["tc1"].name, "t one");
    assert_eq!(c.contacts["tc1-01234567"].name, "someone else");
    let mut doc = doc_of(&target);
    doc.edit(&merge_into(&doc.customer(), &source, "0123456789abcdef").edits).expect("apply");
    assert_eq!(doc.customer(), c);
}

#[test]
fn the_merged_away_customer_goes_to_the_trash_pointing_at_the_kept_one() {
    let mut doc = doc_of(&full_customer("s", "S"));
    doc.edit(&mark_merged("target-id", 77, "me")).expect("apply");
    let c = doc.customer();
    assert_eq!((c.deleted_at, c.merged_into.as_str()), (77, "target-id"));
    assert_eq!(c.orders.len(), 2, "its own data stays, so a restore brings it back whole");
}

// ---- import plan ---------------------------------------------------------------------------

fn opts(on_duplicate: OnDuplicate) -> PlanOptions {
    PlanOptions {
        on_duplicate,
        currency: "USD".into(),
        now: 1_000,
        author: "importer".into(),
        name_for_id: "Customer {}".into(),
    }
}

/// Reads `text` as `kind` with the guessed mapping into a plan; returns it and the refused lines.
fn plan(text: &str, kind: ImportKind, existing: &[Summary], on_duplicate: OnDuplicate) -> (ImportPlan, Vec<u64>) {
    let headers = crm_core::import::sniff(text, 0).expect("header").headers;
    let mut job = ImportJob::new(text, kind, &guess_mapping(kind, &headers)).expect("mapping");
    let mut p = ImportPlan::new(existing, opts(on_duplicate));
    let mut refused = Vec::new();
    loop {
        let batch = job.next_batch(500);
        refused.extend(batch.errors.iter().map(|e| e.line));
        for r in batch.records {
            let line = r.line();
            if p.add(r).is_err() {
                refused.push(line);
            }
        }
        if batch.done {
            break;
        }
    }
    (p, refused)
}

#[test]
fn the_cdnow_orders_become_2357_customers_with_6919_orders() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/cdnow_sample_orders.csv");
    let text = std::fs::read_to_string(path).expect("the CDNOW sample in ../shared/data");
    let (p, refused) = plan(&text, ImportKind::Orders, &[], OnDuplicate::Skip);
    assert!(refused.is_empty(), "{refused:?}");
    let (new, updates, stats) = p.into_parts();
    assert!(updates.is_empty());
    assert_eq!(new.len(), 2357);
    assert_eq!(new.iter().map(|c| c.orders.len()).sum::<usize>(), 6919);
    assert_eq!(stats.orders, 6919);
    let first = new.iter().find(|c| c.external_id == "00004").expect("customer 00004");
    assert_eq!(first.name, "Customer 00004");
    assert_eq!(first.orders[0].date, "1997-01-01");
    assert_eq!(first.orders[0].amount, 2933);
    assert_eq!(first.orders[0].quantity, 2);
    assert_eq!(first.orders[0].currency, "USD");
}

#[test]
fn orders_attach_to_existing_customers_by_id_email_or_name() {
    let existing = [
        Summary { external_id: "C-1".into(), ..summary("a", Kind::Company, "Acme", "", "") },
        summary("b", Kind::Person, "Li Lei", "li@x.cn", ""),
    ];
    let text = "customer,order_id,date,amount\nC-1,A1,2024-01-02,10\nLI@x.cn,B1,2024-01-03,20\nli lei,B2,2024-01-04,30\nNew Shop,N1,2024-01-05,40\nnew shop,N2,2024-01-06,50\n";
    let (p, refused) = plan(text, ImportKind::Orders, &existing, OnDuplicate::Skip);
    assert!(refused.is_empty());
    let (new, updates, _) = p.into_parts();
    assert_eq!(new.len(), 1);
    assert_eq!((new[0].name.as_str(), new[0].orders.len()), ("New Shop", 2));
    let by_id: BTreeMap<&str, usize> = updates.iter().map(|(id, p)| (id.as_str(), p.len())).collect();
    assert_eq!(by_id, BTreeMap::from([("a", 1), ("b", 2)]));
}

#[test]
fn an_order_number_the_customer_has_already_is_a_duplicate() {
    let existing = Customer {
        name: "Acme".into(),
        orders: vec![Order { id: "o".into(), external_id: "A1".into(), ..Default::default() }],
        ..Default::default()
    };
    let text = "customer,order_id,date,amount\nAcme,A1,2024-01-02,10\nAcme,A2,2024-01-03,20\nAcme,,2024-01-03,20\n";
    let (p, _) = plan(text, ImportKind::Orders, &[Summary::of("a", &existing, 0)], OnDuplicate::Skip);
    let (_, updates, _) = p.into_parts();
    let applied = apply_to_existing(&existing, &updates[0].1, OnDuplicate::Skip, "me", 1);
    assert_eq!((applied.orders, applied.duplicates, applied.skipped), (2, 1, 1));
    let mut doc = doc_of(&existing);
    doc.edit(&applied.edits).expect("apply");
    assert_eq!(doc.customer().orders.len(), 3);
}

#[test]
fn a_customer_row_matching_another_follows_the_chosen_policy() {
    let existing = [summary("a", Kind::Company, "Acme", "buy@acme.cn", "")];
    let text = "name,email,phone,city\nACME Corp,BUY@acme.cn,,Beijing\nTea Co,tea@x.cn,,\nTea Company,,,Hangzhou\nTea Co Again,TEA@x.cn,,Suzhou\n";
    let (p, _) = plan(text, ImportKind::Customers, &existing, OnDuplicate::Skip);
    assert_eq!((p.new.len(), p.updates().len(), p.stats.duplicates, p.stats.skipped), (2, 0, 2, 2));

    let (p, _) = plan(text, ImportKind::Customers, &existing, OnDuplicate::FillEmpty);
    assert_eq!((p.new.len(), p.stats.duplicates, p.stats.skipped), (2, 2, 0));
    assert_eq!(p.new[0].city, "Suzhou", "a row matching an earlier row fills that one");
    let Pending::Fill(row) = &p.updates()[0].1[0] else { panic!("a fill") };
    let existing_doc = Customer { name: "Acme".into(), email: "buy@acme.cn".into(), ..Default::default() };
    let applied = apply_to_existing(&existing_doc, &[Pending::Fill(row.clone())], OnDuplicate::FillEmpty, "me", 1);
    let mut doc = doc_of(&existing_doc);
    doc.edit(&applied.edits).expect("apply");
    assert_eq!((doc.customer().name.as_str(), doc.customer().city.as_str()), ("Acme", "Beijing"));

    let (p, _) = plan(text, ImportKind::Customers, &existing, OnDuplicate::AsNew);
    assert_eq!((p.new.len(), p.stats.duplicates, p.stats.skipped), (4, 2, 0));
}

#[test]
fn contacts_attach_to_their_company_and_known_contacts_are_not_added_twice() {
    let mut acme = Customer { name: "Acme".into(), ..Default::default() };
    acme.contacts.insert("k".into(), Contact { name: "Wu Fang".into(), email: "wu@acme.cn".into(), ..Default::default() });
    let existing = [Summary::of("a", &acme, 0)];
    let text = "company,name,email,phone,title\nAcme,Wu Fang,,13800138000,Buyer\nAcme,Zhao Li,zhao@acme.cn,,CEO\nNew Co,Qian,q@new.cn; q2@new.cn,,\n";
    let (p, refused) = plan(text, ImportKind::Contacts, &existing, OnDuplicate::FillEmpty);
    assert!(refused.is_empty(), "{refused:?}");
    assert_eq!(p.new.len(), 1);
    let qian = p.new[0].contacts.values().next().expect("a contact");
    assert_eq!((qian.email.as_str(), qian.emails.as_slice()), ("q@new.cn", ["q2@new.cn".to_string()].as_slice()));
    let applied = apply_to_existing(&acme, &p.updates()[0].1, OnDuplicate::FillEmpty, "me", 1);
    assert_eq!((applied.contacts, applied.duplicates), (1, 1));
    let mut doc = doc_of(&acme);
    doc.edit(&applied.edits).expect("apply");
    let c = doc.customer();
    assert_eq!(c.contacts.len(), 2);
    assert_eq!((c.contacts["k"].title.as_str(), c.contacts["k"].phone.as_str()), ("Buyer", "13800138000"));
}

#[test]
fn a_reference_that_fits_several_customers_is_refused() {
    let existing = [summary("a", Kind::Person, "张伟", "", ""), summary("b", Kind::Person, "张伟", "", "")];
    let mut p = ImportPlan::new(&existing, opts(OnDuplicate::Skip));
    let text = "customer,date,amount\n张伟,2024-01-01,5\n";
    let headers = crm_core::import::sniff(text, 0).expect("header").headers;
    let mut job = ImportJob::new(text, ImportKind::Orders, &guess_mapping(ImportKind::Orders, &headers)).expect("job");
    let record: Record = job.next_batch(10).records.remove(0);
    assert_eq!(p.add(record), Err(PlanProblem::AmbiguousCustomer { reference: "张伟".into(), count: 2 }));
}

#[test]
fn the_rejected_rows_file_keeps_line_reason_and_fields() {
    let out = rejected_csv(&["名称", "金额"], b';', &[(3, "金额不是数字".into(), "\"a;b\";x".into()), (9, "why".into(), String::new())]);
    let text = String::from_utf8(out).expect("utf-8");
    assert_eq!(text, "\u{feff}import_line,import_reason,名称,金额\r\n3,金额不是数字,a;b,x\r\n9,why\r\n");
}
