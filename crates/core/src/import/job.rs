//! An import run in batches, so a 100,000-row file never blocks the page: the app calls
//! [`ImportJob::next_batch`] once per frame or idle callback, shows [`ImportJob::progress`],
//! and cancels by dropping the job.
//!
//! With [`DateOrder::Auto`] the order of ambiguous dates (`3/5/2024`) is decided per file.
//! Rows are imported until the first ambiguous date; if no earlier value decided the order
//! (`25/3/2024`), the import pauses at that row and the next batches look ahead in the date
//! column only, until a deciding value or the end of the file; then it resumes at that row.
//! So every row is read with the same order, and files without ambiguous dates (ISO dates,
//! `2024年3月5日`) are read once.

use super::mapping::{ImportKind, Mapping, Target};
use super::problem::{RowError, RowProblem};
use super::reader::{CsvText, Cursor, Flow, Row};
use super::record::{ImportedContact, ImportedCustomer, ImportedOrder, Record};
use super::values::{self, DateOrder, NumberError};
use super::ImportError;
use crate::normalize::fold_width;

/// What one call to [`ImportJob::next_batch`] produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    pub records: Vec<Record>,
    pub errors: Vec<RowError>,
    /// nothing is left to read
    pub done: bool,
}

/// One file being imported: owns the text, reads it forward batch by batch.
pub struct ImportJob {
    csv: CsvText<String>,
    kind: ImportKind,
    /// the mapped columns (not ignored), by index into the row
    plan: Vec<(usize, Target)>,
    /// `Auto` until decided
    date_order: DateOrder,
    date_col: Option<usize>,
    /// the look-ahead for the date order while it runs
    scan: Option<Cursor>,
    cursor: Cursor,
    rows: u64,
}

impl ImportJob {
    /// Reads the header and checks `mapping` against it; no row is read yet.
    pub fn new(text: impl Into<String>, kind: ImportKind, mapping: &Mapping) -> Result<ImportJob, ImportError> {
        let csv = CsvText::new(text.into())?;
        mapping.check(kind, csv.headers())?;
        let plan: Vec<(usize, Target)> = mapping
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.target != Target::Ignore)
            .map(|(i, c)| (i, c.target.clone()))
            .collect();
        let date_col = plan.iter().find(|(_, t)| matches!(t, Target::Date | Target::Birthday)).map(|(i, _)| *i);
        let cursor = csv.body();
        Ok(ImportJob { csv, kind, plan, date_order: mapping.date_order, date_col, scan: None, cursor, rows: 0 })
    }

    /// The file's header row, trimmed.
    pub fn headers(&self) -> &[String] {
        self.csv.headers()
    }

    /// The field delimiter found in the header line: `,`, `;` or tab.
    pub fn delimiter(&self) -> u8 {
        self.csv.delimiter()
    }

    /// How ambiguous dates are read; `Auto` while no value has decided it.
    pub fn date_order(&self) -> DateOrder {
        self.date_order
    }

    /// Non-blank rows imported or rejected so far.
    pub fn rows_read(&self) -> u64 {
        self.rows
    }

    /// (bytes imported, bytes total), equal when done. It stands still during a date-order
    /// look-ahead, which usually ends within a few rows.
    pub fn progress(&self) -> (u64, u64) {
        let len = self.csv.len() as u64;
        if self.cursor.is_done() {
            (len, len)
        } else {
            (self.cursor.offset() as u64, len)
        }
    }

    /// Reads up to `max_rows` more rows (at least one). Blank lines are skipped; a row that
    /// cannot be imported is an error in the batch and the rows after it go on.
    pub fn next_batch(&mut self, max_rows: usize) -> Batch {
        if let Some(scan) = self.scan.take() {
            self.look_ahead(scan, max_rows);
            return Batch::default();
        }
        let mut batch = Batch::default();
        let kind = self.kind;
        let expected = self.csv.headers().len();
        let (plan, date_col, order, rows) = (&self.plan, self.date_col, &mut self.date_order, &mut self.rows);
        let mut pause = false;
        self.csv.read(&mut self.cursor, max_rows, |row| {
            if *order == DateOrder::Auto {
                let value = date_col.and_then(|c| row.fields.as_ref().ok()?.get(c)).unwrap_or("");
                if let Some(decided) = values::date_order_hint(value) {
                    *order = decided;
                } else if values::is_ambiguous_date(value) {
                    pause = true;
                    return Flow::StopBefore;
                }
            }
            *rows += 1;
            match build(kind, plan, expected, *order, &row) {
                Ok(record) => batch.records.push(record),
                Err(problems) => batch.errors.push(RowError { line: row.line, problems, raw: row.raw.to_string() }),
            }
            Flow::Next
        });
        if pause {
            self.scan = Some(self.cursor.clone());
        }
        batch.done = self.cursor.is_done() && !pause;
        batch
    }

    /// Reads the date column ahead of the paused import for a value that decides the order.
    fn look_ahead(&mut self, mut scan: Cursor, max_rows: usize) {
        // a pause needs an ambiguous date, so there is a date column
        let Some(col) = self.date_col else { return };
        let mut found = None;
        self.csv.read(&mut scan, max_rows, |row| {
            found = row.fields.ok().and_then(|f| f.get(col)).and_then(values::date_order_hint);
            if found.is_some() {
                Flow::StopBefore
            } else {
                Flow::Next
            }
        });
        match found {
            Some(order) => self.date_order = order,
            None if scan.is_done() => self.date_order = DateOrder::MonthFirst,
            None => self.scan = Some(scan),
        }
    }
}

/// A cell as meant: trimmed, without the `'` the exporter puts before `=`, `+`, `-`, `@`
/// to stop spreadsheet formulas (see [`crate::export::csv`]).
fn cell(v: &str) -> &str {
    let t = v.trim();
    match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => t,
    }
}

fn build(
    kind: ImportKind,
    plan: &[(usize, Target)],
    expected: usize,
    order: DateOrder,
    row: &Row<'_>,
) -> Result<Record, Vec<RowProblem>> {
    let fields = match &row.fields {
        Ok(f) => f,
        Err(detail) => return Err(vec![RowProblem::Unreadable { detail: detail.clone() }]),
    };
    // a missing or extra field shifts the columns (often an unquoted `1,234.50`), so no
    // value of the row can be trusted, not even trailing empty ones
    if fields.len() != expected {
        return Err(vec![RowProblem::FieldCount { found: fields.len(), expected }]);
    }
    let cells = plan.iter().filter_map(|(i, t)| {
        let v = cell(fields.get(*i)?);
        (!v.is_empty()).then_some((t, v))
    });
    let mut problems = Vec::new();
    let record = match kind {
        ImportKind::Customers => customer(row.line, cells, &mut problems).map(Record::Customer),
        ImportKind::Contacts => contact(row.line, cells, order, &mut problems).map(Record::Contact),
        ImportKind::Orders => order_record(row.line, cells, order, &mut problems).map(Record::Order),
    };
    match record {
        Some(r) if problems.is_empty() => Ok(r),
        _ => Err(problems),
    }
}

fn number_problem(e: NumberError, field: &'static str, value: &str) -> RowProblem {
    let value = value.to_string();
    match e {
        NumberError::NotANumber => RowProblem::NotANumber { field, value },
        NumberError::NotWhole => RowProblem::NotAWholeNumber { field, value },
        NumberError::TooLarge => RowProblem::TooLarge { field, value },
    }
}

fn phone_problem(v: &str) -> Option<RowProblem> {
    if values::mangled_by_excel(v) {
        Some(RowProblem::MangledByExcel { field: "phone", value: v.to_string() })
    } else if !fold_width(v).chars().any(|c| c.is_ascii_digit()) {
        Some(RowProblem::NotAPhone { value: v.to_string() })
    } else {
        None
    }
}

fn email(v: &str, problems: &mut Vec<RowProblem>) -> String {
    let folded = fold_width(v).into_owned();
    if !values::is_email(&folded) {
        problems.push(RowProblem::NotAnEmail { value: v.to_string() });
    }
    folded
}

fn push_unique(list: &mut Vec<String>, items: Vec<String>) {
    for item in items {
        if !list.contains(&item) {
            list.push(item);
        }
    }
}

fn yes_no(v: &str, field: &'static str, problems: &mut Vec<RowProblem>) -> Option<bool> {
    let b = values::parse_bool(v);
    if b.is_none() {
        problems.push(RowProblem::NotYesNo { field, value: v.to_string() });
    }
    b
}

fn customer<'a>(
    line: u64,
    cells: impl Iterator<Item = (&'a Target, &'a str)>,
    problems: &mut Vec<RowProblem>,
) -> Option<ImportedCustomer> {
    let mut c = ImportedCustomer { line, ..Default::default() };
    for (t, v) in cells {
        let text = v.to_string();
        match t {
            Target::ExternalId => c.external_id = text,
            Target::Name => c.name = text,
            Target::Kind => match values::parse_kind(v) {
                Some(k) => c.kind = Some(k),
                None => problems.push(RowProblem::NotAKind { value: text }),
            },
            Target::Email => c.email = email(v, problems),
            Target::Phone => {
                problems.extend(phone_problem(v));
                c.phone = text;
            }
            Target::Owner => c.owner = text,
            Target::Industry => c.industry = text,
            Target::Size => c.size = text,
            Target::Province => c.province = text,
            Target::City => c.city = text,
            Target::Source => c.source = text,
            Target::Tags => push_unique(&mut c.tags, values::split_list(v, values::TAG_SEPARATORS)),
            Target::ReferredBy => c.referred_by = text,
            Target::DoNotCall => c.do_not_call = yes_no(v, "do_not_call", problems),
            Target::EmailOptIn => c.email_opt_in = yes_no(v, "email_opt_in", problems),
            Target::Notes if c.notes.is_empty() => c.notes = text,
            Target::Notes => {
                c.notes.push('\n');
                c.notes.push_str(v);
            }
            Target::Custom(name) => c.custom.push((name.clone(), text)),
            _ => {}
        }
    }
    if c.name.is_empty() {
        problems.push(RowProblem::Missing { field: "name" });
    }
    Some(c)
}

fn contact<'a>(
    line: u64,
    cells: impl Iterator<Item = (&'a Target, &'a str)>,
    order: DateOrder,
    problems: &mut Vec<RowProblem>,
) -> Option<ImportedContact> {
    let mut c = ImportedContact { line, ..Default::default() };
    for (t, v) in cells {
        let text = v.to_string();
        match t {
            Target::Customer => c.customer = text,
            Target::Name => c.name = text,
            Target::Title => c.title = text,
            Target::Role => c.role = text,
            Target::Email => {
                let found: Vec<String> =
                    values::split_list(v, values::EMAIL_SEPARATORS).iter().map(|e| email(e, problems)).collect();
                push_unique(&mut c.emails, found);
            }
            Target::Phone => {
                let found = values::split_list(v, values::PHONE_SEPARATORS);
                problems.extend(found.iter().filter_map(|p| phone_problem(p)));
                push_unique(&mut c.phones, found);
            }
            Target::Wechat => c.wechat = text,
            Target::Birthday => match values::parse_date(v, order) {
                Some(d) => c.birthday = Some(d),
                None => problems.push(RowProblem::NotADate { field: "birthday", value: text }),
            },
            Target::Custom(name) => c.custom.push((name.clone(), text)),
            _ => {}
        }
    }
    if c.customer.is_empty() {
        problems.push(RowProblem::Missing { field: "customer" });
    }
    if c.name.is_empty() {
        problems.push(RowProblem::Missing { field: "name" });
    }
    Some(c)
}

fn order_record<'a>(
    line: u64,
    cells: impl Iterator<Item = (&'a Target, &'a str)>,
    order: DateOrder,
    problems: &mut Vec<RowProblem>,
) -> Option<ImportedOrder> {
    let (mut customer, mut order_id, mut items, mut custom) = (String::new(), String::new(), Vec::new(), Vec::new());
    let (mut date, mut amount, mut quantity) = (None, None, None);
    let (mut date_seen, mut amount_seen) = (false, false);
    let mut column_currency = None;
    for (t, v) in cells {
        match t {
            Target::Customer => customer = v.to_string(),
            Target::OrderId => order_id = v.to_string(),
            Target::Date => {
                date_seen = true;
                date = values::parse_date(v, order);
                if date.is_none() {
                    problems.push(RowProblem::NotADate { field: "date", value: v.to_string() });
                }
            }
            Target::Amount => {
                amount_seen = true;
                match values::parse_money(v) {
                    Ok((minor, currency)) => amount = Some((minor, currency, v)),
                    Err(e) => problems.push(number_problem(e, "amount", v)),
                }
            }
            Target::Currency => match values::parse_currency(v) {
                Some(c) => column_currency = Some(c),
                None => problems.push(RowProblem::NotACurrency { value: v.to_string() }),
            },
            Target::Quantity => match values::parse_whole(v) {
                Ok(q) => quantity = Some(q),
                Err(e) => problems.push(number_problem(e, "quantity", v)),
            },
            Target::Items => push_unique(&mut items, values::split_list(v, values::ITEM_SEPARATORS)),
            Target::Custom(name) => custom.push((name.clone(), v.to_string())),
            _ => {}
        }
    }
    if customer.is_empty() {
        problems.push(RowProblem::Missing { field: "customer" });
    }
    if !date_seen {
        problems.push(RowProblem::Missing { field: "date" });
    }
    if !amount_seen {
        problems.push(RowProblem::Missing { field: "amount" });
    }
    let (date, (amount_minor, amount_currency, written)) = (date?, amount?);
    let currency = match (amount_currency, column_currency) {
        (Some(a), Some(c)) if a != c => {
            problems.push(RowProblem::CurrencyConflict { amount: written.to_string(), in_amount: a, in_column: c });
            return None;
        }
        (a, c) => c.or(a).unwrap_or_default(),
    };
    Some(ImportedOrder { line, customer, order_id, date, amount_minor, currency, quantity, items, custom })
}
