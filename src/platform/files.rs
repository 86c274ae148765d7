//! Files in and out of the browser: the bytes of a file the user picked or dropped, text in
//! GB18030 decoded by the browser (its tables are not in our download, see
//! `crm_core::import::encoding`), a download of bytes as a file, and the export files of
//! customers (CSV for spreadsheets, vCard for address books).

use crate::i18n::format;
use crate::i18n::import::ExportMsg;
use crate::i18n::{common::Common, fill, Locale};
use crate::platform::store::StoreError;
use crate::state::{services, AppState};
use crm_core::export::{to_csv, to_vcards, VCard};
use crm_core::import::{decode_utf8, Encoding, ImportError};
use crm_core::{Customer, DocId, Kind, Summary};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

fn js_error(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| e.as_string()).unwrap_or_else(|| format!("{e:?}"))
}

/// The whole content of a picked or dropped file.
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buf = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await.map_err(js_error)?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// The text of a file's bytes in `enc` (from `crm_core::import::detect`). GB18030 goes
/// through the browser's `TextDecoder` in fatal mode, so bytes that are not GB18030 are an
/// error, not replacement characters.
pub fn decode(bytes: &[u8], enc: Encoding) -> Result<String, ImportError> {
    match enc {
        Encoding::Utf8 | Encoding::Utf8Bom => decode_utf8(bytes).map(str::to_string),
        Encoding::Gb18030 => {
            let opts = web_sys::TextDecoderOptions::new();
            opts.set_fatal(true);
            let decoder = web_sys::TextDecoder::new_with_label_and_options(enc.label(), &opts)
                .map_err(|_| ImportError::NotGb18030)?;
            decoder.decode_with_u8_array(bytes).map_err(|_| ImportError::NotGb18030)
        }
    }
}

/// Offers `bytes` as a file download named `filename`.
pub fn download(bytes: &[u8], filename: &str, mime: &str) -> Result<(), String> {
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes).into());
    let props = web_sys::BlobPropertyBag::new();
    props.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &props).map_err(js_error)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js_error)?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a").map_err(js_error)?.unchecked_into();
    a.set_href(&url);
    a.set_download(filename);
    a.set_hidden(true);
    if let Some(body) = doc.body() {
        let _ = body.append_child(&a);
    }
    a.click();
    a.remove();
    // the download has started from the URL; free it once this task is over
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// Today as `YYYY-MM-DD`, for file names.
fn today() -> String {
    format::today()
}

/// An amount in minor units as a plain decimal a spreadsheet reads as a number: `-1234.50`.
fn decimal(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.unsigned_abs();
    format!("{sign}{}.{:02}", m / 100, m % 100)
}

/// A moment as the local calendar date, `YYYY-MM-DD`; empty for 0.
fn local_day(ms: i64) -> String {
    format::to_datetime_local(ms).chars().take(10).collect()
}

/// The spreadsheet's header row in the reader's language.
fn customer_headers(locale: Locale) -> [&'static str; 18] {
    let h = ExportMsg::of(locale);
    [
        h.name, h.kind, h.external_id, h.email, h.phone, h.owner, h.tags, h.industry, h.province, h.city, h.source,
        h.contacts, h.open_deals, h.last_interaction, h.orders, h.revenue, h.last_order, h.created,
    ]
}

/// One customer's spreadsheet row, under [`customer_headers`]: amounts and dates as plain
/// values a spreadsheet computes with.
fn customer_row(s: &Summary, locale: Locale) -> Vec<String> {
    let common = Common::of(locale);
    vec![
        s.name.clone(),
        match s.kind {
            Kind::Company => common.company.to_string(),
            Kind::Person => common.person.to_string(),
        },
        s.external_id.clone(),
        s.email.clone(),
        s.phone.clone(),
        s.owner.clone(),
        s.tags.join("; "),
        s.industry.clone(),
        s.province.clone(),
        s.city.clone(),
        s.source.clone(),
        s.contacts.to_string(),
        decimal(s.open_deal_value),
        local_day(s.last_interaction),
        s.orders.to_string(),
        decimal(s.revenue),
        s.last_order.clone(),
        local_day(s.created_at),
    ]
}

/// Downloads the customers `ids` (the list's current view, in that order) as a spreadsheet:
/// UTF-8 with BOM (so Excel shows Chinese), headers in the reader's language; customers in
/// the Trash are left out. Returns how many were exported. The rows are made a
/// slice at a time, so 100,000 customers do not freeze the page.
pub async fn export_view_csv(app: AppState, locale: Locale, ids: &[String]) -> Result<usize, String> {
    const SLICE: usize = 5_000;
    let positions: std::collections::HashMap<String, usize> =
        app.summaries.with_untracked(|all| all.iter().enumerate().map(|(i, s)| (s.id.clone(), i)).collect());
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(SLICE) {
        app.summaries.with_untracked(|all| {
            for id in chunk {
                if let Some(s) = positions.get(id).and_then(|&i| all.get(i)).filter(|s| !s.is_deleted()) {
                    rows.push(customer_row(s, locale));
                }
            }
        });
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
    let n = rows.len();
    let bytes = to_csv(&customer_headers(locale), rows);
    download(&bytes, &fill(ExportMsg::of(locale).csv_file, &[&today()]), "text/csv;charset=utf-8")?;
    Ok(n)
}

/// A UUID-shaped URI for a document id (32 hex digits), so address books keep one card per
/// customer when the file is imported again.
fn uid(doc: &str, item: Option<&str>) -> String {
    match item {
        None if doc.len() == 32 => {
            format!("urn:uuid:{}-{}-{}-{}-{}", &doc[..8], &doc[8..12], &doc[12..16], &doc[16..20], &doc[20..])
        }
        None => format!("crm:{doc}"),
        Some(item) => format!("crm:{doc}:{item}"),
    }
}

/// The address-book cards of one customer: the customer itself when it is a person or can
/// be reached (email or phone), then each of its contacts, with the company as organisation.
pub fn customer_cards(id: &str, c: &Customer) -> Vec<VCard> {
    let mut cards = Vec::new();
    let org = if c.kind == Kind::Company { c.name.clone() } else { String::new() };
    if c.kind == Kind::Person || !c.email.is_empty() || !c.phone.is_empty() {
        cards.push(VCard {
            uid: uid(id, None),
            full_name: c.name.clone(),
            org: org.clone(),
            emails: [c.email.clone()].into_iter().filter(|e| !e.is_empty()).collect(),
            phones: [c.phone.clone()].into_iter().filter(|p| !p.is_empty()).collect(),
            ..Default::default()
        });
    }
    for (cid, ct) in &c.contacts {
        cards.push(VCard {
            uid: uid(id, Some(cid)),
            full_name: ct.name.clone(),
            org: org.clone(),
            title: ct.title.clone(),
            role: ct.role.clone(),
            emails: ct.all_emails().map(str::to_string).collect(),
            phones: ct.all_phones().map(str::to_string).collect(),
            im: if ct.wechat.is_empty() { Vec::new() } else { vec![("WeChat".to_string(), ct.wechat.clone())] },
            birthday: crm_core::dates::parse_ymd(&ct.birthday),
            note: ct.note.clone(),
            ..Default::default()
        });
    }
    cards
}

/// Downloads the contact cards (vCard 4.0) of the customers `ids`, reading each customer's
/// document; those in the Trash are left out. Returns how many cards were written.
pub async fn export_vcards(locale: Locale, ids: &[String]) -> Result<usize, String> {
    let store = services().store.clone();
    let mut cards = Vec::new();
    for id in ids {
        let Ok(doc) = id.parse::<DocId>() else { continue };
        if let Some(view) = store.customer(doc).await.map_err(|e: StoreError| e.to_string())? {
            if !view.customer.is_deleted() {
                cards.extend(customer_cards(id, &view.customer));
            }
        }
    }
    let text = to_vcards(&cards);
    download(text.as_bytes(), &fill(ExportMsg::of(locale).vcard_file, &[&today()]), "text/vcard;charset=utf-8")?;
    Ok(cards.len())
}
