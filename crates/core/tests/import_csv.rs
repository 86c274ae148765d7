//! CSV import end to end: bytes -> text -> mapping -> records and row errors, with the files
//! people actually have (Excel in Chinese and European locales, other CRMs' exports).

use crm_core::dates::Date;
use crm_core::import::{
    decode, detect, guess_mapping, rejected_rows_csv, sniff, DateOrder, Encoding, ImportError, ImportJob, ImportKind,
    ImportedContact, ImportedCustomer, ImportedOrder, Mapping, Record, RowError, RowProblem, Target,
};
use crm_core::Kind;
use std::collections::HashSet;

/// Imports all of `text` with the guessed mapping, `batch` rows at a time.
fn import(text: &str, kind: ImportKind, batch: usize) -> (Vec<Record>, Vec<RowError>) {
    let headers = sniff(text, 0).expect("header").headers;
    import_with(text, kind, &guess_mapping(kind, &headers), batch)
}

fn import_with(text: &str, kind: ImportKind, mapping: &Mapping, batch: usize) -> (Vec<Record>, Vec<RowError>) {
    let mut job = ImportJob::new(text, kind, mapping).expect("job");
    let (mut records, mut errors) = (Vec::new(), Vec::new());
    for _ in 0..1_000_000 {
        let b = job.next_batch(batch);
        records.extend(b.records);
        errors.extend(b.errors);
        if b.done {
            let (done, total) = job.progress();
            assert_eq!(done, total, "progress is complete when done");
            return (records, errors);
        }
    }
    panic!("the import never finished");
}

fn customers(records: Vec<Record>) -> Vec<ImportedCustomer> {
    records.into_iter().filter_map(|r| if let Record::Customer(c) = r { Some(c) } else { None }).collect()
}
fn contacts(records: Vec<Record>) -> Vec<ImportedContact> {
    records.into_iter().filter_map(|r| if let Record::Contact(c) = r { Some(c) } else { None }).collect()
}
fn orders(records: Vec<Record>) -> Vec<ImportedOrder> {
    records.into_iter().filter_map(|r| if let Record::Order(o) = r { Some(o) } else { None }).collect()
}

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::new(y, m, d).expect("valid date")
}

fn orders_mapping(headers: &[&str], order: DateOrder) -> Mapping {
    let mut m = guess_mapping(ImportKind::Orders, headers);
    m.date_order = order;
    m
}

#[test]
fn utf8_bom_is_detected_and_does_not_stick_to_the_first_header() {
    let bytes = b"\xEF\xBB\xBFName,Email\r\nAcme,info@acme.com\r\n";
    assert_eq!(detect(bytes), Encoding::Utf8Bom);
    let text = decode(bytes, detect(bytes)).expect("utf-8");
    let m = guess_mapping(ImportKind::Customers, &sniff(&text, 0).expect("header").headers);
    assert_eq!(m.columns[0].target, Target::Name);
    // a BOM left in by whoever decoded is also ignored
    let (records, errors) = import("\u{feff}Name,Email\nAcme,info@acme.com\n", ImportKind::Customers, 10);
    assert!(errors.is_empty());
    assert_eq!(customers(records)[0].name, "Acme");
}

#[test]
fn gbk_file_with_chinese_headers_is_detected_decoded_and_imported() {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import/customers_gbk.csv"))
        .expect("fixture customers_gbk.csv");
    assert_eq!(detect(&bytes), Encoding::Gb18030);
    let text = decode(&bytes, Encoding::Gb18030).expect("gbk");
    // the same text encoded here gives the same bytes: the fixture is real GBK
    let (encoded, _, lossy) = encoding_rs::GBK.encode(&text);
    assert!(!lossy);
    assert_eq!(&encoded[..], &bytes[..]);

    let headers = sniff(&text, 0).expect("header").headers;
    let m = guess_mapping(ImportKind::Customers, &headers);
    let targets: Vec<&str> = m.columns.iter().map(|c| c.target.key()).collect();
    assert_eq!(
        targets,
        ["external_id", "name", "kind", "phone", "email", "province", "city", "tags", "owner", "notes"]
    );
    let (records, errors) = import_with(&text, ImportKind::Customers, &m, 2);
    let cs = customers(records);
    assert_eq!(cs.len(), 3);
    assert_eq!(cs[0].name, "上海华东贸易有限公司");
    assert_eq!(cs[0].kind, Some(Kind::Company));
    assert_eq!(cs[0].tags, ["重点", "华东"]);
    assert_eq!(cs[0].notes, "老客户，2019年起合作");
    assert_eq!(cs[1].kind, Some(Kind::Person));
    assert_eq!(cs[1].tags, ["VIP", "回头客"]);
    assert_eq!(crm_core::normalize::normalize_phone(&cs[0].phone), "13800138000");
    assert_eq!(crm_core::normalize::normalize_phone(&cs[2].phone), "13700137000");
    assert_eq!(cs.iter().map(|c| c.line).collect::<Vec<_>>(), [2, 3, 5]);
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].line, errors[0].reason().as_str()), (4, "no name"));

    // GBK bytes made here from UTF-8 text, with a semicolon delimiter
    let (gbk, _, _) = encoding_rs::GBK.encode("姓名;电子邮件;电话\n张伟;zw@example.cn;010-88886666\n");
    assert_eq!(detect(&gbk), Encoding::Gb18030);
    let text = decode(&gbk, detect(&gbk)).expect("gbk");
    let (records, errors) = import(&text, ImportKind::Customers, 100);
    assert!(errors.is_empty(), "{errors:?}");
    let c = &customers(records)[0];
    assert_eq!((c.name.as_str(), c.email.as_str(), c.phone.as_str()), ("张伟", "zw@example.cn", "010-88886666"));
}

#[test]
fn quoted_commas_quotes_and_newlines_keep_the_line_numbers_of_later_rows() {
    let text = "Name,Notes,City\r\n\
                \"Smith, Jones & Co\",\"said \"\"hi\"\"\r\nand left\r\n\r\nbye\",Berlin\r\n\
                \r\n\
                Plain,,Paris\r\n\
                \"Multi\nline\",x,Rome";
    let (records, errors) = import(text, ImportKind::Customers, 1);
    assert!(errors.is_empty(), "{errors:?}");
    let cs = customers(records);
    assert_eq!(cs.iter().map(|c| c.line).collect::<Vec<_>>(), [2, 7, 8]);
    assert_eq!(cs[0].name, "Smith, Jones & Co");
    assert_eq!(cs[0].notes, "said \"hi\"\r\nand left\r\n\r\nbye");
    assert_eq!(cs[0].city, "Berlin");
    assert_eq!(cs[2].name, "Multi\nline");
}

#[test]
fn amounts_with_thousands_separators_and_currency_signs() {
    let text = "customer,date,amount,currency\n\
                a,2024-01-02,\"1,234.56\",\n\
                b,2024-01-02,¥1,234.50,\n\
                c,2024-01-02,$12,\n\
                d,2024-01-02,\"€1.234,56\",\n\
                e,2024-01-02,99,eur\n\
                f,2024-01-02,(12.00),人民币\n\
                g,2024-01-02,$5,CNY\n";
    let (records, errors) = import(text, ImportKind::Orders, 3);
    let os = orders(records);
    let got: Vec<(&str, i64, &str)> =
        os.iter().map(|o| (o.customer.as_str(), o.amount_minor, o.currency.as_str())).collect();
    assert_eq!(
        got,
        [("a", 123_456, ""), ("c", 1200, "USD"), ("d", 123_456, "EUR"), ("e", 9900, "EUR"), ("f", -1200, "CNY")]
    );
    // an unquoted "¥1,234.50" is two fields; "$5" in CNY contradicts itself
    let reasons: Vec<(u64, String)> = errors.iter().map(|e| (e.line, e.reason())).collect();
    assert_eq!(
        reasons,
        [
            (3, "5 fields, the header has 4".to_string()),
            (8, "amount \"$5\" is in USD but the currency column says CNY".to_string())
        ]
    );
}

#[test]
fn european_excel_semicolons_and_decimal_commas() {
    let text = "Kunde;Datum;Betrag\nK1;05.03.2024;1.234,50\nK2;31.12.2023;12,5\n";
    let mut m = guess_mapping(ImportKind::Orders, &["Kunde", "Datum", "Betrag"]);
    m.columns[0].target = Target::Customer;
    m.columns[1].target = Target::Date;
    m.columns[2].target = Target::Amount;
    let (records, errors) = import_with(text, ImportKind::Orders, &m, 10);
    assert!(errors.is_empty(), "{errors:?}");
    let os = orders(records);
    assert_eq!((os[0].date, os[0].amount_minor), (date(2024, 3, 5), 123_450));
    assert_eq!((os[1].date, os[1].amount_minor), (date(2023, 12, 31), 1250));
}

#[test]
fn several_date_formats_in_one_file() {
    let text = "customer,date,amount\n\
                a,2024-03-05,1\n\
                b,2024/3/5,1\n\
                c,2024.03.05,1\n\
                d,20240305,1\n\
                e,2024-03-05 14:30:00,1\n\
                f,2024-03-05T14:30:00+08:00,1\n\
                g,2024年3月5日,1\n\
                h,05.03.2024,1\n\
                i,5 Mar 2024,1\n\
                j,31/31/2024,1\n";
    let (records, errors) = import(text, ImportKind::Orders, 4);
    let os = orders(records);
    assert_eq!(os.len(), 9);
    assert!(os.iter().all(|o| o.date == date(2024, 3, 5)), "{os:?}");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 11);
    assert_eq!(
        errors[0].reason(),
        "date \"31/31/2024\" is not a date (use YYYY-MM-DD, YYYY/MM/DD, DD.MM.YYYY, 2024年3月5日 …)"
    );
}

#[test]
fn day_first_file_is_detected_from_a_value_late_in_the_file() {
    // 5,000 ambiguous dates, then one only a day-first reading allows
    let mut text = String::from("customer,date,amount\n");
    for i in 0..5000 {
        text.push_str(&format!("c{i},05/03/2024,1\n"));
    }
    text.push_str("last,25/03/2024,1\n");
    let mapping = guess_mapping(ImportKind::Orders, &["customer", "date", "amount"]);
    assert_eq!(mapping.date_order, DateOrder::Auto);
    let mut job = ImportJob::new(text.as_str(), ImportKind::Orders, &mapping).expect("job");
    let mut all = Vec::new();
    let mut last = (0, 0);
    loop {
        let b = job.next_batch(1000);
        let p = job.progress();
        assert!(p.0 * last.1 >= last.0 * p.1, "progress never goes back: {last:?} -> {p:?}");
        last = p;
        all.extend(b.records);
        assert!(b.errors.is_empty());
        if b.done {
            break;
        }
    }
    assert_eq!(job.date_order(), DateOrder::DayFirst);
    let os = orders(all);
    assert_eq!(os.len(), 5001);
    assert!(os[..5000].iter().all(|o| o.date == date(2024, 3, 5)));
    assert_eq!(os[5000].date, date(2024, 3, 25));

    // the same file, month first: the last value is a bad date; chosen by the user, not guessed
    let m = orders_mapping(&["customer", "date", "amount"], DateOrder::MonthFirst);
    let (records, errors) = import_with(&text, ImportKind::Orders, &m, 2000);
    assert_eq!(orders(records)[0].date, date(2024, 5, 3));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 5002);

    // a pause mid-file, after unambiguous dates, resumes at the paused row
    let text = "customer,date,amount\na,2024-01-01,1\nb,03/05/2024,1\n\nc,04/05/2024,1\nd,13/05/2024,1\n";
    for batch in [1, 2, 10] {
        let (records, errors) = import(text, ImportKind::Orders, batch);
        assert!(errors.is_empty());
        let got: Vec<(u64, Date)> = orders(records).iter().map(|o| (o.line, o.date)).collect();
        assert_eq!(got, [(2, date(2024, 1, 1)), (3, date(2024, 5, 3)), (5, date(2024, 5, 4)), (6, date(2024, 5, 13))]);
    }

    // a month-first hint and no hint at all both read month first
    let (records, _) = import("customer,date,amount\na,05/03/2024,1\nb,12/31/2024,1\n", ImportKind::Orders, 1);
    assert_eq!(orders(records)[0].date, date(2024, 5, 3));
    let mut job = ImportJob::new("customer,date,amount\na,05/03/2024,1\n", ImportKind::Orders, &mapping).expect("job");
    while !job.next_batch(10).done {}
    assert_eq!(job.date_order(), DateOrder::MonthFirst);
}

#[test]
fn ragged_rows_are_reported_with_their_line_and_the_rest_imports() {
    let text = "name,email,city\n\
                ok1,a@b.cn,X\n\
                short,a@b.cn\n\
                ok2,,Y\n\
                long,a@b.cn,Z,extra\n\
                trailing empties,a@b.cn,W,,\n\
                \n\
                ok3,c@d.cn,V\n";
    let (records, errors) = import(text, ImportKind::Customers, 2);
    let names: Vec<String> = customers(records).into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["ok1", "ok2", "ok3"]);
    let got: Vec<(u64, String, &str)> = errors.iter().map(|e| (e.line, e.reason(), e.raw.as_str())).collect();
    assert_eq!(
        got,
        [
            (3, "2 fields, the header has 3".to_string(), "short,a@b.cn"),
            (5, "4 fields, the header has 3".to_string(), "long,a@b.cn,Z,extra"),
            (6, "5 fields, the header has 3".to_string(), "trailing empties,a@b.cn,W,,"),
        ]
    );
    assert_eq!(errors[0].problems, [RowProblem::FieldCount { found: 2, expected: 3 }]);
}

#[test]
fn a_bad_amount_is_rejected_while_its_neighbours_import() {
    let text = "customer_id,date,amount\n1,2024-01-01,10\n2,2024-01-01,\"12,34x\"\n3,2024-01-01,30\n4,,\n";
    let (records, errors) = import(text, ImportKind::Orders, 100);
    let ids: Vec<String> = orders(records).into_iter().map(|o| o.customer).collect();
    assert_eq!(ids, ["1", "3"]);
    assert_eq!(errors.len(), 2);
    assert_eq!((errors[0].line, errors[0].reason()), (3, "amount \"12,34x\" is not a number".to_string()));
    assert_eq!(errors[0].raw, "2,2024-01-01,\"12,34x\"");
    assert_eq!(errors[1].reason(), "no date; no amount");
}

#[test]
fn every_problem_of_a_customer_row_is_reported_at_once() {
    let text = "Name,E-mail,Type,Do not call,Mobile\n,not-an-email,robot,maybe,1.38001E+10\n";
    let (_, errors) = import(text, ImportKind::Customers, 100);
    assert_eq!(
        errors[0].reason(),
        "email \"not-an-email\" is not an email address; kind \"robot\" is neither company nor person \
         (use company/person, 公司/个人); do_not_call \"maybe\" is not yes or no (use yes/no, true/false, \
         1/0, 是/否); phone \"1.38001E+10\" was turned into a number by Excel and lost digits; format the \
         column as text and export again; no name"
    );
}

#[test]
fn customers_get_every_profile_field_and_custom_fields() {
    let text = "客户编号,公司名称,类型,邮箱,电话,负责人,行业,规模,省份,城市,来源,标签,推荐人,拒绝来电,邮件订阅,备注,等级,Remarks\n\
                K9,星辰科技,企业,Sales@XC.cn ,0755-1234567,刘洋,软件,50-100,广东,深圳,展会,A；B|a,王五,否,是,第一行,金牌,second\n";
    let (records, errors) = import(text, ImportKind::Customers, 1);
    assert!(errors.is_empty(), "{errors:?}");
    let c = &customers(records)[0];
    assert_eq!(
        (c.external_id.as_str(), c.name.as_str(), c.kind, c.email.as_str(), c.phone.as_str()),
        ("K9", "星辰科技", Some(Kind::Company), "Sales@XC.cn", "0755-1234567")
    );
    assert_eq!((c.owner.as_str(), c.industry.as_str(), c.size.as_str()), ("刘洋", "软件", "50-100"));
    assert_eq!((c.province.as_str(), c.city.as_str(), c.source.as_str()), ("广东", "深圳", "展会"));
    assert_eq!(c.tags, ["A", "B", "a"]);
    assert_eq!((c.referred_by.as_str(), c.do_not_call, c.email_opt_in), ("王五", Some(false), Some(true)));
    assert_eq!(c.notes, "第一行\nsecond");
    assert_eq!(c.custom, [("等级".to_string(), "金牌".to_string())]);
}

#[test]
fn contacts_split_emails_and_phones_and_need_a_customer() {
    let text = "Company,Contact Name,Job Title,Email,Mobile,Work Phone,微信,生日\n\
                Acme,Li Lei,CTO,\"li@acme.com; lei@gmail.com\",138 0013 8000 / 010-1234567,+86 10 1234567,lilei88,1985年4月12日\n\
                ,Han Meimei,,hm@x.cn,,,,\n\
                Acme,Bob,,bob@acme,,,,12/31/1990\n";
    let (records, errors) = import(text, ImportKind::Contacts, 10);
    let cs = contacts(records);
    assert_eq!(cs.len(), 1);
    let c = &cs[0];
    assert_eq!((c.customer.as_str(), c.name.as_str(), c.title.as_str()), ("Acme", "Li Lei", "CTO"));
    assert_eq!(c.emails, ["li@acme.com", "lei@gmail.com"]);
    assert_eq!(c.phones, ["138 0013 8000", "010-1234567", "+86 10 1234567"]);
    assert_eq!((c.wechat.as_str(), c.birthday), ("lilei88", Some(date(1985, 4, 12))));
    let reasons: Vec<(u64, String)> = errors.iter().map(|e| (e.line, e.reason())).collect();
    assert_eq!(
        reasons,
        [(3, "no customer".to_string()), (4, "email \"bob@acme\" is not an email address".to_string())]
    );
}

#[test]
fn guess_mapping_knows_english_and_chinese_headers() {
    let m = guess_mapping(
        ImportKind::Customers,
        &[
            "Company Name",
            "E-mail",
            "Mobile",
            "Owner",
            "Industry",
            "Province",
            "City",
            "Tags",
            "Source",
            "customer_id",
            "Favourite colour",
            "",
        ],
    );
    let keys: Vec<&str> = m.columns.iter().map(|c| c.target.key()).collect();
    assert_eq!(
        keys,
        [
            "name",
            "email",
            "phone",
            "owner",
            "industry",
            "province",
            "city",
            "tags",
            "source",
            "external_id",
            "Favourite colour",
            "ignore"
        ]
    );
    let m = guess_mapping(
        ImportKind::Customers,
        &["客户名称", "电子邮件", "手机", "负责人", "行业", "省份", "城市", "标签", "来源", "客户编号"],
    );
    let keys: Vec<&str> = m.columns.iter().map(|c| c.target.key()).collect();
    assert_eq!(
        keys,
        ["name", "email", "phone", "owner", "industry", "province", "city", "tags", "source", "external_id"]
    );
    let m = guess_mapping(ImportKind::Orders, &["客户编号", "下单日期", "金额", "数量", "币种", "订单号", "备注"]);
    let keys: Vec<&str> = m.columns.iter().map(|c| c.target.key()).collect();
    assert_eq!(keys, ["customer", "date", "amount", "quantity", "currency", "order_id", "ignore"]);
    let m = guess_mapping(ImportKind::Contacts, &["客户", "姓名", "邮箱", "电话", "WeChat", "Birthday", "Title"]);
    let keys: Vec<&str> = m.columns.iter().map(|c| c.target.key()).collect();
    assert_eq!(keys, ["customer", "name", "email", "phone", "wechat", "birthday", "title"]);
    let m = guess_mapping(ImportKind::Orders, &["Customer_ID", " DATE ", "Amount", "QUANTITY"]);
    let keys: Vec<&str> = m.columns.iter().map(|c| c.target.key()).collect();
    assert_eq!(keys, ["customer", "date", "amount", "quantity"]);
}

#[test]
fn mapping_round_trips_through_json_and_reapplies_by_header_name() {
    let headers = ["Name", "Phone", "Level", "Remarks"];
    let mut m = guess_mapping(ImportKind::Customers, &headers);
    m.columns[2].target = Target::Ignore;
    m.columns[3].target = Target::Custom("Memo".into());
    m.date_order = DateOrder::DayFirst;
    let json = serde_json::to_string(&m).expect("json");
    assert!(json.contains("\"custom\":\"Memo\""), "{json}");
    let back: Mapping = serde_json::from_str(&json).expect("parse");
    assert_eq!(back, m);
    // an older stored mapping without a date order still loads
    let old: Mapping = serde_json::from_str(r#"{"columns":[{"header":"Name","target":"name"}]}"#).expect("old");
    assert_eq!(old.date_order, DateOrder::Auto);

    assert!(back.is_compatible(&headers));
    let moved = ["remarks", "NAME", "Level", "Phone"];
    assert!(!back.is_compatible(&moved));
    let again = back.reapply(ImportKind::Customers, &moved);
    let keys: Vec<&str> = again.columns.iter().map(|c| c.target.key()).collect();
    assert_eq!(keys, ["Memo", "name", "ignore", "phone"]);
    assert_eq!(again.date_order, DateOrder::DayFirst);
}

#[test]
fn unusable_mappings_are_refused_before_any_row() {
    let text = "customer,date,amount\na,2024-01-01,1\n";
    let mut m = guess_mapping(ImportKind::Orders, &["customer", "date", "amount"]);
    m.columns[2].target = Target::Ignore;
    let err = ImportJob::new(text, ImportKind::Orders, &m).err();
    assert_eq!(err, Some(ImportError::MissingTarget { kind: ImportKind::Orders, target: "amount" }));
    assert_eq!(err.map(|e| e.to_string()).as_deref(), Some("no column is mapped to amount, which every order needs"));
    assert!(matches!(ImportJob::new("\n\n", ImportKind::Orders, &m), Err(ImportError::NoHeader)));
    let other = guess_mapping(ImportKind::Orders, &["customer", "date"]);
    assert!(matches!(ImportJob::new(text, ImportKind::Orders, &other), Err(ImportError::MappingMismatch { .. })));
}

#[test]
fn rejected_rows_file_keeps_the_rows_and_imports_again_once_fixed() {
    let text = "name;notes;city\nok;;X\n;\"multi\nline; with semicolon\";Y\nshort\n=cmd;;Z\n";
    let (records, errors) = import(text, ImportKind::Customers, 10);
    assert_eq!(customers(records).len(), 2);
    let file = rejected_rows_csv(&["name", "notes", "city"], b';', &errors);
    let out = String::from_utf8(file).expect("utf-8");
    assert_eq!(
        out,
        "\u{feff}import_line,import_reason,name,notes,city\r\n\
         3,no name,,\"multi\nline; with semicolon\",Y\r\n\
         5,\"1 field, the header has 3\",short\r\n"
    );
    // fixed in a spreadsheet and imported again: the added columns are ignored
    let fixed = out.replace("3,no name,,", "3,no name,Fixed,").replace("short\r\n", "short,,Q\r\n");
    let (records, errors) = import(&fixed, ImportKind::Customers, 10);
    assert!(errors.is_empty(), "{errors:?}");
    let cs = customers(records);
    assert_eq!(cs.len(), 2);
    assert_eq!(
        (cs[0].name.as_str(), cs[0].notes.as_str(), cs[0].custom.len()),
        ("Fixed", "multi\nline; with semicolon", 0)
    );
}

#[test]
fn cdnow_sample_orders_import_completely() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/cdnow_sample_orders.csv");
    let bytes = std::fs::read(path)
        .unwrap_or_else(|e| panic!("the CDNOW sample is missing at {path} ({e}); this test needs that file"));
    let text = decode(&bytes, detect(&bytes)).expect("utf-8");
    let (records, errors) = import(&text, ImportKind::Orders, 2000);
    assert!(errors.is_empty(), "{:?}", &errors[..errors.len().min(5)]);
    let os = orders(records);
    assert_eq!(os.len(), 6919);
    let customers: HashSet<&str> = os.iter().map(|o| o.customer.as_str()).collect();
    assert_eq!(customers.len(), 2357);
    let first = &os[0];
    assert_eq!(
        (first.line, first.customer.as_str(), first.date, first.quantity, first.amount_minor),
        (2, "00004", date(1997, 1, 1), Some(2), 2933)
    );
}

#[test]
fn a_hundred_thousand_rows_import_in_batches_of_two_thousand() {
    let mut text = String::with_capacity(4_000_000);
    text.push_str("customer_id,date,quantity,amount\n");
    for i in 0..100_000u32 {
        text.push_str(&format!(
            "C{:06},2024-{:02}-{:02},{},\"{},{:03}.{:02}\"\n",
            i % 7919,
            i % 12 + 1,
            i % 28 + 1,
            i % 5 + 1,
            i / 1000 + 1,
            i % 1000,
            i % 100
        ));
    }
    let mapping = guess_mapping(ImportKind::Orders, &["customer_id", "date", "quantity", "amount"]);
    let mut job = ImportJob::new(text, ImportKind::Orders, &mapping).expect("job");
    let (mut count, mut batches, mut sum) = (0usize, 0, 0i64);
    let mut last_line = 0;
    loop {
        let b = job.next_batch(2000);
        batches += 1;
        assert!(b.errors.is_empty(), "{:?}", b.errors.first());
        assert!(b.records.len() <= 2000);
        for r in &b.records {
            assert_eq!(r.line(), last_line.max(1) + 1);
            last_line = r.line();
            if let Record::Order(o) = r {
                sum += o.amount_minor;
            }
        }
        count += b.records.len();
        if b.done {
            break;
        }
    }
    assert_eq!(count, 100_000);
    assert_eq!(job.rows_read(), 100_000);
    // ISO dates decide nothing and need no look-ahead: one pass
    assert_eq!(batches, 50);
    let want: i64 = (0..100_000i64).map(|i| (i / 1000 + 1) * 100_000 + (i % 1000) * 100 + i % 100).sum();
    assert_eq!(sum, want);
}

mod any_input {
    use super::*;
    use crm_core::import::mapping::required_targets;
    use crm_core::import::values::{parse_currency, parse_date, parse_money, parse_whole};
    use crm_core::normalize::{normalize_email, normalize_phone};
    use proptest::prelude::*;

    const CSVISH: &str = "[a-z0-9,;\t\"'\r\n .:/\\-¥$€()年月日客１，]{0,300}";

    proptest! {
        #[test]
        fn any_text_imports_without_panicking(text in CSVISH, batch in 1usize..5) {
            for kind in [ImportKind::Customers, ImportKind::Contacts, ImportKind::Orders] {
                let Ok(s) = sniff(&text, 3) else { continue };
                // the kind's targets on the first columns, required ones first, so every
                // parser runs and most texts make a valid mapping
                let mut targets: Vec<Target> = required_targets(kind).to_vec();
                targets.extend(Target::for_kind(kind).iter().filter(|t| !targets.contains(t)).cloned().collect::<Vec<_>>());
                let mut m = guess_mapping(kind, &s.headers);
                for (i, c) in m.columns.iter_mut().enumerate() {
                    c.target = targets.get(i).cloned().unwrap_or(Target::Ignore);
                }
                let Ok(mut job) = ImportJob::new(text.as_str(), kind, &m) else {
                    prop_assert!(s.headers.len() < required_targets(kind).len());
                    continue;
                };
                let mut rows = 0;
                for _ in 0..1000 {
                    let b = job.next_batch(batch);
                    rows += b.records.len() + b.errors.len();
                    for e in &b.errors {
                        prop_assert!(!e.reason().is_empty());
                        prop_assert!(text.contains(e.raw.as_str()));
                    }
                    if b.done {
                        break;
                    }
                }
                prop_assert_eq!(rows as u64, job.rows_read());
                let (done, total) = job.progress();
                prop_assert_eq!(done, total);
            }
        }

        #[test]
        fn any_bytes_detect_and_decode_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode(&bytes, detect(&bytes));
        }

        #[test]
        fn any_cell_parses_without_panicking(s in "\\PC{0,40}") {
            for order in [DateOrder::Auto, DateOrder::DayFirst, DateOrder::MonthFirst] {
                let _ = parse_date(&s, order);
            }
            let _ = (parse_money(&s), parse_whole(&s), parse_currency(&s), normalize_phone(&s), normalize_email(&s));
        }
    }
}
