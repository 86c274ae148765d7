//! Realistic generated customers, the same for our app and for the comparator
//! (bench/comparator): Chinese companies (杭州华信科技有限公司) and Latin ones ("Maple
//! Logistics"), each with 1-3 contacts (Chinese and Latin names, e-mails, phones), 0-2
//! deals, 2-8 interactions and 0-6 orders, as the app's [`Customer`] record.
//!
//! Everything is decided by the customer number alone (a small hash, not a random generator),
//! so customer 5000 is the same in every run and in both apps. Only what Automerge adds
//! itself differs between runs: the actor id and the change's timestamp.
//!
//! Each customer has one token nothing else in the workspace contains: its number in its
//! e-mail, `c005000@...` ([`probe_query`]). Names repeat, as they do in real data.

use crm_core::customer::record::{Deal, Interaction, Order};
use crm_core::search::pinyin::pinyin;
use crm_core::{Contact, Customer, Kind};

/// 2023-01-01T00:00:00Z: generated dates fall in 2023 and 2024.
const EPOCH_2023: i64 = 1_672_531_200_000;
const DAY: i64 = 86_400_000;

/// A deterministic stream of numbers for customer `i` (splitmix64).
struct Dice(u64);

impl Dice {
    fn for_customer(i: u64) -> Self {
        Dice(i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xC0FF_EE00_D15E_A5E5)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// 0 ..= n-1
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// lo ..= hi
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    /// An item id (contacts, deals, ...): 16 hex digits, like `customer::new_id`.
    fn id(&mut self) -> String {
        format!("{:016x}", self.next())
    }
}

// ---- Chinese ------------------------------------------------------------------------------

/// (city, province)
const CN_CITIES: [(&str, &str); 22] = [
    ("杭州", "浙江"), ("宁波", "浙江"), ("温州", "浙江"), ("北京", "北京"), ("上海", "上海"), ("深圳", "广东"),
    ("广州", "广东"), ("东莞", "广东"), ("成都", "四川"), ("南京", "江苏"), ("苏州", "江苏"), ("无锡", "江苏"),
    ("武汉", "湖北"), ("西安", "陕西"), ("重庆", "重庆"), ("天津", "天津"), ("厦门", "福建"), ("青岛", "山东"),
    ("长沙", "湖南"), ("郑州", "河南"), ("合肥", "安徽"), ("济南", "山东"),
];
/// Characters of brand names (华信, 恒泰, 鑫源 ...).
const CN_BRAND: [char; 36] = [
    '华', '信', '达', '盛', '恒', '泰', '瑞', '丰', '宏', '鑫', '嘉', '安', '康', '美', '新', '源', '通', '博', '天', '远',
    '鼎', '宇', '诚', '德', '佳', '凯', '汇', '和', '正', '伟', '创', '联', '智', '星', '海', '明',
];
/// (industry in the name, the same in English for the domain and the industry field)
const CN_INDUSTRIES: [(&str, &str); 16] = [
    ("科技", "tech"), ("贸易", "trade"), ("物流", "logistics"), ("食品", "food"), ("纺织", "textile"), ("电子", "electronics"),
    ("机械", "machinery"), ("医药", "pharma"), ("建材", "building"), ("化工", "chem"), ("家具", "furniture"), ("服饰", "fashion"),
    ("信息技术", "it"), ("文化传媒", "media"), ("汽车配件", "autoparts"), ("餐饮管理", "catering"),
];
const CN_SURNAMES: [char; 32] = [
    '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '林', '罗', '郑',
    '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹', '彭', '曾',
];
const CN_GIVEN: [char; 40] = [
    '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀', '霞', '平', '刚',
    '英', '华', '玉', '萍', '红', '玲', '芬', '燕', '彬', '鹏', '辉', '斌', '宇', '浩', '凯', '健', '俊', '帆', '婷',
];
const CN_TITLES: [&str; 6] = ["总经理", "采购经理", "销售总监", "财务主管", "技术负责人", "行政助理"];
const CN_TAGS: [&str; 5] = ["重点客户", "经销商", "华东", "华南", "老客户"];
const CN_DEALS: [&str; 5] = ["年度采购合同", "ERP系统升级", "新品代理", "仓储外包", "设备更新"];
const CN_SUMMARIES: [&str; 6] = ["电话沟通报价", "发送产品目录", "上门拜访，了解需求", "微信确认交货时间", "讨论合同条款", "售后回访"];
const CN_ITEMS: [&str; 5] = ["包装材料", "电子元件", "办公用品", "原材料", "备件"];
const CN_SOURCES: [&str; 3] = ["展会", "官网", "老客户介绍"];

// ---- Latin --------------------------------------------------------------------------------

/// (city, province or state, phone prefix without the last four digits, currency)
const LATIN_CITIES: [(&str, &str, &str, &str); 16] = [
    ("London", "England", "+44 20 7946", "GBP"), ("Manchester", "England", "+44 161 496", "GBP"),
    ("Hamburg", "Hamburg", "+49 40 5550", "EUR"), ("Berlin", "Berlin", "+49 30 5550", "EUR"),
    ("München", "Bayern", "+49 89 5550", "EUR"), ("Paris", "Île-de-France", "+33 1 5550", "EUR"),
    ("Lyon", "Auvergne-Rhône-Alpes", "+33 4 5550", "EUR"), ("Madrid", "Madrid", "+34 91 555", "EUR"),
    ("Barcelona", "Cataluña", "+34 93 555", "EUR"), ("Milano", "Lombardia", "+39 02 5550", "EUR"),
    ("Amsterdam", "Noord-Holland", "+31 20 555", "EUR"), ("New York", "NY", "+1 212 555", "USD"),
    ("San Francisco", "CA", "+1 415 555", "USD"), ("Toronto", "ON", "+1 416 555", "CAD"),
    ("São Paulo", "SP", "+55 11 5550", "BRL"), ("Stockholm", "Stockholm", "+46 8 555", "SEK"),
];
const LATIN_WORDS: [&str; 30] = [
    "Maple", "Harbor", "Summit", "Pioneer", "Granite", "Willow", "Falcon", "Nordic", "Atlas", "Meridian", "Beacon", "Crescent",
    "Evergreen", "Horizon", "Keystone", "Liberty", "Orchard", "Redwood", "Riverside", "Sterling", "Northwind", "Bluewater",
    "Ironwood", "Silverline", "Alder", "Cedar", "Juniper", "Kestrel", "Quartz", "Zephyr",
];
const LATIN_INDUSTRIES: [&str; 20] = [
    "Logistics", "Foods", "Trading", "Textiles", "Systems", "Motors", "Energy", "Health", "Robotics", "Bakery", "Outfitters",
    "Freight", "Capital", "Labs", "Studio", "Partners", "Ceramics", "Software", "Pharma", "Furniture",
];
const LATIN_SUFFIXES: [&str; 10] = ["Ltd", "Inc.", "GmbH", "S.A.", "B.V.", "LLC", "Co.", "Group", "AG", "S.r.l."];
const LATIN_FIRST: [&str; 24] = [
    "Anna", "Lucas", "Sophie", "Liam", "Emma", "Noah", "Mia", "Oliver", "Léa", "Mateo", "Sofia", "Hugo", "Clara", "Jonas",
    "Elena", "Marco", "Julia", "Felix", "Chloé", "Diego", "Nora", "Lars", "Inês", "Tomás",
];
const LATIN_LAST: [&str; 24] = [
    "Schmidt", "Müller", "Silva", "Costa", "García", "Martin", "Dubois", "Rossi", "Johnson", "Smith", "Brown", "Jansen",
    "Novak", "Kowalski", "Andersson", "Fischer", "Moreau", "Romano", "Fernández", "Lopez", "Weber", "Bakker", "Nielsen",
    "O'Brien",
];
const LATIN_TITLES: [&str; 6] = ["CEO", "Purchasing Manager", "Head of Sales", "Finance Lead", "CTO", "Office Manager"];
const LATIN_TAGS: [&str; 5] = ["vip", "wholesale", "export", "partner", "key account"];
const LATIN_DEALS: [&str; 5] = ["Annual supply contract", "ERP rollout", "Fleet renewal", "Distribution deal", "Pilot project"];
const LATIN_SUMMARIES: [&str; 6] = [
    "Call about the quote", "Sent the product catalogue", "On-site visit, discussed needs", "Confirmed delivery date",
    "Negotiated contract terms", "Follow-up after delivery",
];
const LATIN_ITEMS: [&str; 5] = ["packaging", "components", "office supplies", "raw materials", "spare parts"];
const LATIN_SOURCES: [&str; 3] = ["website", "trade fair", "referral"];

// ---- shared -------------------------------------------------------------------------------

/// The team: who owns customers and logs interactions.
const OWNERS: [&str; 6] = ["王芳", "李强", "陈静", "Anna", "Tom", "Lucas"];
const ROLES: [&str; 4] = ["decision maker", "purchaser", "user", "finance"];
const STAGES: [&str; 4] = ["lead", "qualified", "proposal", "negotiation"];

/// The search queries the bench types, each with how it is typed: Latin and pinyin one
/// letter per keystroke, Chinese as one input method commit. Every one of them hits the
/// generated data (seed prints how many customers each finds in our search). The pinyin
/// ones hit only through pinyin: no Latin text in the data contains them.
pub const QUERIES: [(&str, &str); 11] = [
    ("maple", "latin"),
    ("logis", "latin"),
    ("schmidt", "latin"),
    ("gmbh", "latin"),
    ("杭州", "chinese"),
    ("科技", "chinese"),
    ("王", "chinese"),
    // full pinyin of a city and of an industry, a surname and an initial, initials only
    ("hangzhou", "pinyin"),
    ("keji", "pinyin"),
    ("chenj", "pinyin"),
    ("hzhx", "pinyin"),
];

/// The query that finds customer `i` and no other: its number in its e-mail.
pub fn probe_query(i: u64) -> String {
    format!("c{i:06}")
}


fn pinyin_of(s: &str) -> String {
    s.chars().map(|c| pinyin(c).map(str::to_string).unwrap_or_else(|| c.to_string())).collect()
}

/// ASCII for an e-mail address: accents dropped, anything else left out.
fn ascii(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'á' | 'à' | 'â' | 'ã' => Some('a'),
            'é' | 'è' | 'ê' => Some('e'),
            'í' => Some('i'),
            'ó' | 'ô' | 'ö' => Some('o'),
            'ú' | 'ü' => Some('u'),
            'ç' => Some('c'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn date(ms: i64) -> String {
    // days since 1970-01-01 to a civil date (Howard Hinnant's algorithm)
    let z = ms.div_euclid(DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A person: (name, e-mail local part)
fn chinese_person(dice: &mut Dice) -> (String, String) {
    let surname = *dice.pick(&CN_SURNAMES);
    let given: String = (0..if dice.chance(60) { 1 } else { 2 }).map(|_| *dice.pick(&CN_GIVEN)).collect();
    let local = format!("{}.{}", pinyin_of(&surname.to_string()), pinyin_of(&given));
    (format!("{surname}{given}"), local)
}

fn latin_person(dice: &mut Dice) -> (String, String) {
    let (first, last) = (*dice.pick(&LATIN_FIRST), *dice.pick(&LATIN_LAST));
    (format!("{first} {last}"), format!("{}.{}", ascii(first), ascii(last)))
}

fn cn_mobile(dice: &mut Dice) -> String {
    format!("+86 1{}{} {:04} {:04}", dice.between(3, 9), dice.below(10), dice.below(10_000), dice.below(10_000))
}

/// Customer number `i` (1, 2, ...), always the same.
pub fn customer(i: u64) -> Customer {
    let mut dice = Dice::for_customer(i);
    let chinese = dice.chance(50);
    let created_at = EPOCH_2023 + dice.between(0, 364) * DAY + dice.between(8 * 60, 18 * 60) * 60_000;
    let owner = dice.pick(&OWNERS).to_string();

    let (name, domain, city, province, industry, phone, currency, tags, deal_titles, summaries, items, sources);
    if chinese {
        let (c, p) = *dice.pick(&CN_CITIES);
        let brand: String = {
            let a = dice.below(CN_BRAND.len());
            let b = (a + 1 + dice.below(CN_BRAND.len() - 1)) % CN_BRAND.len();
            [CN_BRAND[a], CN_BRAND[b]].iter().collect()
        };
        let (ind, ind_en) = *dice.pick(&CN_INDUSTRIES);
        let suffix = *dice.pick(&["有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司"]);
        name = format!("{c}{brand}{ind}{suffix}");
        domain = format!("{}-{ind_en}.{}", pinyin_of(&brand), dice.pick(&["cn", "com.cn", "com"]));
        (city, province, industry) = (c.to_string(), p.to_string(), ind.to_string());
        phone = format!("+86 {} {:04} {:04}", dice.pick(&["571", "10", "21", "755", "20", "28", "25"]), dice.between(5000, 8999), dice.below(10_000));
        currency = "CNY";
        (tags, deal_titles, summaries, items, sources) = (&CN_TAGS[..], &CN_DEALS[..], &CN_SUMMARIES[..], &CN_ITEMS[..], &CN_SOURCES[..]);
    } else {
        let (c, p, prefix, cur) = *dice.pick(&LATIN_CITIES);
        let ind = *dice.pick(&LATIN_INDUSTRIES);
        name = match dice.below(4) {
            0 => format!("{} {ind}", dice.pick(&LATIN_WORDS)),
            1 => format!("{} {ind} {}", dice.pick(&LATIN_WORDS), dice.pick(&LATIN_SUFFIXES)),
            2 => format!("{} & {}", dice.pick(&LATIN_LAST), dice.pick(&LATIN_LAST)),
            _ => format!("{} {ind} {}", dice.pick(&LATIN_LAST), dice.pick(&LATIN_SUFFIXES)),
        };
        let words: Vec<String> = name.split_whitespace().map(ascii).filter(|w| !w.is_empty()).take(2).collect();
        domain = format!("{}.{}", words.join("-"), dice.pick(&["com", "co.uk", "de", "eu", "net"]));
        (city, province, industry) = (c.to_string(), p.to_string(), ind.to_string());
        phone = format!("{prefix} {:04}", dice.below(10_000));
        currency = cur;
        (tags, deal_titles, summaries, items, sources) =
            (&LATIN_TAGS[..], &LATIN_DEALS[..], &LATIN_SUMMARIES[..], &LATIN_ITEMS[..], &LATIN_SOURCES[..]);
    }

    let mut c = Customer {
        kind: Kind::Company,
        name,
        email: format!("{}@{domain}", probe_query(i)),
        phone,
        owner: owner.clone(),
        created_at,
        city,
        province,
        industry,
        website: format!("www.{domain}"),
        source: dice.pick(sources).to_string(),
        size: dice.pick(&["1-10", "11-50", "51-200", "201-1000"]).to_string(),
        ..Default::default()
    };
    for _ in 0..1 + dice.below(2) {
        c.tags.insert(dice.pick(tags).to_string(), true);
    }

    for _ in 0..1 + dice.below(3) {
        let id = dice.id();
        // most contacts are of the company's language, some are not
        let (person, local) = if chinese == dice.chance(85) { chinese_person(&mut dice) } else { latin_person(&mut dice) };
        let person_is_chinese = person.chars().next().is_some_and(|c| pinyin(c).is_some());
        let title = if person_is_chinese { dice.pick(&CN_TITLES) } else { dice.pick(&LATIN_TITLES) };
        let phone = if chinese { cn_mobile(&mut dice) } else { format!("+{} {:03} {:07}", dice.between(30, 49), dice.below(1000), dice.below(10_000_000)) };
        let wechat = if chinese && dice.chance(60) { format!("wx_{}", local.replace('.', "")) } else { String::new() };
        let contact = Contact {
            name: person,
            title: title.to_string(),
            role: dice.pick(&ROLES).to_string(),
            email: format!("{local}@{domain}"),
            phone,
            wechat,
            ..Default::default()
        };
        c.contacts.insert(id, contact);
    }

    for _ in 0..dice.below(3) {
        let at = created_at + dice.between(1, 300) * DAY;
        let deal = Deal {
            title: dice.pick(deal_titles).to_string(),
            pipeline: "sales".into(),
            stage: dice.pick(&STAGES).to_string(),
            amount: dice.between(50, 5_000) * 10_000,
            currency: currency.into(),
            expected_close: date(at + dice.between(30, 120) * DAY),
            status: "open".into(),
            owner: owner.clone(),
            created_at: at,
            ..Default::default()
        };
        c.deals.insert(dice.id(), deal);
    }

    for _ in 0..2 + dice.below(7) {
        let kinds: &[&str] = if chinese { &["call", "wechat", "visit", "meeting", "email"] } else { &["call", "email", "meeting", "visit"] };
        c.interactions.push(Interaction {
            id: dice.id(),
            kind: dice.pick(kinds).to_string(),
            direction: dice.pick(&["in", "out", "out"]).to_string(),
            at: created_at + dice.between(0, 600) * DAY + dice.between(0, 600) * 60_000,
            duration_min: dice.between(2, 90),
            summary: dice.pick(summaries).to_string(),
            by: dice.pick(&OWNERS).to_string(),
            campaign: String::new(),
        });
    }
    c.interactions.sort_by_key(|x| x.at);

    for k in 0..dice.below(7) {
        let quantity = dice.between(1, 200);
        c.orders.push(Order {
            id: dice.id(),
            external_id: format!("SO-{i:06}-{}", k + 1),
            date: date(created_at + dice.between(1, 600) * DAY),
            amount: quantity * dice.between(5, 500) * 100,
            currency: currency.into(),
            quantity,
            items: format!("{quantity} x {}", dice.pick(items)),
        });
    }
    c.orders.sort_by(|a, b| a.date.cmp(&b.date));
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil_dates() {
        assert_eq!(date(EPOCH_2023), "2023-01-01");
        assert_eq!(date(EPOCH_2023 + 59 * DAY), "2023-03-01");
        assert_eq!(date(EPOCH_2023 + 365 * DAY + 59 * DAY), "2024-02-29");
    }

    #[test]
    fn a_customer_is_the_same_every_time() {
        let (a, b) = (customer(5000), customer(5000));
        assert_eq!(a, b);
        assert_ne!(customer(5001).name, "");
    }
}

