//! The profile: who the customer is (every profile field, consent, who referred them, the
//! lifecycle stage when set by hand, the team's custom fields) and its tags.

use super::fields::SaveSelect;
use super::{use_page, Page, Section};
use crate::components::text_field::TextField;
use crate::i18n::customer::{lifecycle_name, CustomerMsg, LIFECYCLES};
use crate::i18n::fill;
use crm_core::customer::{Field, Flag};
use crm_core::Edit;
use leptos::prelude::*;

fn value_of(page: Page, f: Field) -> Signal<String> {
    Signal::derive(move || page.with(|c| f.get(c).to_string()).unwrap_or_default())
}

#[component]
pub fn ProfileSection(focus_name: RwSignal<bool>) -> impl IntoView {
    let page = use_page();
    let field = move |f: Field, label: &'static str, input_type: &'static str| {
        let key = f.key();
        view! {
            <TextField
                id=format!("f-{key}")
                label=label
                value=value_of(page, f)
                input_type=input_type
                focus=Signal::derive(move || f == Field::Name && focus_name.get())
                on_commit=Callback::new(move |v: String| page.apply(vec![Edit::Set(f, v)]))
            >
                {page.conflict(key.to_string())}
            </TextField>
        }
    };
    let kind_options = Signal::derive(move || {
        let c = page.common();
        vec![("company".to_string(), c.company.to_string()), ("person".to_string(), c.person.to_string())]
    });
    let lifecycle_options = Signal::derive(move || {
        let l = page.l();
        std::iter::once("").chain(LIFECYCLES).map(|v| (v.to_string(), lifecycle_name(l, v).to_string())).collect::<Vec<_>>()
    });
    // labels are read once per language: the fields below re-render when it changes
    move || {
        let t = page.t();
        view! {
            <Section id="profile" title=Signal::derive(move || page.t().profile.to_string())>
                <form class="profile" on:submit=|ev| ev.prevent_default()>
                    {field(Field::Name, t.name, "text")}
                    <SaveSelect
                        id="f-kind"
                        label=t.kind
                        value=value_of(page, Field::Kind)
                        options=kind_options
                        on_change=Callback::new(move |v| page.apply(vec![Edit::Set(Field::Kind, v)]))
                    >
                        {page.conflict("kind".to_string())}
                    </SaveSelect>
                    {field(Field::Email, t.email, "email")}
                    {field(Field::Phone, t.phone, "tel")}
                    {field(Field::Owner, t.owner, "text")}
                    {field(Field::Industry, t.industry, "text")}
                    {field(Field::Size, t.size, "text")}
                    {field(Field::Province, t.province, "text")}
                    {field(Field::City, t.city, "text")}
                    {field(Field::Address, t.address, "text")}
                    {field(Field::Website, t.website, "url")}
                    {field(Field::Source, t.source, "text")}
                    {field(Field::ExternalId, t.external_id, "text")}
                    <SaveSelect
                        id="f-lifecycle"
                        label=t.lifecycle
                        value=value_of(page, Field::Lifecycle)
                        options=lifecycle_options
                        on_change=Callback::new(move |v| page.apply(vec![Edit::Set(Field::Lifecycle, v)]))
                    >
                        {page.conflict("lifecycle".to_string())}
                    </SaveSelect>
                    <ReferredBy/>
                    <fieldset class="consent">
                        <legend>{t.consent}</legend>
                        <Flag flag=Flag::DoNotCall key="do_not_call" label=t.do_not_call/>
                        <Flag flag=Flag::EmailOptIn key="email_opt_in" label=t.email_opt_in/>
                    </fieldset>
                </form>
                <CustomFields/>
                <Tags/>
            </Section>
        }
    }
}

#[component]
fn Flag(flag: Flag, key: &'static str, label: &'static str) -> impl IntoView {
    let page = use_page();
    let checked = move || {
        page.with(|c| match flag {
            Flag::DoNotCall => c.do_not_call,
            Flag::EmailOptIn => c.email_opt_in,
        })
        .unwrap_or(false)
    };
    let id = format!("f-{key}");
    view! {
        <div class="check">
            <input
                type="checkbox"
                id=id.clone()
                prop:checked=checked
                on:change=move |ev| page.apply(vec![Edit::SetFlag(flag, event_target_checked(&ev))])
            />
            <label for=id>{label}</label>
            {page.conflict(key.to_string())}
        </div>
    }
}

/// Who referred this customer: typed or picked by name, stored as the referrer's id.
#[component]
fn ReferredBy() -> impl IntoView {
    let page = use_page();
    let summaries = page.app.summaries;
    let referrer = Memo::new(move |_| page.with(|c| c.referred_by.clone()).unwrap_or_default());
    let referrer_name = Memo::new(move |_| {
        let id = referrer.get();
        if id.is_empty() {
            return String::new();
        }
        summaries.with(|all| all.iter().find(|s| s.id == id).map(|s| s.name.clone())).unwrap_or_default()
    });
    let typed = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    Effect::new(move |_| typed.set(referrer_name.get()));
    let me = move || page.doc.get_untracked().map(|d| d.to_string()).unwrap_or_default();
    // a few matches for what is typed (a datalist of every customer would be huge)
    let suggestions = move || {
        let q = typed.get().to_lowercase();
        let me = me();
        summaries.with(|all| {
            all.iter()
                .filter(|s| s.id != me && s.deleted_at == 0 && !s.name.is_empty())
                .filter(|s| q.is_empty() || s.name.to_lowercase().contains(&q))
                .take(20)
                .map(|s| s.name.clone())
                .collect::<Vec<_>>()
        })
    };
    let commit = move || {
        let name = typed.get_untracked().trim().to_string();
        let current = referrer.get_untracked();
        let found = if name.is_empty() {
            Some(String::new())
        } else {
            let me = me();
            summaries.with_untracked(|all| {
                all.iter()
                    .filter(|s| s.id != me && s.deleted_at == 0)
                    .find(|s| s.name == name)
                    .or_else(|| all.iter().filter(|s| s.id != me).find(|s| s.name.to_lowercase() == name.to_lowercase()))
                    .map(|s| s.id.clone())
            })
        };
        match found {
            Some(id) => {
                problem.set(None);
                if id != current {
                    page.apply(vec![Edit::Set(Field::ReferredBy, id)]);
                }
            }
            None => problem.set(Some(name)),
        }
    };
    view! {
        <div class="field">
            <label for="f-referred_by">{move || page.t().referred_by}</label>
            <input
                id="f-referred_by"
                type="text"
                list="referrers"
                autocomplete="off"
                prop:value=move || typed.get()
                on:input=move |ev| typed.set(event_target_value(&ev))
                on:change=move |_| commit()
            />
            <datalist id="referrers">
                {move || suggestions().into_iter().map(|n| view! { <option value=n></option> }).collect_view()}
            </datalist>
            {move || problem.get().map(|name| view! { <span class="error" role="alert">{fill(page.t().referred_by_unknown, &[&name])}</span> })}
            {move || {
                let id = referrer.get();
                let name = referrer_name.get();
                (!id.is_empty() && !name.is_empty()).then(|| view! {
                    <span class="hint">{page.t().referrer}" "<a href=format!("/customers/{id}")>{name}</a></span>
                })
            }}
            {page.conflict("referred_by".to_string())}
        </div>
    }
}

/// The team's custom fields (defined in Settings), each input typed by its kind.
#[component]
fn CustomFields() -> impl IntoView {
    let page = use_page();
    let defs = Memo::new(move |_| {
        page.app.settings.with(|s| {
            let mut v: Vec<_> = s.custom_fields.iter().map(|(k, d)| (k.clone(), d.clone())).collect();
            v.sort_by(|a, b| (a.1.order, &a.1.label).cmp(&(b.1.order, &b.1.label)));
            v
        })
    });
    move || {
        let defs = defs.get();
        (!defs.is_empty()).then(|| {
            view! {
                <h3>{move || page.t().custom_fields}</h3>
                <div class="profile custom-fields">
                    {defs
                        .into_iter()
                        .map(|(key, def)| {
                            let value = {
                                let key = key.clone();
                                Signal::derive(move || page.with(|c| c.custom.get(&key).cloned().unwrap_or_default()).unwrap_or_default())
                            };
                            let save = {
                                let key = key.clone();
                                Callback::new(move |value: String| page.apply(vec![Edit::SetCustom { key: key.clone(), value }]))
                            };
                            let id = format!("cf-{key}");
                            let conflict = page.conflict(format!("custom.{key}"));
                            if def.kind == "choice" {
                                let choices = def.choices.clone();
                                let options = Signal::derive(move || {
                                    std::iter::once((String::new(), CustomerMsg::of(page.l()).choose.to_string()))
                                        .chain(choices.iter().map(|c| (c.clone(), c.clone())))
                                        .collect::<Vec<_>>()
                                });
                                view! {
                                    <SaveSelect id=id label=def.label value=value options=options on_change=save>
                                        {conflict}
                                    </SaveSelect>
                                }
                                .into_any()
                            } else {
                                let ty = match def.kind.as_str() {
                                    "number" => "number",
                                    "date" => "date",
                                    _ => "text",
                                };
                                view! {
                                    <TextField id=id label=def.label value=value input_type=ty on_commit=save>
                                        {conflict}
                                    </TextField>
                                }
                                .into_any()
                            }
                        })
                        .collect_view()}
                </div>
            }
        })
    }
}

#[component]
fn Tags() -> impl IntoView {
    let page = use_page();
    let new_tag = RwSignal::new(String::new());
    let add_tag = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = new_tag.get_untracked().trim().to_string();
        if !t.is_empty() {
            page.apply(vec![Edit::AddTag(t)]);
            new_tag.set(String::new());
        }
    };
    let t = move || page.t();
    view! {
        <h3 id="tags-h">{move || t().tags}</h3>
        <ul class="tags" aria-labelledby="tags-h">
            <For each=move || page.with(|c| c.tag_list()).unwrap_or_default() key=|t| t.clone() let:tag>
                <li class="tag">
                    <span>{tag.clone()}</span>
                    <button
                        type="button"
                        class="icon"
                        aria-label={
                            let tag = tag.clone();
                            move || fill(t().remove_tag, &[&tag])
                        }
                        on:click={
                            let tag = tag.clone();
                            move |_| page.apply(vec![Edit::RemoveTag(tag.clone())])
                        }
                    >"×"</button>
                </li>
            </For>
        </ul>
        <form class="add-tag row" on:submit=add_tag>
            <label for="new-tag" class="visually-hidden">{move || t().new_tag}</label>
            <input
                id="new-tag"
                type="text"
                placeholder=move || t().tag_placeholder
                prop:value=move || new_tag.get()
                on:input=move |ev| new_tag.set(event_target_value(&ev))
            />
            <button type="submit">{move || t().add_tag}</button>
        </form>
    }
}
