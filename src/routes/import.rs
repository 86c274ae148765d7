//! Import: customers, contacts or orders from a CSV file, in the steps a person sees.
//!
//! 1. Choose what the file holds and the file (picked or dropped). Its encoding is detected
//!    (UTF-8, UTF-8 with BOM, GB18030 from Excel in China) and the header and first rows shown.
//! 2. Map the columns (guessed from the headers, or the last mapping of this kind when the
//!    headers match), and decide about dates and duplicates.
//! 3. Import. The file is read into an [`ImportPlan`] in batches, yielding to the browser
//!    between them, *without writing anything*; then everything is written in one IndexedDB
//!    transaction ([`write_all`]), which also yields at every request. Cancel during reading
//!    drops the plan; during writing it aborts the transaction. Either way nothing of the run
//!    is stored, and nothing has reached the relay or other tabs, which only hear of changes
//!    after the commit. (Writing in several transactions would have needed deleting on cancel,
//!    and a deleted customer stays in the Trash and in every device's log.)
//! 4. The result: counts, the rejected rows with line and reason, a file of them to fix.
//!
//! The session lives outside the page (signals in a thread-local), so an import goes on when
//! the person looks at another screen, and its progress or result is there when they return.
//! The export of all customers (CSV, vCard) is at the bottom of the page.

use crate::platform::local_storage;
use crate::i18n::import::{ExportMsg, ImportMsg, ProblemMsg};
use crate::i18n::{fill, format, use_locale, Locale};
use crate::platform::files::{self, decode, read_file};
use crate::platform::store::Change;
use crate::platform::{now_ms, reminders};
use crate::state::{use_app, write_all, AppState};
use crm_core::import::{
    detect, guess_mapping, sniff, DateOrder, Encoding, ImportError, ImportJob, ImportKind, Mapping, RowProblem, Target,
};
use crm_core::merge::{apply_to_existing, rejected_csv, ImportPlan, OnDuplicate, PlanOptions, PlanProblem, PlanStats};
use crm_core::{Customer, DocId};
use leptos::prelude::*;
use serde::Serialize as _;
use std::cell::{Cell, RefCell};
use std::sync::Arc;

/// Rows read per batch; batches go on until [`SLICE_MS`] have passed, then the browser gets
/// its turn (a frame is 16 ms; no task may take 50).
const BATCH_ROWS: usize = 200;
const SLICE_MS: f64 = 10.0;
/// Existing customers made matchable between two yields.
const KNOW_SLICE: usize = 5_000;
/// Rows of the file shown before importing.
const PREVIEW_ROWS: usize = 5;
/// Rejected rows listed on the page; the download has them all.
const SHOWN_REJECTED: usize = 100;
/// Currencies offered for amounts without one (the workspace's own comes first).
const CURRENCIES: [&str; 8] = ["CNY", "USD", "EUR", "HKD", "TWD", "JPY", "GBP", "SGD"];

/// The file being imported, as far as the page shows it.
#[derive(Clone, Debug, PartialEq)]
struct Loaded {
    name: String,
    encoding: Encoding,
    headers: Vec<String>,
    sample: Vec<Vec<String>>,
}

/// Why a row was rejected.
#[derive(Clone, Debug, PartialEq)]
enum Why {
    Row(Vec<RowProblem>),
    Plan(PlanProblem),
}

#[derive(Clone, Debug, PartialEq)]
struct Rejected {
    line: u64,
    why: Why,
    /// the row as in the file (empty for a row refused after it was read)
    raw: String,
}

/// What a finished import did.
#[derive(Clone, Debug, PartialEq)]
struct Report {
    stats: PlanStats,
    new_customers: usize,
    updated_customers: usize,
    rejected: Vec<Rejected>,
    headers: Vec<String>,
    delimiter: u8,
}

#[derive(Clone, Debug, PartialEq)]
enum Phase {
    /// choosing the file, mapping, options
    Setup,
    LoadingFile(String),
    Reading { rows: u64, done: u64, total: u64 },
    Saving { done: usize, total: usize },
    Done(Arc<Report>),
    Cancelled,
}

/// The import session: reactive parts as reference-counted signals (owned by no page), the
/// file's text and the cancel flag as plain cells.
#[derive(Clone)]
struct Session {
    kind: ArcRwSignal<ImportKind>,
    file: ArcRwSignal<Option<Loaded>>,
    mapping: ArcRwSignal<Mapping>,
    on_duplicate: ArcRwSignal<OnDuplicate>,
    currency: ArcRwSignal<String>,
    phase: ArcRwSignal<Phase>,
    error: ArcRwSignal<Option<String>>,
    cancelling: ArcRwSignal<bool>,
}

thread_local! {
    static SESSION: Session = Session {
        kind: ArcRwSignal::new(ImportKind::Customers),
        file: ArcRwSignal::new(None),
        mapping: ArcRwSignal::new(Mapping::default()),
        on_duplicate: ArcRwSignal::new(OnDuplicate::Skip),
        currency: ArcRwSignal::new(String::new()),
        phase: ArcRwSignal::new(Phase::Setup),
        error: ArcRwSignal::new(None),
        cancelling: ArcRwSignal::new(false),
    };
    static TEXT: RefCell<String> = const { RefCell::new(String::new()) };
    static CANCEL: Cell<bool> = const { Cell::new(false) };
}

fn session() -> Session {
    SESSION.with(Clone::clone)
}

fn kind_key(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Customers => "customers",
        ImportKind::Contacts => "contacts",
        ImportKind::Orders => "orders",
    }
}

fn mapping_key(kind: ImportKind) -> String {
    format!("crm.import.mapping.{}", kind_key(kind))
}

/// The mapping last used for this kind of import on this device.
fn saved_mapping(kind: ImportKind) -> Option<Mapping> {
    let text = local_storage()?.get_item(&mapping_key(kind)).ok()??;
    let value = js_sys::JSON::parse(&text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

fn save_mapping(kind: ImportKind, m: &Mapping) {
    let Ok(value) = m.serialize(&serde_wasm_bindgen::Serializer::json_compatible()) else { return };
    let Some(text) = js_sys::JSON::stringify(&value).ok().and_then(|s| s.as_string()) else { return };
    if let Some(s) = local_storage() {
        let _ = s.set_item(&mapping_key(kind), &text);
    }
}

/// The mapping to start from for `headers`: the last one of this kind carried over by header
/// names (columns it does not know are guessed), else a guess.
fn initial_mapping(kind: ImportKind, headers: &[String]) -> Mapping {
    match saved_mapping(kind) {
        Some(m) => m.reapply(kind, headers),
        None => guess_mapping(kind, headers),
    }
}

fn encoding_name(t: &ImportMsg, e: Encoding) -> &'static str {
    match e {
        Encoding::Utf8 => t.enc_utf8,
        Encoding::Utf8Bom => t.enc_utf8_bom,
        Encoding::Gb18030 => t.enc_gb,
    }
}

/// The words for a target's key (`amount`, `date`, ...), as the mapping and the reasons name it.
fn key_label(t: &ImportMsg, key: &str) -> String {
    match key {
        "ignore" => t.ignore,
        "external_id" => t.t_external_id,
        "name" => t.t_name,
        "kind" => t.t_kind,
        "email" => t.t_email,
        "phone" => t.t_phone,
        "owner" => t.t_owner,
        "industry" => t.t_industry,
        "size" => t.t_size,
        "province" => t.t_province,
        "city" => t.t_city,
        "source" => t.t_source,
        "tags" => t.t_tags,
        "referred_by" => t.t_referred_by,
        "do_not_call" => t.t_do_not_call,
        "email_opt_in" => t.t_email_opt_in,
        "notes" => t.t_notes,
        "customer" => t.t_customer,
        "title" => t.t_title,
        "role" => t.t_role,
        "wechat" => t.t_wechat,
        "birthday" => t.t_birthday,
        "order_id" => t.t_order_id,
        "date" => t.t_date,
        "amount" => t.t_amount,
        "currency" => t.t_currency,
        "quantity" => t.t_quantity,
        "items" => t.t_items,
        other => return other.to_string(),
    }
    .to_string()
}

fn target_label(t: &ImportMsg, target: &Target) -> String {
    match target {
        Target::Custom(name) => fill(t.custom_field, &[name]),
        other => key_label(t, other.key()),
    }
}

/// A select option's value for a target.
fn target_value(target: &Target) -> String {
    match target {
        Target::Custom(name) => format!("custom:{name}"),
        other => other.key().to_string(),
    }
}

fn target_of(kind: ImportKind, value: &str) -> Target {
    if let Some(name) = value.strip_prefix("custom:") {
        return Target::Custom(name.to_string());
    }
    Target::for_kind(kind).iter().find(|t| t.key() == value).cloned().unwrap_or(Target::Ignore)
}

fn error_text(l: Locale, e: &ImportError) -> String {
    let t = ImportMsg::of(l);
    match e {
        ImportError::NoHeader => t.err_no_header.to_string(),
        ImportError::NotUtf8 { line } => fill(t.err_not_utf8, &[line]),
        ImportError::NotGb18030 | ImportError::Gb18030InBrowser => t.err_not_gb.to_string(),
        ImportError::MissingTarget { target, .. } => fill(t.err_missing, &[&key_label(t, target)]),
        ImportError::DuplicateTarget { target, first, second } => fill(t.err_twice, &[first, second, &key_label(t, target)]),
        ImportError::TargetNotForKind { header, target, .. } => fill(t.err_not_for_kind, &[header, &key_label(t, target)]),
        ImportError::MappingMismatch { .. } => e.to_string(),
    }
}

/// One reason, in the reader's language.
fn problem_text(l: Locale, p: &RowProblem) -> String {
    let (t, m) = (ProblemMsg::of(l), ImportMsg::of(l));
    let f = |key: &str| key_label(m, key);
    match p {
        RowProblem::FieldCount { found, expected } => fill(t.field_count, &[found, expected]),
        RowProblem::Missing { field } => fill(t.missing, &[&f(field)]),
        RowProblem::NotANumber { field, value } => fill(t.not_a_number, &[&f(field), value]),
        RowProblem::NotAWholeNumber { field, value } => fill(t.not_whole, &[&f(field), value]),
        RowProblem::TooLarge { field, value } => fill(t.too_large, &[&f(field), value]),
        RowProblem::NotADate { field, value } => fill(t.not_a_date, &[&f(field), value]),
        RowProblem::NotYesNo { field, value } => fill(t.not_yes_no, &[&f(field), value]),
        RowProblem::NotAKind { value } => fill(t.not_a_kind, &[value]),
        RowProblem::NotAnEmail { value } => fill(t.not_an_email, &[value]),
        RowProblem::NotAPhone { value } => fill(t.not_a_phone, &[value]),
        RowProblem::MangledByExcel { field, value } => fill(t.mangled, &[&f(field), value]),
        RowProblem::NotACurrency { value } => fill(t.not_a_currency, &[value]),
        RowProblem::CurrencyConflict { amount, in_amount, in_column } => {
            fill(t.currency_conflict, &[amount, in_amount, in_column])
        }
        RowProblem::Unreadable { detail } => fill(t.unreadable, &[detail]),
    }
}

fn reason(l: Locale, why: &Why) -> String {
    match why {
        Why::Row(problems) => {
            let sep = if l == Locale::Zh { "；" } else { "; " };
            problems.iter().map(|p| problem_text(l, p)).collect::<Vec<_>>().join(sep)
        }
        Why::Plan(PlanProblem::AmbiguousCustomer { reference, count }) => {
            fill(ProblemMsg::of(l).ambiguous, &[reference, count])
        }
    }
}

/// Reads a picked or dropped file and shows its columns.
async fn load_file(s: Session, file: web_sys::File, locale: Locale) {
    let t = ImportMsg::of(locale);
    s.error.set(None);
    s.phase.set(Phase::LoadingFile(file.name()));
    let loaded = async {
        let bytes = read_file(&file).await.map_err(|e| fill(t.err_read, &[&e]))?;
        let encoding = detect(&bytes);
        let text = decode(&bytes, encoding).map_err(|e| error_text(locale, &e))?;
        let sn = sniff(&text, PREVIEW_ROWS).map_err(|e| error_text(locale, &e))?;
        Ok::<_, String>((Loaded { name: file.name(), encoding, headers: sn.headers, sample: sn.sample }, text))
    }
    .await;
    match loaded {
        Ok((loaded, text)) => {
            s.mapping.set(initial_mapping(s.kind.get_untracked(), &loaded.headers));
            TEXT.with(|t| *t.borrow_mut() = text);
            s.file.set(Some(loaded));
        }
        Err(e) => {
            s.file.set(None);
            s.error.set(Some(e));
        }
    }
    s.phase.set(Phase::Setup);
}

/// Totals over the existing customers' additions, filled in as they are written.
#[derive(Default)]
struct Totals {
    contacts: u64,
    orders: u64,
    duplicates: u64,
    skipped: u64,
}

/// Reads the whole file into a plan (nothing written), then writes it in one transaction.
async fn run_import(app: AppState, s: Session, locale: Locale) {
    let t = ImportMsg::of(locale);
    let kind = s.kind.get_untracked();
    let mapping = s.mapping.get_untracked();
    let on_duplicate = s.on_duplicate.get_untracked();
    let currency = Some(s.currency.get_untracked())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| app.settings.with_untracked(|st| st.currency.clone()));
    CANCEL.with(|c| c.set(false));
    s.cancelling.set(false);
    s.error.set(None);
    let text = TEXT.with(|t| t.borrow().clone());
    let mut job = match ImportJob::new(text, kind, &mapping) {
        Ok(job) => job,
        Err(e) => {
            s.error.set(Some(error_text(locale, &e)));
            return;
        }
    };
    save_mapping(kind, &mapping);
    let (headers, delimiter) = (job.headers().to_vec(), job.delimiter());
    let (now, author) = (now_ms(), reminders::me());
    let opts = PlanOptions {
        on_duplicate,
        currency,
        now,
        author: author.clone(),
        name_for_id: t.name_for_id.to_string(),
    };
    s.phase.set(Phase::Reading { rows: 0, done: 0, total: 1 });
    // the customers there are, to match rows against: a slice at a time, as everything here
    let mut plan = ImportPlan::empty(opts);
    let known = app.summaries.with_untracked(Vec::len);
    let mut at = 0;
    while at < known {
        let end = (at + KNOW_SLICE).min(known);
        app.summaries.with_untracked(|all| all.get(at..end).unwrap_or(&[]).iter().for_each(|c| plan.know(c)));
        at = end;
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
    let mut rejected = Vec::new();
    let mut slice_start = js_sys::Date::now();
    loop {
        let batch = job.next_batch(BATCH_ROWS);
        for e in batch.errors {
            rejected.push(Rejected { line: e.line, why: Why::Row(e.problems), raw: e.raw });
        }
        for r in batch.records {
            let line = r.line();
            if let Err(p) = plan.add(r) {
                rejected.push(Rejected { line, why: Why::Plan(p), raw: String::new() });
            }
        }
        if batch.done {
            break;
        }
        if js_sys::Date::now() - slice_start > SLICE_MS {
            let (done, total) = job.progress();
            s.phase.set(Phase::Reading { rows: job.rows_read(), done, total });
            gloo_timers::future::TimeoutFuture::new(0).await;
            if CANCEL.with(Cell::get) {
                s.phase.set(Phase::Cancelled);
                return;
            }
            slice_start = js_sys::Date::now();
        }
    }
    drop(job);
    rejected.sort_by_key(|r| r.line);
    let (new, updates, stats) = plan.into_parts();
    let (new_customers, updated_customers) = (new.len(), updates.len());
    let totals = std::rc::Rc::new(RefCell::new(Totals::default()));
    let changes: Vec<(DocId, Change)> = updates
        .into_iter()
        .filter_map(|(id, pending)| {
            let doc = id.parse::<DocId>().ok()?;
            let (totals, author) = (totals.clone(), author.clone());
            let change: Change = Box::new(move |c: &Customer| {
                let a = apply_to_existing(c, &pending, on_duplicate, &author, now);
                let mut t = totals.borrow_mut();
                t.contacts += a.contacts;
                t.orders += a.orders;
                t.duplicates += a.duplicates;
                t.skipped += a.skipped;
                a.edits
            });
            Some((doc, change))
        })
        .collect();
    let total = new.len() + changes.len();
    s.phase.set(Phase::Saving { done: 0, total });
    let phase = s.phase.clone();
    let written = write_all(app, new, changes, move |done, total| {
        phase.set(Phase::Saving { done, total });
        !CANCEL.with(Cell::get)
    })
    .await;
    match written {
        Ok(Some(_)) => {
            let extra = totals.borrow();
            let stats = PlanStats {
                contacts: stats.contacts + extra.contacts,
                orders: stats.orders + extra.orders,
                duplicates: stats.duplicates + extra.duplicates,
                skipped: stats.skipped + extra.skipped,
                ..stats
            };
            let report = Report { stats, new_customers, updated_customers, rejected, headers, delimiter };
            // the file's text is not needed any more ("Choose another file" starts afresh)
            TEXT.with(|t| *t.borrow_mut() = String::new());
            s.phase.set(Phase::Done(Arc::new(report)));
        }
        Ok(None) => s.phase.set(Phase::Cancelled),
        Err(e) => {
            s.error.set(Some(e.to_string()));
            s.phase.set(Phase::Setup);
        }
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let locale = use_locale();
    let t = move || ImportMsg::of(locale.get());
    let s = session();
    let phase = RwSignal::from(s.phase.clone());
    let error = RwSignal::from(s.error.clone());
    // which screen; redrawn only when it changes, not with every progress step
    let screen = Memo::new(move |_| match phase.get() {
        Phase::Setup | Phase::LoadingFile(_) => 0,
        Phase::Reading { .. } | Phase::Saving { .. } => 1,
        Phase::Done(_) => 2,
        Phase::Cancelled => 3,
    });
    view! {
        <section class="import">
            <h1>{move || t().title}</h1>
            <p class="hint">{move || t().intro}</p>
            {move || error.get().map(|e| view! { <p class="import-error" role="alert">{e}</p> })}
            {move || match (screen.get(), phase.get_untracked()) {
                (2, Phase::Done(report)) => view! { <Finished report=report/> }.into_any(),
                (1, _) => view! { <Running/> }.into_any(),
                (3, _) => view! { <Cancelled/> }.into_any(),
                _ => view! { <Setup/> }.into_any(),
            }}
            <ExportAll/>
        </section>
    }
}

#[component]
fn Setup() -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || ImportMsg::of(locale.get());
    let s = session();
    let kind = RwSignal::from(s.kind.clone());
    let file = RwSignal::from(s.file.clone());
    let mapping = RwSignal::from(s.mapping.clone());
    let phase = RwSignal::from(s.phase.clone());
    let dragging = RwSignal::new(false);

    let pick = {
        let s = s.clone();
        move |f: web_sys::File| leptos::task::spawn_local(load_file(s.clone(), f, locale.get_untracked()))
    };
    let pick2 = pick.clone();
    let set_kind = move |k: ImportKind| {
        kind.set(k);
        if let Some(f) = file.get_untracked() {
            mapping.set(initial_mapping(k, &f.headers));
        }
    };
    let check = Memo::new(move |_| {
        let k = kind.get();
        file.with(|f| f.as_ref().map(|f| mapping.with(|m| m.check(k, &f.headers))))
    });
    let start = {
        let s = s.clone();
        move |_| leptos::task::spawn_local(run_import(app, s.clone(), locale.get_untracked()))
    };
    let kinds = [ImportKind::Customers, ImportKind::Contacts, ImportKind::Orders];
    view! {
        <fieldset class="import-kind">
            <legend>{move || t().kind_legend}</legend>
            {kinds.into_iter().map(|k| {
                let label = move || match k {
                    ImportKind::Customers => t().kind_customers,
                    ImportKind::Contacts => t().kind_contacts,
                    ImportKind::Orders => t().kind_orders,
                };
                view! {
                    <label class="choice">
                        <input
                            type="radio"
                            name="import-kind"
                            value=kind_key(k)
                            prop:checked=move || kind.get() == k
                            on:change=move |_| set_kind(k)
                        />
                        <span>{label}</span>
                    </label>
                }
            }).collect_view()}
        </fieldset>
        <div
            class="dropzone"
            class:dragging=move || dragging.get()
            on:dragover=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                dragging.set(false);
                if let Some(f) = ev.data_transfer().and_then(|d| d.files()).and_then(|l| l.get(0)) {
                    pick2(f);
                }
            }
        >
            <label for="import-file">{move || t().file_label}</label>
            <input
                id="import-file"
                type="file"
                accept=".csv,text/csv"
                aria-describedby="import-file-hint"
                on:change=move |ev| {
                    let input: web_sys::HtmlInputElement = event_target(&ev);
                    if let Some(f) = input.files().and_then(|l| l.get(0)) {
                        pick(f);
                    }
                    // choosing the same file again must fire another change
                    input.set_value("");
                }
            />
            <span id="import-file-hint" class="hint">{move || t().drop_hint}</span>
        </div>
        <p class="file-status" role="status">
            {move || match phase.get() {
                Phase::LoadingFile(name) => fill(t().reading_file, &[&name]),
                _ => file.with(|f| f.as_ref().map(|f| format!(
                    "{} · {}",
                    fill(t().file_facts, &[&f.name, &f.headers.len()]),
                    fill(t().detected, &[&encoding_name(t(), f.encoding)]),
                )).unwrap_or_default()),
            }}
        </p>
        <Show when=move || file.with(Option::is_some)>
            <MappingEditor/>
            <Preview/>
            <Options/>
            {move || check.get().and_then(Result::err).map(|e| view! {
                <p class="import-error" role="alert">{error_text(locale.get(), &e)}</p>
            })}
            <div class="actions">
                <button
                    type="button"
                    class="primary"
                    disabled=move || !matches!(check.get(), Some(Ok(())))
                    on:click=start.clone()
                >
                    {move || t().import_button}
                </button>
            </div>
        </Show>
    }
}

#[component]
fn MappingEditor() -> impl IntoView {
    let locale = use_locale();
    let t = move || ImportMsg::of(locale.get());
    let s = session();
    let kind = RwSignal::from(s.kind.clone());
    let file = RwSignal::from(s.file.clone());
    let mapping = RwSignal::from(s.mapping.clone());
    let columns = move || file.with(|f| f.as_ref().map(|f| f.headers.clone()).unwrap_or_default());
    view! {
        <section class="mapping" aria-labelledby="mapping-title">
            <h2 id="mapping-title">{move || t().mapping_title}</h2>
            <p class="hint">{move || t().mapping_hint}</p>
            <ol class="mapping-list">
                {move || columns().into_iter().enumerate().map(|(i, header)| {
                    let id = format!("map-{i}");
                    let first = file.with_untracked(|f| {
                        f.as_ref().and_then(|f| f.sample.first()).and_then(|r| r.get(i)).cloned().unwrap_or_default()
                    });
                    let shown = if header.is_empty() { format!("#{}", i + 1) } else { header.clone() };
                    let header2 = header.clone();
                    let options = move || {
                        let k = kind.get();
                        let current = mapping.with(|m| m.columns.get(i).map(|c| c.target.clone()).unwrap_or(Target::Ignore));
                        let mut targets = vec![Target::Ignore];
                        targets.extend(Target::for_kind(k).iter().cloned());
                        let own = Target::Custom(header2.clone());
                        if k == ImportKind::Customers && !header2.is_empty() && !targets.contains(&own) {
                            targets.push(own);
                        }
                        if !targets.contains(&current) {
                            targets.push(current.clone());
                        }
                        targets.into_iter().map(|target| {
                            let value = target_value(&target);
                            let selected = target == current;
                            view! { <option value=value selected=selected>{target_label(t(), &target)}</option> }
                        }).collect_view()
                    };
                    view! {
                        <li class="field map-row">
                            <label for=id.clone()>{shown}</label>
                            <select
                                id=id.clone()
                                aria-describedby=format!("{id}-first")
                                prop:value=move || mapping.with(|m| m.columns.get(i).map(|c| target_value(&c.target)).unwrap_or_default())
                                on:change=move |ev| {
                                    let target = target_of(kind.get_untracked(), &event_target_value(&ev));
                                    mapping.update(|m| if let Some(c) = m.columns.get_mut(i) { c.target = target; });
                                }
                            >
                                {options}
                            </select>
                            <span id=format!("{id}-first") class="hint">{move || fill(t().first_value, &[&first])}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn Preview() -> impl IntoView {
    let locale = use_locale();
    let t = move || ImportMsg::of(locale.get());
    let file = RwSignal::from(session().file.clone());
    view! {
        <h2>{move || t().preview_title}</h2>
        // scrolls sideways inside itself, so the page never does on a phone
        <div class="preview" role="region" tabindex="0" aria-label=move || t().preview_label>
            <table>
                <thead>
                    <tr>{move || file.with(|f| f.iter().flat_map(|f| f.headers.clone()).map(|h| view! { <th scope="col">{h}</th> }).collect_view())}</tr>
                </thead>
                <tbody>
                    {move || file.with(|f| f.iter().flat_map(|f| f.sample.clone()).map(|row| view! {
                        <tr>{row.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr>
                    }).collect_view())}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn Options() -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || ImportMsg::of(locale.get());
    let s = session();
    let kind = RwSignal::from(s.kind.clone());
    let mapping = RwSignal::from(s.mapping.clone());
    let on_duplicate = RwSignal::from(s.on_duplicate.clone());
    let currency = RwSignal::from(s.currency.clone());
    let has_dates =
        move || mapping.with(|m| m.columns.iter().any(|c| matches!(c.target, Target::Date | Target::Birthday)));
    let date_value = move || match mapping.with(|m| m.date_order) {
        DateOrder::Auto => "auto",
        DateOrder::DayFirst => "day",
        DateOrder::MonthFirst => "month",
    };
    let dup_value = move || match on_duplicate.get() {
        OnDuplicate::Skip => "skip",
        OnDuplicate::FillEmpty => "fill",
        OnDuplicate::AsNew => "new",
    };
    let currencies = move || {
        let own = app.settings.with(|s| s.currency.clone());
        let mut list = vec![own];
        list.extend(CURRENCIES.iter().map(|c| c.to_string()));
        list.retain(|c| !c.is_empty());
        let mut seen = std::collections::HashSet::new();
        list.retain(|c| seen.insert(c.clone()));
        list
    };
    view! {
        <h2>{move || t().options_title}</h2>
        <Show when=has_dates>
            <div class="field">
                <label for="import-date-order">{move || t().date_order}</label>
                <select
                    id="import-date-order"
                    prop:value=date_value
                    on:change=move |ev| {
                        let order = match event_target_value(&ev).as_str() {
                            "day" => DateOrder::DayFirst,
                            "month" => DateOrder::MonthFirst,
                            _ => DateOrder::Auto,
                        };
                        mapping.update(|m| m.date_order = order);
                    }
                >
                    <option value="auto" selected=move || date_value() == "auto">{move || t().date_auto}</option>
                    <option value="day" selected=move || date_value() == "day">{move || t().date_day_first}</option>
                    <option value="month" selected=move || date_value() == "month">{move || t().date_month_first}</option>
                </select>
            </div>
        </Show>
        <div class="field">
            <label for="import-duplicates">{move || match kind.get() {
                ImportKind::Customers => t().dup_customers,
                ImportKind::Contacts => t().dup_contacts,
                ImportKind::Orders => t().dup_orders,
            }}</label>
            <select
                id="import-duplicates"
                prop:value=dup_value
                on:change=move |ev| on_duplicate.set(match event_target_value(&ev).as_str() {
                    "fill" => OnDuplicate::FillEmpty,
                    "new" => OnDuplicate::AsNew,
                    _ => OnDuplicate::Skip,
                })
            >
                <option value="skip" selected=move || dup_value() == "skip">{move || t().dup_skip}</option>
                // an order cannot be filled in: it is there or it is not
                <Show when=move || kind.get() != ImportKind::Orders>
                    <option value="fill" selected=move || dup_value() == "fill">{move || t().dup_fill}</option>
                </Show>
                <option value="new" selected=move || dup_value() == "new">{move || t().dup_new}</option>
            </select>
        </div>
        <Show when=move || kind.get() == ImportKind::Orders>
            <div class="field">
                <label for="import-currency">{move || t().currency}</label>
                <select
                    id="import-currency"
                    prop:value=move || { let c = currency.get(); if c.is_empty() { currencies()[0].clone() } else { c } }
                    on:change=move |ev| currency.set(event_target_value(&ev))
                >
                    {move || currencies().into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                </select>
            </div>
        </Show>
    }
}

#[component]
fn Running() -> impl IntoView {
    let locale = use_locale();
    let t = move || ImportMsg::of(locale.get());
    let s = session();
    let phase = RwSignal::from(s.phase.clone());
    let cancelling = RwSignal::from(s.cancelling.clone());
    let n = move |v: f64| format::number(locale.get(), v);
    // (value, max) of the bar
    let bar = move || match phase.get() {
        Phase::Reading { done, total, .. } => (done as f64, total.max(1) as f64),
        Phase::Saving { done, total } => (done as f64, total.max(1) as f64),
        _ => (0.0, 1.0),
    };
    let text = move || match phase.get() {
        Phase::Reading { rows, .. } => fill(t().reading_rows, &[&n(rows as f64)]),
        Phase::Saving { done, total } => fill(t().saving, &[&n(done as f64), &n(total as f64)]),
        _ => String::new(),
    };
    let cancel = move |_| {
        CANCEL.with(|c| c.set(true));
        cancelling.set(true);
    };
    view! {
        <section class="import-progress" aria-busy="true">
            <progress
                aria-label=move || t().progress_label
                max=move || bar().1.to_string()
                value=move || bar().0.to_string()
            ></progress>
            <p class="progress-text" role="status">{text}</p>
            <button type="button" on:click=cancel disabled=move || cancelling.get()>
                {move || if cancelling.get() { t().cancelling } else { t().cancel_button }}
            </button>
        </section>
    }
}

/// Back to choosing a file, forgetting the last one.
fn start_over(s: &Session) {
    s.file.set(None);
    s.error.set(None);
    TEXT.with(|t| t.borrow_mut().clear());
    s.phase.set(Phase::Setup);
}

#[component]
fn Cancelled() -> impl IntoView {
    let locale = use_locale();
    let t = move || ImportMsg::of(locale.get());
    let s = session();
    let back = move |_| {
        // the same file, mapping and options, ready to import again
        s.phase.set(Phase::Setup);
    };
    view! {
        <p class="notice" role="status">{move || t().cancelled}</p>
        <div class="actions">
            <button type="button" on:click=back>{move || t().import_button}</button>
        </div>
    }
}

/// Picks one message out of the table (so the words follow the language as it changes).
type Words = fn(&ImportMsg) -> &'static str;

#[component]
fn Finished(report: Arc<Report>) -> impl IntoView {
    let locale = use_locale();
    let t = move || ImportMsg::of(locale.get());
    let s = session();
    let n = move |v: u64| format::number(locale.get(), v as f64);
    let st = report.stats;
    let rejected = report.rejected.len() as u64;
    let facts: Vec<(Words, u64, &'static str)> = vec![
        (|t| t.s_imported, st.rows.saturating_sub(st.skipped), "imported"),
        (|t| t.s_skipped, st.skipped, "skipped"),
        (|t| t.s_duplicates, st.duplicates, "duplicates"),
        (|t| t.s_rejected, rejected, "rejected"),
        (|t| t.s_new_customers, report.new_customers as u64, "new-customers"),
        (|t| t.s_updated_customers, report.updated_customers as u64, "updated-customers"),
        (|t| t.s_contacts, st.contacts, "contacts"),
        (|t| t.s_orders, st.orders, "orders"),
    ];
    let shown: Vec<Rejected> = report.rejected.iter().take(SHOWN_REJECTED).cloned().collect();
    let more = report.rejected.len().saturating_sub(SHOWN_REJECTED);
    let download = {
        let report = report.clone();
        move |_| {
            let l = locale.get_untracked();
            let rows: Vec<(u64, String, String)> =
                report.rejected.iter().map(|r| (r.line, reason(l, &r.why), r.raw.clone())).collect();
            let bytes = rejected_csv(&report.headers, report.delimiter, &rows);
            let name = fill(ExportMsg::of(l).rejected_file, &[&format::today()]);
            if let Err(e) = files::download(&bytes, &name, "text/csv;charset=utf-8") {
                session().error.set(Some(e));
            }
        }
    };
    let again = move |_| start_over(&s);
    view! {
        <section class="import-result" aria-labelledby="import-result-title">
            <h2 id="import-result-title">{move || t().finished}</h2>
            <dl class="facts import-summary" aria-label=move || t().summary_label>
                {facts.into_iter().map(|(label, value, key)| view! {
                    <dt>{move || label(t())}</dt>
                    <dd data-key=key>{move || n(value)}</dd>
                }).collect_view()}
            </dl>
            <p class="links">
                <a href="/duplicates">{move || t().find_duplicates}</a>
                " · "
                <a href="/">{move || t().go_customers}</a>
            </p>
            {(rejected > 0).then(|| view! {
                <h3 id="rejected-title">{move || t().rejected_title}</h3>
                <ul class="rejected" aria-labelledby="rejected-title">
                    {shown.into_iter().map(|r| {
                        let why = r.why.clone();
                        view! { <li>{move || fill(t().rejected_line, &[&n(r.line), &reason(locale.get(), &why)])}</li> }
                    }).collect_view()}
                </ul>
                {(more > 0).then(|| view! { <p class="hint">{move || fill(t().rejected_more, &[&n(more as u64)])}</p> })}
                <button type="button" on:click=download.clone()>{move || t().download_rejected}</button>
            })}
            <div class="actions">
                <button type="button" on:click=again>{move || t().another_file}</button>
            </div>
        </section>
    }
}

/// Export of every customer not in the Trash (the customer list exports its current view
/// with the same functions).
#[component]
fn ExportAll() -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || ImportMsg::of(locale.get());
    let notice = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    // in the order they were added (sorting 100,000 names would hold up the page)
    let ids = move || {
        app.summaries.with_untracked(|all| all.iter().filter(|s| !s.is_deleted()).map(|s| s.id.clone()).collect::<Vec<_>>())
    };
    let csv = move |_| {
        let l = locale.get_untracked();
        let ids = ids();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match files::export_view_csv(app, l, &ids).await {
                Ok(n) => notice.set(fill(ImportMsg::of(l).exported_csv, &[&format::number(l, n as f64)])),
                Err(e) => app.error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let vcard = move |_| {
        let l = locale.get_untracked();
        let ids = ids();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match files::export_vcards(l, &ids).await {
                Ok(n) => notice.set(fill(ImportMsg::of(l).exported_vcard, &[&format::number(l, n as f64)])),
                Err(e) => app.error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="export" aria-labelledby="export-title">
            <h2 id="export-title">{move || t().export_title}</h2>
            <p class="hint">{move || t().export_hint}</p>
            <div class="actions">
                <button type="button" on:click=csv disabled=move || busy.get()>{move || t().export_csv}</button>
                <button type="button" on:click=vcard disabled=move || busy.get()>{move || t().export_vcard}</button>
            </div>
            <p class="notice" role="status">{move || notice.get()}</p>
        </section>
    }
}
