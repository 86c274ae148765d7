//! Notes: collaborative text two people can type into at once, on two devices, without
//! losing a character.
//!
//! Each note is a plain `<textarea>` that the page does not bind to the stored text. Its
//! editor remembers `base`, the text as last loaded or saved. Saving sends
//! `Edit::EditNote { base, local }` (`local` = what the box holds): the store rebases the change
//! base -> local onto the note as stored now (which may hold another device's typing) and
//! returns the merged text. Then, if the box still holds `local`, it shows the merged text
//! (the caret kept in place) and `base` becomes the merged text; if the person typed on
//! meanwhile, `base` becomes `local` and the next save carries only the newer typing.
//!
//! All saves and reloads of one page run one at a time ([`flush`]): two saves in flight with
//! the same `base` would apply the same typing twice. Changes from elsewhere come through
//! [`flush`] too (`reload`), after committing whatever is typed, so they never clobber it.

use super::{use_page, Page, Section};
use crate::i18n::{fill, format};
use crate::platform::store::CustomerView;
use crate::state::{edit_customer, load_customer};
use crm_core::customer::new_id;
use crm_core::Edit;
use gloo_timers::callback::Timeout;
use leptos::html;
use leptos::prelude::*;
use std::collections::BTreeMap;

const DEBOUNCE_MS: u32 = 300;

struct Editor {
    node: NodeRef<html::Textarea>,
    base: String,
}

#[derive(Default)]
struct State {
    editors: BTreeMap<String, Editor>,
    timer: Option<Timeout>,
    busy: bool,
    /// asked to save or reload while busy: run once more
    again: bool,
    reload: bool,
}

/// The page's note editors and their saving, shared by the notes section and the page.
#[derive(Clone, Copy)]
pub struct NoteSync(StoredValue<State, LocalStorage>);

impl NoteSync {
    pub fn new() -> Self {
        Self(StoredValue::new_local(State::default()))
    }
}

/// Saves typed note text and, with `reload`, reads the customer again; the textareas are
/// brought up to date either way.
pub fn flush(page: Page, reload: bool) {
    let s = page.notes.0;
    let Some(doc) = page.doc.get_untracked() else { return };
    let start = s
        .try_update_value(|st| {
            if let Some(t) = st.timer.take() {
                t.cancel();
            }
            st.reload |= reload;
            if st.busy {
                st.again = true;
                false
            } else {
                st.busy = true;
                true
            }
        })
        .unwrap_or(false);
    if !start {
        return;
    }
    leptos::task::spawn_local(async move {
        loop {
            // what each box holds now, and the edits for those that changed
            let mut sent = BTreeMap::new();
            let mut edits = Vec::new();
            let at = crate::platform::now_ms();
            let reload = s
                .try_update_value(|st| {
                    st.again = false;
                    for (id, e) in &st.editors {
                        let Some(el) = e.node.get_untracked() else { continue };
                        let local = el.value();
                        if local != e.base {
                            edits.push(Edit::EditNote { id: id.clone(), base: e.base.clone(), local: local.clone(), at });
                        }
                        sent.insert(id.clone(), local);
                    }
                    std::mem::take(&mut st.reload)
                })
                .unwrap_or(false);
            if edits.is_empty() && !reload {
                break;
            }
            let request = page.begin();
            let saved = if edits.is_empty() {
                load_customer(page.app, doc).await
            } else {
                edit_customer(page.app, doc, edits.clone()).await
            };
            let Some(v) = saved else {
                if !edits.is_empty() {
                    // the save failed (shown to the user): still show what is stored, but keep
                    // the unsaved typing in its box for the next try
                    for e in &edits {
                        if let Edit::EditNote { id, .. } = e {
                            sent.remove(id);
                        }
                    }
                    let request = page.begin();
                    if let Some(v) = load_customer(page.app, doc).await {
                        settle(page, &v, &sent);
                        page.show(request, v);
                    }
                }
                break;
            };
            settle(page, &v, &sent);
            page.show(request, v);
            if !s.try_with_value(|st| st.again).unwrap_or(false) {
                break;
            }
        }
        s.try_update_value(|st| st.busy = false);
    });
}

/// After a save or load: each box that still holds what was read from it shows the stored
/// text; a box typed into meanwhile keeps its text for the next save.
fn settle(page: Page, v: &CustomerView, sent: &BTreeMap<String, String>) {
    page.notes.0.try_update_value(|st| {
        for (id, e) in st.editors.iter_mut() {
            let (Some(el), Some(note)) = (e.node.get_untracked(), v.customer.notes.get(id)) else { continue };
            let stored = note.text.as_str();
            match sent.get(id) {
                Some(local) if el.value() == *local => {
                    if stored != local {
                        replace_keeping_caret(&el, local, stored);
                    }
                    e.base = stored.to_string();
                }
                Some(local) => e.base = local.clone(),
                None => {}
            }
        }
    });
}

/// Where a caret at `pos` (UTF-16 units) in `old` belongs in `new`: text before the changed
/// span keeps it, text after it moves with the end.
fn map_caret(old: &[u16], new: &[u16], pos: usize) -> usize {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let max_suffix = old.len().min(new.len()) - prefix;
    let suffix = old.iter().rev().zip(new.iter().rev()).take(max_suffix).take_while(|(a, b)| a == b).count();
    if pos <= prefix {
        pos
    } else if pos >= old.len() - suffix {
        new.len() - (old.len() - pos)
    } else {
        new.len() - suffix
    }
}

fn replace_keeping_caret(el: &web_sys::HtmlTextAreaElement, old: &str, new: &str) {
    let focused = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .map(|a| a == ***el)
        .unwrap_or(false);
    let range = (el.selection_start().ok().flatten(), el.selection_end().ok().flatten());
    el.set_value(new);
    if let (true, (Some(start), Some(end))) = (focused, range) {
        let (old16, new16): (Vec<u16>, Vec<u16>) = (old.encode_utf16().collect(), new.encode_utf16().collect());
        let start = map_caret(&old16, &new16, start as usize) as u32;
        let end = map_caret(&old16, &new16, end as usize) as u32;
        let _ = el.set_selection_range(start, end);
    }
}

#[component]
pub fn NotesSection() -> impl IntoView {
    let page = use_page();
    let focus = RwSignal::new(None::<String>);
    let ids = move || {
        page.with(|c| {
            let mut v: Vec<_> = c.notes.iter().map(|(id, n)| (n.created_at, id.clone())).collect();
            v.sort();
            v.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
        })
        .unwrap_or_default()
    };
    let add = move |_| {
        let id = new_id();
        let at = crate::platform::now_ms();
        let new = id.clone();
        page.apply_then(vec![Edit::AddNote { id, author: page.me(), at, text: String::new() }], move |ok| {
            if ok {
                focus.set(Some(new));
            }
        });
    };
    view! {
        <Section id="notes" title=Signal::derive(move || page.t().notes.to_string())>
            {move || ids().is_empty().then(|| view! { <p class="empty">{page.t().no_notes}</p> })}
            <For each=ids key=|id| id.clone() let:id>
                <NoteEditor id=id focus=focus/>
            </For>
            <button type="button" on:click=add>{move || page.t().add_note}</button>
        </Section>
    }
}

#[component]
fn NoteEditor(id: String, focus: RwSignal<Option<String>>) -> impl IntoView {
    let page = use_page();
    let node = NodeRef::<html::Textarea>::new();
    let initial = page.view.with_untracked(|v| v.as_ref().and_then(|v| v.customer.notes.get(&id)).map(|n| n.text.as_str().to_string())).unwrap_or_default();
    page.notes.0.update_value(|st| {
        st.editors.insert(id.clone(), Editor { node, base: initial.clone() });
    });
    {
        let id = id.clone();
        on_cleanup(move || {
            page.notes.0.try_update_value(|st| st.editors.remove(&id));
        });
    }
    {
        let id = id.clone();
        Effect::new(move |_| {
            if focus.get().as_deref() == Some(id.as_str()) {
                if let Some(el) = node.get() {
                    let _ = el.focus();
                    focus.set(None);
                }
            }
        });
    }
    let on_input = move |_| {
        let t = Timeout::new(DEBOUNCE_MS, move || flush(page, false));
        page.notes.0.update_value(|st| {
            if let Some(old) = st.timer.replace(t) {
                old.cancel();
            }
        });
    };
    let position = {
        let id = id.clone();
        move || {
            page.with(|c| {
                let mut v: Vec<_> = c.notes.iter().map(|(i, n)| (n.created_at, i.as_str())).collect();
                v.sort();
                v.iter().position(|(_, i)| *i == id).unwrap_or(0) + 1
            })
            .unwrap_or(1)
        }
    };
    let meta = {
        let id = id.clone();
        move || {
            let (l, t) = (page.l(), page.t());
            page.with(|c| {
                c.notes.get(&id).map(|n| {
                    let when = format::datetime(l, n.updated_at.max(n.created_at));
                    if n.author.is_empty() {
                        fill(t.note_edited, &[&when])
                    } else {
                        fill(t.note_by, &[&n.author, &when])
                    }
                })
            })
            .flatten()
            .unwrap_or_default()
        }
    };
    let label = {
        let position = position.clone();
        move || fill(page.t().note_n, &[&position()])
    };
    let remove_label = move || fill(page.t().remove_note, &[&position()]);
    let remove = {
        let id = id.clone();
        move |_| page.apply(vec![Edit::RemoveNote { id: id.clone() }])
    };
    view! {
        <div class="note item">
            <textarea
                node_ref=node
                rows="4"
                aria-label=label
                prop:value=initial
                on:input=on_input
                on:blur=move |_| flush(page, false)
            ></textarea>
            <div class="row">
                <p class="meta grow">{meta}</p>
                <button type="button" class="secondary" aria-label=remove_label on:click=remove>{move || page.common().delete}</button>
            </div>
        </div>
    }
}
