use super::*;

fn actor(n: u8) -> ActorId {
    ActorId::from(vec![n; 20])
}

fn fresh(n: u8) -> (CustomerDoc, Vec<u8>) {
    let mut d = CustomerDoc::create(DocId([1; 16]), actor(n), Kind::Company, "Acme", 1000);
    let first = d.take_chunk().unwrap();
    (d, first)
}

#[test]
fn edits_map_onto_the_document_and_survive_a_reload() {
    let (mut d, _) = fresh(1);
    let cid = "c1".to_string();
    d.edit(&[
        Edit::Set(Field::Email, "info@acme.cn".into()),
        Edit::Set(Field::Kind, "person".into()),
        Edit::AddTag("vip".into()),
        Edit::AddTag("beijing".into()),
        Edit::AddContact { id: cid.clone() },
        Edit::SetContact { id: cid.clone(), field: ContactField::Name, value: "张三".into() },
    ])
    .unwrap();
    let snap = d.save();
    let back = CustomerDoc::load(d.id, &snap, actor(1)).unwrap().customer();
    assert_eq!(back.email, "info@acme.cn");
    assert_eq!(back.kind, Kind::Person);
    assert_eq!(back.tag_list(), vec!["beijing", "vip"]);
    assert_eq!(back.contacts["c1"].name, "张三");
    assert!(d.edit(&[Edit::Set(Field::Kind, "alien".into())]).is_err());
    assert!(d.edit(&[Edit::SetContact { id: "nope".into(), field: ContactField::Name, value: "x".into() }]).is_err());
    // a failing batch leaves nothing half-applied
    let before = d.customer();
    assert!(d.edit(&[Edit::Set(Field::Owner, "wu".into()), Edit::RemoveContact { id: "x".into() }, Edit::Set(Field::Kind, "alien".into())]).is_err());
    assert_eq!(d.customer(), before);
}

#[test]
fn chunks_carry_only_changes_since_the_previous_chunk() {
    let (mut d, first) = fresh(1);
    d.edit(&[Edit::Set(Field::Phone, "123".into())]).unwrap();
    let second = d.take_chunk().unwrap();
    assert!(second.len() < first.len() + 40);
    assert!(d.take_chunk().is_none(), "nothing new, no chunk");
    let mut other = CustomerDoc::empty(d.id, actor(2));
    other.merge_chunk(&first).unwrap();
    other.merge_chunk(&second).unwrap();
    assert_eq!(other.customer().phone, "123");
}

#[test]
fn concurrent_writes_to_one_field_are_reported_as_a_conflict_on_both_sides() {
    let (mut a, first) = fresh(1);
    let mut b = CustomerDoc::empty(a.id, actor(2));
    b.merge_chunk(&first).unwrap();
    a.edit(&[Edit::Set(Field::Name, "Acme A".into())]).unwrap();
    b.edit(&[Edit::Set(Field::Name, "Acme B".into())]).unwrap();
    let ca = a.take_chunk().unwrap();
    let cb = b.take_chunk().unwrap();
    a.merge_chunk(&cb).unwrap();
    b.merge_chunk(&ca).unwrap();
    assert_eq!(a.customer(), b.customer());
    let conf = a.conflicts();
    assert_eq!(conf.len(), 1);
    assert_eq!(conf[0].path, "name");
    let mut both = vec![conf[0].value.clone(), conf[0].others[0].clone()];
    both.sort();
    assert_eq!(both, vec!["Acme A", "Acme B"]);
    assert_eq!(a.conflicts(), b.conflicts());
    assert_eq!(a.summary().conflicts, 1);
}

#[test]
fn a_chunk_that_arrives_before_its_dependency_is_kept_through_a_save() {
    let (mut a, first) = fresh(1);
    a.edit(&[Edit::Set(Field::Owner, "li".into())]).unwrap();
    let second = a.take_chunk().unwrap();
    let mut b = CustomerDoc::empty(a.id, actor(2));
    b.merge_chunk(&second).unwrap();
    assert!(b.is_waiting());
    assert!(!b.is_complete());
    assert!(matches!(b.edit(&[Edit::Set(Field::Name, "x".into())]), Err(ModelError::Incomplete)));
    let snap = b.save();
    let mut b = CustomerDoc::load(a.id, &snap, actor(2)).unwrap();
    b.merge_chunk(&first).unwrap();
    assert!(!b.is_waiting());
    assert_eq!(b.customer().owner, "li");
    assert_eq!(b.customer().name, "Acme");
}

#[test]
fn merging_with_unchunked_local_edits_is_refused() {
    let (mut a, first) = fresh(1);
    a.edit(&[Edit::Set(Field::Owner, "li".into())]).unwrap();
    assert!(matches!(a.merge_chunk(&first), Err(ModelError::UnchunkedLocalEdits)));
}

#[test]
fn search_matches_every_term_case_insensitively() {
    let (mut d, _) = fresh(1);
    d.edit(&[Edit::AddTag("VIP".into()), Edit::Set(Field::Email, "Sales@Acme.com".into())]).unwrap();
    let s = d.summary();
    assert!(Query::new("acme vip").matches(&s));
    assert!(Query::new("SALES@").matches(&s));
    assert!(!Query::new("acme zzz").matches(&s));
    assert!(Query::new("  ").is_empty() && Query::new("").matches(&s));
}


fn merged(a: &mut CustomerDoc, b: &mut CustomerDoc) {
    let (ca, cb) = (a.take_chunk(), b.take_chunk());
    if let Some(cb) = cb {
        a.merge_chunk(&cb).unwrap();
    }
    if let Some(ca) = ca {
        b.merge_chunk(&ca).unwrap();
    }
}

fn deal(title: &str, stage: &str, amount: i64) -> Deal {
    Deal { title: title.into(), pipeline: "sales".into(), stage: stage.into(), amount, currency: "CNY".into(), status: "open".into(), ..Default::default() }
}

#[test]
fn concurrent_edits_to_different_fields_of_one_deal_both_survive() {
    let (mut a, first) = fresh(1);
    a.edit(&[Edit::PutDeal { id: "d1".into(), deal: deal("Renewal", "lead", 100_00) }]).unwrap();
    let second = a.take_chunk().unwrap();
    let mut b = CustomerDoc::empty(a.id, actor(2));
    b.merge_chunk(&first).unwrap();
    b.merge_chunk(&second).unwrap();
    a.edit(&[Edit::MoveDeal { id: "d1".into(), stage: "proposal".into(), at: 5, by: "li".into() }]).unwrap();
    let mut d = b.customer().deals["d1"].clone();
    d.amount = 250_00;
    b.edit(&[Edit::PutDeal { id: "d1".into(), deal: d }]).unwrap();
    merged(&mut a, &mut b);
    let (x, y) = (a.customer(), b.customer());
    assert_eq!(x, y);
    assert_eq!(x.deals["d1"].stage, "proposal");
    assert_eq!(x.deals["d1"].amount, 250_00);
    assert!(a.conflicts().is_empty());
    assert_eq!(x.events.len(), 1);
    assert_eq!((x.events[0].from.as_str(), x.events[0].to.as_str()), ("lead", "proposal"));
}

#[test]
fn concurrent_appends_to_the_log_and_orders_keep_both() {
    let (mut a, first) = fresh(1);
    let mut b = CustomerDoc::empty(a.id, actor(2));
    b.merge_chunk(&first).unwrap();
    let call = |id: &str, at| Interaction { id: id.into(), kind: "call".into(), direction: "out".into(), at, summary: id.into(), ..Default::default() };
    a.edit(&[Edit::LogInteraction(call("i1", 10)), Edit::AddOrder(Order { id: "o1".into(), date: "2024-01-02".into(), amount: 5_00, ..Default::default() })]).unwrap();
    b.edit(&[Edit::LogInteraction(call("i2", 11)), Edit::AddOrder(Order { id: "o2".into(), date: "2024-01-03".into(), amount: 7_00, ..Default::default() })]).unwrap();
    merged(&mut a, &mut b);
    let c = a.customer();
    assert_eq!(c, b.customer());
    assert_eq!(c.interactions.len(), 2);
    assert_eq!(c.orders.iter().map(|o| o.amount).sum::<i64>(), 12_00);
    let s = a.summary();
    assert_eq!((s.orders, s.revenue, s.last_order.as_str(), s.last_interaction), (2, 12_00, "2024-01-03", 11));
    let tl = timeline::timeline(&c);
    assert_eq!(tl.len(), 4);
    assert!(tl.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
}

#[test]
fn two_people_typing_in_one_note_at_once_keep_every_character() {
    let (mut a, first) = fresh(1);
    a.edit(&[Edit::AddNote { id: "n1".into(), author: "li".into(), at: 1, text: "会议纪要".into() }]).unwrap();
    let second = a.take_chunk().unwrap();
    let mut b = CustomerDoc::empty(a.id, actor(2));
    b.merge_chunk(&first).unwrap();
    b.merge_chunk(&second).unwrap();
    // both editors started from the same text
    a.edit(&[Edit::EditNote { id: "n1".into(), base: "会议纪要".into(), local: "会议纪要: price agreed".into(), at: 2 }]).unwrap();
    b.edit(&[Edit::EditNote { id: "n1".into(), base: "会议纪要".into(), local: "周一 会议纪要".into(), at: 2 }]).unwrap();
    merged(&mut a, &mut b);
    assert_eq!(a.note_text("n1").unwrap(), "周一 会议纪要: price agreed");
    assert_eq!(a.note_text("n1"), b.note_text("n1"));
    // an editor still holding the old base after the merge rebases onto it
    a.edit(&[Edit::EditNote { id: "n1".into(), base: "会议纪要: price agreed".into(), local: "会议纪要: price agreed!".into(), at: 3 }]).unwrap();
    assert_eq!(a.note_text("n1").unwrap(), "周一 会议纪要: price agreed!");
}

#[test]
fn soft_delete_and_restore_keep_everything_and_show_in_the_summary() {
    let (mut a, _) = fresh(1);
    a.edit(&[Edit::AddTag("vip".into()), Edit::Delete { at: 9, by: "li".into() }]).unwrap();
    assert!(a.summary().is_deleted());
    a.edit(&[Edit::Restore { at: 10, by: "li".into() }]).unwrap();
    let c = a.customer();
    assert!(!c.is_deleted());
    assert_eq!(c.tag_list(), vec!["vip"]);
    assert_eq!(c.events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), vec!["deleted", "restored"]);
}

#[test]
fn invalid_items_are_refused_with_a_reason_and_nothing_is_written() {
    let (mut a, _) = fresh(1);
    let before = a.customer();
    let bad = Survey { id: "s".into(), kind: "nps".into(), score: 11, ..Default::default() };
    let e = a.edit(&[Edit::AddTag("x".into()), Edit::AddSurvey(bad)]).unwrap_err();
    assert!(e.to_string().contains("out of range"), "{e}");
    assert_eq!(a.customer(), before);
    assert!(a.edit(&[Edit::PutTask { id: "t".into(), task: Task::default() }]).is_err());
    assert!(a.edit(&[Edit::MoveDeal { id: "nope".into(), stage: "x".into(), at: 0, by: String::new() }]).is_err());
}

#[test]
fn conflicts_are_found_inside_items_too() {
    let (mut a, first) = fresh(1);
    a.edit(&[Edit::PutTask { id: "t1".into(), task: Task { title: "Call back".into(), ..Default::default() } }]).unwrap();
    let second = a.take_chunk().unwrap();
    let mut b = CustomerDoc::empty(a.id, actor(2));
    b.merge_chunk(&first).unwrap();
    b.merge_chunk(&second).unwrap();
    let mut ta = a.customer().tasks["t1"].clone();
    ta.assignee = "li".into();
    a.edit(&[Edit::PutTask { id: "t1".into(), task: ta }]).unwrap();
    let mut tb = b.customer().tasks["t1"].clone();
    tb.assignee = "wang".into();
    b.edit(&[Edit::PutTask { id: "t1".into(), task: tb }]).unwrap();
    merged(&mut a, &mut b);
    let c = a.conflicts();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].path, "tasks.t1.assignee");
}

fn two_devices_conflicting_on_phone() -> (CustomerDoc, CustomerDoc) {
    let (mut a, first) = fresh(1);
    let mut b = CustomerDoc::empty(a.id, actor(2));
    b.merge_chunk(&first).unwrap();
    a.edit(&[Edit::Set(Field::Phone, "111".into())]).unwrap();
    b.edit(&[Edit::Set(Field::Phone, "222".into())]).unwrap();
    merged(&mut a, &mut b);
    (a, b)
}

#[test]
fn a_conflict_lists_every_value_with_its_device_and_time_and_keeping_one_resolves_it_everywhere() {
    let (mut a, mut b) = two_devices_conflicting_on_phone();
    let c = a.conflicts_detailed();
    assert_eq!(c.len(), 1);
    let values = &c[0].values;
    assert_eq!(values.len(), 2);
    // the shown value comes first
    assert_eq!(values[0].value, a.customer().phone);
    let mut devices: Vec<_> = values.iter().map(|v| v.device.unwrap()).collect();
    devices.sort();
    assert_eq!(devices, vec![DeviceId([1; 16]), DeviceId([2; 16])]);
    assert!(values.iter().all(|v| v.at > 1_600_000_000_000), "edits are stamped with the clock: {values:?}");
    // b keeps the value that is *not* shown
    let loser = values[1].clone();
    b.edit(&[Edit::KeepValue { path: "phone".into(), op: loser.op.clone() }]).unwrap();
    merged(&mut a, &mut b);
    assert!(a.conflicts().is_empty() && b.conflicts().is_empty());
    assert_eq!(a.customer().phone, loser.value);
    assert_eq!(b.customer().phone, loser.value);
    // keeping again names a value the field no longer holds
    let e = a.edit(&[Edit::KeepValue { path: "phone".into(), op: loser.op }]).unwrap_err();
    assert!(e.to_string().contains("resolved already"), "{e}");
}

#[test]
fn history_says_who_changed_what_and_view_as_of_and_restore_go_back() {
    let (mut a, first) = fresh(1);
    let mut b = CustomerDoc::empty(a.id, actor(2));
    b.merge_chunk(&first).unwrap();
    a.edit(&[Edit::Set(Field::Phone, "111".into())]).unwrap();
    merged(&mut a, &mut b);
    b.edit(&[Edit::Set(Field::Phone, "222".into())]).unwrap();
    b.edit(&[Edit::AddContact { id: "c1".into() }, Edit::SetContact { id: "c1".into(), field: ContactField::Name, value: "Li".into() }]).unwrap();
    b.edit(&[Edit::RemoveContact { id: "c1".into() }]).unwrap();
    merged(&mut a, &mut b);

    let h = a.history(100);
    // newest first: removal, contact added, phone 222 (by device 2), phone 111 (by device 1), creation
    assert_eq!(h.len(), 5, "{h:#?}");
    assert_eq!(h[0].device, Some(DeviceId([2; 16])));
    assert_eq!(h[0].changes, vec![FieldChange { path: "contacts.c1".into(), before: Some("Li".into()), after: None, item: true }]);
    assert!(h[1].changes.iter().any(|c| c.path == "contacts.c1.name" && c.after.as_deref() == Some("Li")));
    assert_eq!(h[2].changes, vec![FieldChange { path: "phone".into(), before: Some("111".into()), after: Some("222".into()), item: false }]);
    assert_eq!(h[3].device, Some(DeviceId([1; 16])));
    assert_eq!(h[3].changes[0].before.as_deref(), Some(""));
    assert!(h[4].changes.iter().any(|c| c.path == "name" && c.after.as_deref() == Some("Acme")));
    assert_eq!(a.history(2).len(), 2, "a limit keeps the newest");

    // view as of: just after phone became 111
    let then = a.customer_as_of(&h[3].upto).unwrap();
    assert_eq!(then.phone, "111");
    assert!(then.contacts.is_empty());
    assert_eq!(a.customer_as_of(&h[1].upto).unwrap().contacts["c1"].name, "Li");

    // restore the phone as it was before device 2 changed it, and the removed contact
    a.edit(&[Edit::RestoreValue { path: "phone".into(), heads: h[2].before.clone() }]).unwrap();
    a.edit(&[Edit::RestoreValue { path: "contacts.c1".into(), heads: h[0].before.clone() }]).unwrap();
    merged(&mut a, &mut b);
    for d in [&a, &b] {
        assert_eq!(d.customer().phone, "111");
        assert_eq!(d.customer().contacts["c1"].name, "Li");
    }
    // a field of a removed item restores the whole item
    b.edit(&[Edit::RemoveContact { id: "c1".into() }]).unwrap();
    b.edit(&[Edit::RestoreValue { path: "contacts.c1.name".into(), heads: h[1].upto.clone() }]).unwrap();
    assert_eq!(b.customer().contacts["c1"].name, "Li");
    // the restores are history too
    assert!(a.history(1)[0].changes.iter().any(|c| c.path == "contacts.c1.name" && c.after.as_deref() == Some("Li")));

    // bad heads are refused with a reason, not a panic
    let e = a.edit(&[Edit::RestoreValue { path: "phone".into(), heads: vec!["zz".into()] }]).unwrap_err();
    assert!(e.to_string().contains("not a change id"), "{e}");
    let e = a.customer_as_of(&["00".repeat(32)]).unwrap_err();
    assert!(e.to_string().contains("not in this customer's history"), "{e}");
}
