//! Export: CSV that Excel opens correctly and that the importer reads back unchanged, and
//! vCards that follow RFC 6350's escaping and folding.

use crm_core::dates::Date;
use crm_core::export::{to_csv, to_vcards, VCard};
use crm_core::import::{decode, detect, guess_mapping, sniff, Encoding, ImportJob, ImportKind, Record};
use proptest::prelude::*;

#[test]
fn exported_csv_has_bom_crlf_and_guarded_formulas_and_reads_back_unchanged() {
    let headers = ["Name", "Phone", "Notes", "Tags"];
    let rows = vec![
        vec!["张伟".to_string(), "+86 138 0013 8000".into(), "line one\nline \"two\", end".into(), "a;b".into()],
        vec!["=HYPERLINK(\"http://evil\",\"x\")".into(), "-12.5".into(), "@SUM(A1)".into(), "-".into()],
        vec!["Plain".into(), String::new(), "\tindented".into(), "+".into()],
    ];
    let bytes = to_csv(&headers, rows.clone());
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(detect(&bytes), Encoding::Utf8Bom);
    let text = decode(&bytes, Encoding::Utf8Bom).expect("utf-8");
    assert!(text.starts_with("Name,Phone,Notes,Tags\r\n"));
    assert!(text.ends_with("\r\n"));
    assert!(text.contains("\r\n\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",-12.5,'@SUM(A1),'-\r\n"), "{text}");
    assert!(text.contains(",'\tindented,'+\r\n"));
    assert!(text.contains("'+86 138 0013 8000"));

    // what was exported comes back as it was
    let m = guess_mapping(ImportKind::Customers, &sniff(&text, 0).expect("header").headers);
    let mut job = ImportJob::new(text, ImportKind::Customers, &m).expect("job");
    let batch = job.next_batch(100);
    assert!(batch.done && batch.errors.is_empty(), "{:?}", batch.errors);
    let back: Vec<Vec<String>> = batch
        .records
        .into_iter()
        .map(|r| match r {
            Record::Customer(c) => vec![c.name, c.phone, c.notes, c.tags.join(";")],
            other => panic!("not a customer: {other:?}"),
        })
        .collect();
    assert_eq!(back, rows);
}

#[test]
fn vcard_has_every_field_escaped() {
    let card = VCard {
        uid: "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1".into(),
        full_name: "Li Lei; \"Boss\"".into(),
        given: Some("Lei".into()),
        family: Some("Li".into()),
        org: "ACME, Inc.".into(),
        title: "CTO".into(),
        role: "decision maker".into(),
        emails: vec!["li@acme.com".into(), String::new()],
        phones: vec!["+86 138 0013 8000".into()],
        im: vec![("WeChat".into(), "lilei88".into())],
        birthday: Date::new(1985, 4, 12),
        note: "met at\r\nthe fair\\booth 3".into(),
    };
    let text = to_vcards(&[card, VCard { full_name: "李雷".into(), ..Default::default() }]);
    assert_eq!(
        text,
        "BEGIN:VCARD\r\n\
         VERSION:4.0\r\n\
         UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1\r\n\
         FN:Li Lei\\; \"Boss\"\r\n\
         N:Li;Lei;;;\r\n\
         ORG:ACME\\, Inc.\r\n\
         TITLE:CTO\r\n\
         ROLE:decision maker\r\n\
         EMAIL:li@acme.com\r\n\
         TEL:+86 138 0013 8000\r\n\
         IMPP;X-SERVICE-TYPE=WeChat:wechat:lilei88\r\n\
         BDAY:19850412\r\n\
         NOTE:met at\\nthe fair\\\\booth 3\r\n\
         END:VCARD\r\n\
         BEGIN:VCARD\r\n\
         VERSION:4.0\r\n\
         FN:李雷\r\n\
         END:VCARD\r\n"
    );
}

/// Physical lines of a vCard text, and the logical lines they unfold to.
fn lines(text: &str) -> (Vec<&str>, Vec<String>) {
    let physical: Vec<&str> = text.strip_suffix("\r\n").unwrap_or(text).split("\r\n").collect();
    let mut logical: Vec<String> = Vec::new();
    for l in &physical {
        match (l.strip_prefix(' '), logical.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => logical.push(l.to_string()),
        }
    }
    (physical, logical)
}

#[test]
fn long_chinese_notes_fold_at_75_octets_between_characters() {
    let note = format!("x{}", "客户关系管理系统，".repeat(30));
    let text = to_vcards(&[VCard { full_name: "王芳".into(), note: note.clone(), ..Default::default() }]);
    let (physical, logical) = lines(&text);
    assert!(physical.len() > 5);
    assert!(physical.iter().all(|l| l.len() <= 75));
    assert!(physical.iter().filter(|l| l.starts_with(' ')).count() >= 4);
    let unfolded = logical.iter().find(|l| l.starts_with("NOTE:")).expect("note");
    assert_eq!(unfolded, &format!("NOTE:{note}"));
}

proptest! {
    #[test]
    fn any_vcard_folds_to_short_whole_lines(
        name in "\\PC{0,120}",
        note in "[a-z,;\\\\\r\n客户é😀 ]{0,300}",
        handle in "\\PC{0,40}",
    ) {
        let text = to_vcards(&[VCard {
            full_name: name,
            note: note.clone(),
            im: vec![("WeChat".into(), handle)],
            ..Default::default()
        }]);
        prop_assert!(text.ends_with("END:VCARD\r\n"));
        // no bare line breaks: every LF belongs to a CRLF
        prop_assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
        let (physical, logical) = lines(&text);
        for l in &physical {
            prop_assert!(l.len() <= 75, "{} octets: {:?}", l.len(), l);
        }
        prop_assert_eq!(logical.first().map(String::as_str), Some("BEGIN:VCARD"));
        if !note.is_empty() {
            let unfolded = logical.iter().find(|l| l.starts_with("NOTE:"));
            prop_assert!(unfolded.is_some());
        }
    }

    #[test]
    fn any_table_round_trips_through_csv_export_and_import(
        cells in proptest::collection::vec(proptest::collection::vec("[a-z0-9 ,;\"\r\n=+@客-]{0,12}", 3), 1..20),
    ) {
        let headers = ["Name", "Notes", "City"];
        // the importer trims cells and skips blank rows; give it rows it keeps
        let rows: Vec<Vec<String>> = cells
            .into_iter()
            .map(|r| r.into_iter().map(|c| c.trim().to_string()).collect::<Vec<_>>())
            .map(|mut r| { r[0] = format!("n{}", r[0]); r })
            .collect();
        let text = decode(&to_csv(&headers, rows.clone()), Encoding::Utf8Bom).expect("utf-8");
        let m = guess_mapping(ImportKind::Customers, &headers);
        let mut job = ImportJob::new(text, ImportKind::Customers, &m).expect("job");
        let batch = job.next_batch(100);
        prop_assert!(batch.errors.is_empty(), "{:?}", batch.errors);
        let back: Vec<Vec<String>> = batch.records.into_iter().map(|r| match r {
            Record::Customer(c) => vec![c.name, c.notes, c.city],
            _ => Vec::new(),
        }).collect();
        prop_assert_eq!(back, rows);
    }
}
