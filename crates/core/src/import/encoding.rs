//! Which text encoding a CSV file is in, and its text.
//!
//! Excel saves "CSV UTF-8" with a byte-order mark, plain "CSV" in the system's code page,
//! which in mainland China is GBK (a subset of GB18030). Detection is therefore simple:
//! a BOM or valid UTF-8 is UTF-8, anything else is taken for GB18030. (A Western code page
//! such as Windows-1252 would decode to wrong Chinese characters; the preview shows that.)
//!
//! Decoding GB18030 needs large tables. Natively they come from `encoding_rs`; the wasm build
//! leaves them out of the download, and the browser decodes with
//! `new TextDecoder("gb18030")`, which every browser ships. That is why the parser takes
//! `&str` and decoding is a separate step.

use super::ImportError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    Utf8,
    /// UTF-8 starting with the byte-order mark `EF BB BF`
    Utf8Bom,
    Gb18030,
}

impl Encoding {
    /// The WHATWG encoding label, for the browser's `TextDecoder`.
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 | Encoding::Utf8Bom => "utf-8",
            Encoding::Gb18030 => "gb18030",
        }
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The encoding of a file's bytes: BOM, else valid UTF-8, else GB18030.
pub fn detect(bytes: &[u8]) -> Encoding {
    if bytes.starts_with(BOM) {
        Encoding::Utf8Bom
    } else if std::str::from_utf8(bytes).is_ok() {
        Encoding::Utf8
    } else {
        Encoding::Gb18030
    }
}

/// The text of UTF-8 bytes, without a BOM, borrowed.
pub fn decode_utf8(bytes: &[u8]) -> Result<&str, ImportError> {
    let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
    std::str::from_utf8(body).map_err(|e| {
        let before = body.get(..e.valid_up_to()).unwrap_or(&[]);
        ImportError::NotUtf8 { line: 1 + before.iter().filter(|&&b| b == b'\n').count() as u64 }
    })
}

/// The text of `bytes` in encoding `enc`. GB18030 is decoded natively only; in the wasm
/// build it is [`ImportError::Gb18030InBrowser`], and the app uses `TextDecoder`.
pub fn decode(bytes: &[u8], enc: Encoding) -> Result<String, ImportError> {
    match enc {
        Encoding::Utf8 | Encoding::Utf8Bom => decode_utf8(bytes).map(str::to_string),
        Encoding::Gb18030 => decode_gb18030(bytes),
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn decode_gb18030(bytes: &[u8]) -> Result<String, ImportError> {
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| text.into_owned())
        .ok_or(ImportError::NotGb18030)
}

#[cfg(target_arch = "wasm32")]
fn decode_gb18030(_bytes: &[u8]) -> Result<String, ImportError> {
    Err(ImportError::Gb18030InBrowser)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection() {
        assert_eq!(detect(b""), Encoding::Utf8);
        assert_eq!(detect(b"\xEF\xBB\xBFa,b"), Encoding::Utf8Bom);
        assert_eq!(detect("姓名".as_bytes()), Encoding::Utf8);
        // 姓名 in GBK
        assert_eq!(detect(b"\xD0\xD5\xC3\xFB"), Encoding::Gb18030);
    }

    #[test]
    fn utf8_errors_name_the_line() {
        assert_eq!(decode_utf8(b"\xEF\xBB\xBFa"), Ok("a"));
        assert_eq!(decode_utf8(b"a\nb\n\xFF"), Err(ImportError::NotUtf8 { line: 3 }));
    }

    #[test]
    fn gbk_bytes_decode_natively() {
        assert_eq!(decode(b"\xD0\xD5\xC3\xFB,a", Encoding::Gb18030).as_deref(), Ok("姓名,a"));
        // a lead byte with nothing after it
        assert_eq!(decode(b"a\x81", Encoding::Gb18030), Err(ImportError::NotGb18030));
    }
}
