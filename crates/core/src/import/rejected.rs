//! The rejected rows as a CSV file: the user fixes them in Excel and imports the file again.
//!
//! Each row keeps its fields as they were, after two added columns, `import_line` and
//! `import_reason`. They come first so they line up even when the row's own fields do not,
//! and [`super::guess_mapping`] ignores them when the fixed file comes back.

use super::RowError;

/// A UTF-8 CSV (with BOM, CRLF, see [`crate::export::to_csv`]) of the rejected rows, under
/// the original `headers`. `delimiter` is the original file's ([`super::ImportJob::delimiter`]),
/// to split the raw rows; the output always uses commas.
pub fn rejected_rows_csv<S: AsRef<str>>(headers: &[S], delimiter: u8, errors: &[RowError]) -> Vec<u8> {
    let mut head = vec!["import_line".to_string(), "import_reason".to_string()];
    head.extend(headers.iter().map(|h| h.as_ref().to_string()));
    let rows = errors.iter().map(|e| {
        let mut row = vec![e.line.to_string(), e.reason()];
        row.extend(split_raw(&e.raw, delimiter));
        row
    });
    crate::export::to_csv(&head, rows)
}

fn split_raw(raw: &str, delimiter: u8) -> Vec<String> {
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(raw.as_bytes());
    let mut fields = Vec::new();
    let mut rec = csv::StringRecord::new();
    while let Ok(true) = rdr.read_record(&mut rec) {
        fields.extend(rec.iter().map(str::to_string));
    }
    fields
}
