//! Support for the search tests and benchmark (included by `search_properties.rs`,
//! `search_scale.rs` and `examples/search_bench.rs`):
//! - synthetic customers: Chinese names from common surnames and given-name characters, Latin
//!   names, companies in both scripts, e-mails, phone numbers written in several styles, tags;
//!   deterministic (a fixed generator), so runs compare;
//! - a plain matcher: the rules of `crm_core::search` written the slow, obvious way, to check
//!   the index against.

#![allow(dead_code)] // each includer uses a part

use crm_core::search::pinyin::{pinyin, readings};
use crm_core::search::SearchField;
use std::collections::BTreeSet;

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单";
const GIVEN: &str = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉萍红玲芬建国文辉力鹏飞宇浩然子轩梓涵一诺欣怡雨佳晨思博俊凯帆婷琳雪梅兰志新宏亮斌云波海燕清晓春月";
const FIRST: &[&str] = &[
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth", "David", "Barbara", "Richard", "Susan",
    "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Wei", "Li", "Ana", "Luca", "Sofia", "Hans", "Yuki", "Omar", "Priya", "Chloé",
];
const LAST: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Wilson",
    "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Lee", "Chen", "Wang", "Li", "Zhang", "Müller", "Schmidt", "Rossi", "Tanaka", "Khan",
    "Singh", "Dubois",
];
const COMPANIES: &[&str] = &[
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka", "Cyberdyne", "Soylent", "Tyrell", "Vandelay", "Pied Piper",
    "Massive Dynamic", "Oscorp", "Gringotts", "Monarch", "Aperture",
];
const SUFFIXES: &[&str] = &["Ltd", "GmbH", "Inc", "Trading", "Tech", "Logistics", "Foods", "Group"];
const CITIES: &str = "北京上海深圳广州杭州成都重庆厦门";
const BRANDS: &[&str] = &["华为", "腾讯", "阿里", "小米", "百度", "京东", "美团", "长城", "中国银行", "海尔", "格力"];
const TRADES: &[&str] = &["科技", "贸易", "实业", "电子", "食品", "物流"];
const TAGS: &[&str] = &["vip", "lead", "wholesale", "重点客户", "经销商", "churn risk", "trade fair 2025"];

/// One synthetic customer.
pub struct Customer {
    pub id: String,
    pub name: String,
    pub company: String,
    pub email: String,
    pub phone: String,
    pub tag: String,
}

impl Customer {
    pub fn fields(&self) -> [(SearchField, &str); 5] {
        [
            (SearchField::Name, self.name.as_str()),
            (SearchField::Company, self.company.as_str()),
            (SearchField::Email, self.email.as_str()),
            (SearchField::Phone, self.phone.as_str()),
            (SearchField::Tag, self.tag.as_str()),
        ]
    }
}

/// A small linear congruential generator: reproducible, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
    pub fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }
    fn pick_char(&mut self, chars: &str) -> char {
        let n = chars.chars().count();
        chars.chars().nth(self.below(n)).unwrap_or('?')
    }
}

/// `n` customers, 60% with Chinese names.
pub fn customers(n: usize, seed: u64) -> Vec<Customer> {
    let mut rng = Rng::new(seed);
    (0..n).map(|i| customer(i, &mut rng)).collect()
}

fn customer(i: usize, rng: &mut Rng) -> Customer {
    let id = format!("c{i:07}");
    let (name, local) = if rng.below(10) < 6 {
        let mut name = String::new();
        name.push(rng.pick_char(SURNAMES));
        for _ in 0..1 + rng.below(2) {
            name.push(rng.pick_char(GIVEN));
        }
        let local: String = name.chars().filter_map(pinyin).collect();
        (name, local)
    } else {
        let (first, last) = (rng.pick(FIRST), rng.pick(LAST));
        (format!("{first} {last}"), format!("{}.{}", first.to_lowercase(), last.to_lowercase()))
    };
    let company = match rng.below(3) {
        0 => format!("{} {}", rng.pick(COMPANIES), rng.pick(SUFFIXES)),
        1 => {
            let city: String = {
                let k = rng.below(CITIES.chars().count() / 2) * 2;
                CITIES.chars().skip(k).take(2).collect()
            };
            format!("{city}{}{}有限公司", rng.pick(BRANDS), rng.pick(TRADES))
        }
        _ => String::new(),
    };
    let domain = if company.is_empty() || !company.is_ascii() {
        "example.cn".to_string()
    } else {
        format!("{}.com", company.split(' ').next().unwrap_or("mail").to_lowercase())
    };
    let email = format!("{local}{}@{domain}", rng.below(100));
    let mobile = format!("1{}{}", 3 + rng.below(7), rng.below(10));
    let (a, b) = (rng.below(10_000), rng.below(10_000));
    let phone = match rng.below(4) {
        0 => format!("+86 {mobile}-{a:04}-{b:04}"),
        1 => format!("{mobile} {a:04} {b:04}"),
        2 => format!("{mobile}{a:04}{b:04}"),
        _ => format!("(021) {a:04} {b:04}"),
    };
    let tag = if rng.below(3) == 0 { rng.pick(TAGS).to_string() } else { String::new() };
    Customer { id, name, company, email, phone, tag }
}

// ---- the plain matcher

pub fn fold(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let c = match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap(),
                'ς' => 'σ',
                c => c,
            };
            c.to_lowercase()
        })
        .collect()
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

fn phone_like(term: &str) -> bool {
    term.chars().all(|c| c.is_ascii_digit() || "+-()./".contains(c)) && term.chars().any(|c| c.is_ascii_digit())
}

/// Consecutive characters from `chars[i]` on consume `rest`: each a non-empty prefix of one
/// of its readings (`v` also typed as `u`) or itself.
fn consumes(chars: &[char], i: usize, rest: &[u8]) -> bool {
    if rest.is_empty() {
        return true;
    }
    let Some(&c) = chars.get(i) else { return false };
    let mut buf = [0; 4];
    let own = c.encode_utf8(&mut buf).as_bytes();
    if rest.starts_with(own) && consumes(chars, i + 1, &rest[own.len()..]) {
        return true;
    }
    readings(c).any(|r| {
        let k = r.bytes().zip(rest).take_while(|&(r, &t)| r == t || (r == b'v' && t == b'u')).count();
        (1..=k).any(|j| consumes(chars, i + 1, &rest[j..]))
    })
}

fn field_matches(kind: SearchField, text: &str, term: &str) -> bool {
    let folded = fold(text);
    if folded.contains(term) {
        return true;
    }
    let pinyin_kind = matches!(kind, SearchField::Name | SearchField::Company | SearchField::Contact | SearchField::Tag);
    if pinyin_kind && term.bytes().any(|b| b.is_ascii_lowercase()) && term.len() <= 63 {
        let chars: Vec<char> = folded.chars().collect();
        if (0..chars.len()).any(|i| consumes(&chars, i, term.as_bytes())) {
            return true;
        }
    }
    kind == SearchField::Phone && phone_like(term) && digits(&folded).contains(&digits(term))
}

/// True when every term of `query` matches some field.
pub fn plain_matches(fields: &[(SearchField, &str)], query: &str) -> bool {
    fold(query).split_whitespace().all(|term| fields.iter().any(|&(kind, text)| field_matches(kind, text, term)))
}

/// The ids (`e{i}`) of the rows `plain_matches` accepts.
pub fn plain_search(rows: &[Vec<(SearchField, String)>], query: &str) -> BTreeSet<String> {
    rows.iter()
        .enumerate()
        .filter(|(_, fields)| plain_matches(&fields.iter().map(|(k, t)| (*k, t.as_str())).collect::<Vec<_>>(), query))
        .map(|(i, _)| format!("e{i}"))
        .collect()
}

#[test]
fn synthetic_customers_are_reproducible() {
    let a = customers(50, 7);
    let b = customers(50, 7);
    assert!(a.iter().zip(&b).all(|(a, b)| a.name == b.name && a.phone == b.phone));
    assert!(a.iter().any(|c| !c.name.is_ascii()) && a.iter().any(|c| c.name.is_ascii()));
}
