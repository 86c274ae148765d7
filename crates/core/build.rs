//! Generates the compact pinyin table that `src/search/pinyin.rs` includes.
//!
//! The `pinyin` crate (a build-dependency only) carries every reading of ~40k characters in
//! tables far too large for a download budget. Here we keep what search needs: the most common
//! toneless reading of each CJK Unified Ideograph (U+4E00..=U+9FFF) that is in GB 2312 (the
//! 6,763 characters of everyday simplified Chinese) or in a short list of name characters
//! outside it, plus a second reading for a few surnames and place names.
//!
//! Why not all 20,992 ideographs: the readings are close to random in code-point order
//! (~8.2 bits of entropy each), so the full table compresses to ~22 kB, more than the app's
//! remaining download budget. The subset compresses to ~10 kB (GB 2312's 3,755 level-1
//! characters alone would be ~6.5 kB, but level 2 holds many surnames); a character outside
//! it still matches by itself, just not by its pinyin.
//!
//! Output in `OUT_DIR` (see `src/search/pinyin.rs` for how it is read):
//! - `pinyin_table.rs`: the syllables (space-separated), a presence bitmap over the range,
//!   and the alternate readings with a filter of the characters that may have one (the
//!   syllable offsets and the bitmap's rank directory are derived at run time: they compress
//!   badly and cost ~1 kB of download);
//! - `pinyin_ids.bin`: one byte per present character (the low 8 bits of its syllable index,
//!   syllables sorted by frequency so most fit), then one bit per present character (bit 8).

use pinyin::{ToPinyin, ToPinyinMulti};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

const FIRST: u32 = 0x4E00;
const LAST: u32 = 0x9FFF;

/// Characters common in given names and company names that GB 2312 lacks.
const NAME_CHARS: &str = "喆堃玥珺翀镕昇垚祎琇瑄璟瑢犇赟彧旻昱珏祺琦晔煜婕翊昶珈棽曌淏铖洺琲瑀玹珩珣瑨璠\
                          琤飏旸晗暐晞湉澍濛钖锴镠翾祐頔浛芃";

/// Second readings worth finding: surnames (单 Shan, 曾 Zeng, 解 Xie ...) and the common words
/// of place and company names (银行 yinhang, 重庆 Chongqing, 厦门 Xiamen, 会计 kuaiji).
const ALTERNATES: &[(char, &str)] = &[
    ('单', "shan"),
    ('曾', "zeng"),
    ('解', "xie"),
    ('仇', "qiu"),
    ('区', "ou"),
    ('朴', "piao"),
    ('查', "zha"),
    ('秘', "bi"),
    ('乐', "yue"),
    ('长', "chang"),
    ('重', "chong"),
    ('覃', "qin"),
    ('尉', "yu"),
    ('缪', "miao"),
    ('翟', "zhai"),
    ('盖', "ge"),
    ('召', "shao"),
    ('员', "yun"),
    ('繁', "po"),
    ('种', "chong"),
    ('都', "du"),
    ('行', "hang"),
    ('厦', "xia"),
    ('藏', "zang"),
    ('会', "kuai"),
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    let out = Path::new(&out);

    // the characters to keep, and their readings
    let mut primary: BTreeMap<u32, String> = BTreeMap::new();
    for cp in FIRST..=LAST {
        let Some(c) = char::from_u32(cp) else { continue };
        if !(in_gb2312(c) || NAME_CHARS.contains(c)) {
            continue;
        }
        if let Some(p) = c.to_pinyin() {
            primary.insert(cp, toneless(p.plain()));
        }
    }
    let mut alternates: Vec<(u32, String)> = Vec::new();
    for &(c, reading) in ALTERNATES {
        let cp = u32::from(c);
        let all: Vec<String> = c.to_pinyin_multi().map(|m| m.into_iter().map(|p| toneless(p.plain())).collect()).unwrap_or_default();
        assert!(all.iter().any(|r| r == reading), "{c}: the pinyin crate has no reading {reading:?} (it has {all:?})");
        let first = primary.entry(cp).or_insert_with(|| all[0].clone());
        assert!(first != reading, "{c}: {reading:?} is already its most common reading");
        alternates.push((cp, reading.to_string()));
    }
    alternates.sort();

    // syllables by frequency, so that most indices fit in one byte
    let mut freq: HashMap<&str, usize> = HashMap::new();
    for s in primary.values().chain(alternates.iter().map(|(_, s)| s)) {
        *freq.entry(s).or_default() += 1;
    }
    let mut syllables: Vec<&str> = freq.keys().copied().collect();
    syllables.sort_by(|a, b| freq[b].cmp(&freq[a]).then(a.cmp(b)));
    assert!(syllables.len() <= 512, "syllable indices must fit in 9 bits");
    let index: HashMap<&str, usize> = syllables.iter().enumerate().map(|(i, s)| (*s, i)).collect();

    // presence bitmap + rank directory + 9-bit indices of present characters
    let words = ((LAST - FIRST + 1) as usize).div_ceil(64);
    let mut present = vec![0u64; words];
    let mut ids_low = Vec::with_capacity(primary.len());
    let mut ids_high = vec![0u8; primary.len().div_ceil(8)];
    for (n, (cp, s)) in primary.iter().enumerate() {
        let i = (cp - FIRST) as usize;
        present[i / 64] |= 1 << (i % 64);
        let id = index[s.as_str()];
        ids_low.push(id as u8);
        if id > 255 {
            ids_high[n / 8] |= 1 << (n % 8);
        }
    }
    // a 256-bit filter of the characters with a second reading (by code point mod 256): one
    // bit test spares the matcher a search of ALTERNATES for nearly every character
    let mut may_have_alternate = [0u64; 4];
    for (cp, _) in &alternates {
        let i = (cp % 256) as usize;
        may_have_alternate[i / 64] |= 1 << (i % 64);
    }

    let mut src = String::new();
    src.push_str("// Generated by crates/core/build.rs from the `pinyin` crate. Do not edit.\n");
    writeln!(src, "const FIRST: u32 = {FIRST:#X};").unwrap();
    writeln!(src, "const LAST: u32 = {LAST:#X};").unwrap();
    writeln!(src, "const PRESENT_COUNT: usize = {};", primary.len()).unwrap();
    writeln!(src, "const SYLLABLES: &str = \"{}\";", syllables.join(" ")).unwrap();
    let list = |v: &mut dyn Iterator<Item = String>| v.collect::<Vec<_>>().join(",");
    writeln!(src, "static PRESENT: [u64; {words}] = [{}];", list(&mut present.iter().map(|w| format!("{w:#x}")))).unwrap();
    writeln!(src, "static MAY_HAVE_ALTERNATE: [u64; 4] = [{}];", list(&mut may_have_alternate.iter().map(|w| format!("{w:#x}")))).unwrap();
    writeln!(
        src,
        "static ALTERNATES: [(u16, u16); {}] = [{}];",
        alternates.len(),
        list(&mut alternates.iter().map(|(cp, s)| format!("({}, {})", cp - FIRST, index[s.as_str()])))
    )
    .unwrap();
    src.push_str("static IDS: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/pinyin_ids.bin\"));\n");

    let mut ids = ids_low;
    ids.extend_from_slice(&ids_high);
    write_if_changed(&out.join("pinyin_ids.bin"), &ids);
    write_if_changed(&out.join("pinyin_table.rs"), src.as_bytes());
}

/// `lǚ` -> `lv`, `ê` -> `e`: what people type on a Latin keyboard.
fn toneless(plain: &str) -> String {
    let s: String = plain.chars().map(|c| if c == 'ü' { 'v' } else if c == 'ê' { 'e' } else { c }).collect();
    assert!(!s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase()), "unexpected pinyin {plain:?}");
    s
}

/// GB 2312's hanzi are GBK's rows 0xB0..=0xF7, columns 0xA1..=0xFE.
fn in_gb2312(c: char) -> bool {
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(c.encode_utf8(&mut buf));
    !unmappable && bytes.len() == 2 && (0xB0..=0xF7).contains(&bytes[0]) && (0xA1..=0xFE).contains(&bytes[1])
}

fn write_if_changed(path: &Path, data: &[u8]) {
    if std::fs::read(path).ok().as_deref() != Some(data) {
        std::fs::write(path, data).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
}
