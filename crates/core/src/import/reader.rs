//! CSV text to rows, a batch at a time, each row with the line it starts on and its raw text.
//!
//! The `csv` crate does the quoting (commas, quotes and line breaks inside quoted fields, CRLF
//! or LF). What it does not give reliably is where a record starts: its positions include
//! the line break and blank lines before it. So a [`Cursor`] keeps the byte offset of the next
//! record and the line number at the last record start, and counts line breaks only between
//! two record starts: line numbers stay right after multi-line fields, and no batch rescans
//! what an earlier one read. A batch builds a fresh `csv` reader at the cursor's offset;
//! records always start at an offset a reader can start from, so a batch may also stop
//! before a record and leave it to the next ([`Flow::StopBefore`]).

use super::ImportError;

/// A position in the text between batches.
#[derive(Clone, Debug)]
pub(crate) struct Cursor {
    /// byte offset where reading continues
    offset: usize,
    /// byte offset of the last record start, and its line number (1-based)
    mark: usize,
    line: u64,
    done: bool,
}

impl Cursor {
    pub(crate) fn offset(&self) -> usize {
        self.offset
    }
    pub(crate) fn is_done(&self) -> bool {
        self.done
    }
}

/// One non-blank record.
pub(crate) struct Row<'a> {
    /// the line of the file the record starts on, 1-based
    pub line: u64,
    /// the record's text as in the file, without its line break
    pub raw: &'a str,
    /// the fields, or why the record could not be read
    pub fields: Result<&'a csv::StringRecord, String>,
}

/// What the reader does after handing over a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Next,
    /// end the batch and leave this row unread, to be read again by the next one
    StopBefore,
}

/// A CSV text whose header has been read.
pub(crate) struct CsvText<T> {
    text: T,
    delimiter: u8,
    headers: Vec<String>,
    body: Cursor,
}

impl<T: AsRef<str>> CsvText<T> {
    /// Reads the header: the first non-blank record, whose line also decides the delimiter.
    pub(crate) fn new(text: T) -> Result<Self, ImportError> {
        let t = text.as_ref();
        let start = if t.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
        let delimiter = detect_delimiter(t.get(start..).unwrap_or(""));
        let mut cur = Cursor { offset: start, mark: 0, line: 1, done: false };
        let mut headers = None;
        while headers.is_none() && !cur.done {
            read_rows(t, delimiter, &mut cur, 1, |row| {
                if let Ok(fields) = row.fields {
                    headers = Some(fields.iter().map(|h| h.trim().to_string()).collect());
                }
                Flow::Next
            });
        }
        let headers = headers.ok_or(ImportError::NoHeader)?;
        Ok(CsvText { text, delimiter, headers, body: cur })
    }

    pub(crate) fn headers(&self) -> &[String] {
        &self.headers
    }
    pub(crate) fn delimiter(&self) -> u8 {
        self.delimiter
    }
    pub(crate) fn len(&self) -> usize {
        self.text.as_ref().len()
    }
    /// A cursor at the first row after the header.
    pub(crate) fn body(&self) -> Cursor {
        self.body.clone()
    }
    /// Reads up to `max` records (blank ones count, so a batch's work is bounded) from `cur`.
    pub(crate) fn read(&self, cur: &mut Cursor, max: usize, f: impl FnMut(Row<'_>) -> Flow) {
        read_rows(self.text.as_ref(), self.delimiter, cur, max, f);
    }
}

fn read_rows(text: &str, delimiter: u8, cur: &mut Cursor, max: usize, mut f: impl FnMut(Row<'_>) -> Flow) {
    let bytes = text.as_bytes();
    let base = cur.offset;
    let Some(rest) = bytes.get(base..) else {
        cur.done = true;
        return;
    };
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(rest);
    let mut rec = csv::StringRecord::new();
    for _ in 0..max.max(1) {
        let before = rdr.position().byte() as usize;
        let res = rdr.read_record(&mut rec);
        let after = rdr.position().byte() as usize;
        let fields = match res {
            Ok(false) => {
                cur.done = true;
                break;
            }
            Ok(true) if rec.iter().all(|f| f.trim().is_empty()) => continue,
            Ok(true) => Ok(&rec),
            Err(e) => {
                // the reader moved past the bad record; if it did not, it never will
                cur.done = after <= before;
                Err(e.to_string())
            }
        };
        let (start, end) = (base + before, base + after);
        let start =
            start + bytes.get(start..end).map_or(0, |b| b.iter().take_while(|&&b| b == b'\r' || b == b'\n').count());
        cur.line += count_lines(bytes.get(cur.mark..start).unwrap_or(&[]));
        cur.mark = start;
        let raw = text.get(start..end).unwrap_or("").trim_end_matches(['\r', '\n']);
        if f(Row { line: cur.line, raw, fields }) == Flow::StopBefore {
            // the mark is this row's start already, so reading it again counts no lines
            cur.offset = start;
            cur.done = false;
            return;
        }
        if cur.done {
            break;
        }
    }
    cur.offset = base + rdr.position().byte() as usize;
    // what is left may be only the last line break, which the reader leaves unread
    if text.get(cur.offset..).is_none_or(|t| t.trim().is_empty()) {
        cur.done = true;
    }
}

/// Line breaks in `b`: LF, CRLF, or a lone CR (old Mac files).
fn count_lines(b: &[u8]) -> u64 {
    let mut n = 0;
    for (i, &c) in b.iter().enumerate() {
        if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
            n += 1;
        }
    }
    n
}

/// The delimiter of the first non-blank line: whichever of `,` `;` tab occurs most often
/// outside quotes (Excel writes `;` where the decimal mark is a comma), comma on a tie.
pub(crate) fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    let mut content = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted && content => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
        content |= !c.is_whitespace();
    }
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    [b',', b';', b'\t'][best]
}

/// What the mapping screen shows before anything is imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sniff {
    pub delimiter: u8,
    pub headers: Vec<String>,
    /// the first rows' fields, for a preview and for guessing (ragged rows as they are)
    pub sample: Vec<Vec<String>>,
}

/// The header, delimiter and first `sample_rows` rows of a CSV text.
pub fn sniff(text: &str, sample_rows: usize) -> Result<Sniff, ImportError> {
    let csv = CsvText::new(text)?;
    let mut cur = csv.body();
    let mut sample = Vec::new();
    while sample.len() < sample_rows && !cur.is_done() {
        csv.read(&mut cur, sample_rows - sample.len(), |row| {
            if let Ok(f) = row.fields {
                sample.push(f.iter().map(str::to_string).collect());
            }
            Flow::Next
        });
    }
    Ok(Sniff { delimiter: csv.delimiter, headers: csv.headers, sample })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_rows(text: &str, batch: usize) -> Vec<(u64, String, Vec<String>)> {
        let csv = CsvText::new(text).expect("header");
        let mut cur = csv.body();
        let mut out = Vec::new();
        while !cur.is_done() {
            csv.read(&mut cur, batch, |row| {
                let fields = row.fields.map(|f| f.iter().map(str::to_string).collect()).unwrap_or_default();
                out.push((row.line, row.raw.to_string(), fields));
                Flow::Next
            });
        }
        out
    }

    #[test]
    fn line_numbers_survive_multiline_fields_blank_lines_and_batches() {
        let text = "\u{feff}a,b\r\n\r\n1,\"x\r\ny\"\r\n\r\n\r\n2,3\n \n,,\n4,\"5\n\n6\"\r7,8";
        for batch in [1, 2, 100] {
            let rows = all_rows(text, batch);
            let lines: Vec<u64> = rows.iter().map(|r| r.0).collect();
            assert_eq!(lines, [3, 7, 10, 13], "batch {batch}");
            assert_eq!(rows[0].1, "1,\"x\r\ny\"");
            assert_eq!(rows[0].2, ["1", "x\r\ny"]);
            assert_eq!(rows[2].2, ["4", "5\n\n6"]);
            assert_eq!(rows[3].1, "7,8");
        }
    }

    #[test]
    fn a_row_left_unread_is_read_again_with_the_same_line() {
        let text = "h\n\n\"a\nb\"\n\r\nc\n";
        let csv = CsvText::new(text).expect("header");
        let mut cur = csv.body();
        let mut seen = Vec::new();
        let mut stops = 0;
        while !cur.is_done() {
            csv.read(&mut cur, 10, |row| {
                if row.raw == "c" && stops < 2 {
                    stops += 1;
                    return Flow::StopBefore;
                }
                seen.push((row.line, row.raw.to_string()));
                Flow::Next
            });
        }
        assert_eq!(seen, [(3, "\"a\nb\"".to_string()), (6, "c".to_string())]);
    }

    #[test]
    fn delimiter_is_taken_from_the_header_line() {
        assert_eq!(detect_delimiter("a;b;\"c,d\"\n1,2,3,4"), b';');
        assert_eq!(detect_delimiter("\n\na\tb\tc"), b'\t');
        assert_eq!(detect_delimiter("name"), b',');
        assert_eq!(detect_delimiter("a,b;c"), b',');
        let s = sniff("名称;金额\n张三;1,5\n李四;2\n", 1).expect("sniff");
        assert_eq!((s.delimiter, s.headers.len(), s.sample.len()), (b';', 2, 1));
        assert_eq!(s.sample[0], ["张三", "1,5"]);
    }

    #[test]
    fn blank_text_has_no_header() {
        for t in ["", "\u{feff}", "\r\n\n  \n", ",,,\n"] {
            assert!(matches!(CsvText::new(t), Err(ImportError::NoHeader)), "{t:?}");
        }
    }

    #[test]
    fn an_unterminated_quote_swallows_the_rest_without_looping() {
        let rows = all_rows("a,b\n1,\"open\n2,3\n4,5\n", 1);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, 2);
    }
}
