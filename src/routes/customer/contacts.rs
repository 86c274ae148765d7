//! The people at a company customer (or more ways to reach a person): names, title, role,
//! every email and phone, WeChat, birthday and a note.

use super::{use_page, Section};
use crate::components::text_field::TextField;
use crate::i18n::fill;
use crm_core::customer::{new_contact_id, ContactField};
use crm_core::Edit;
use leptos::prelude::*;

#[component]
pub fn ContactsSection() -> impl IntoView {
    let page = use_page();
    let add_contact = move |_| page.apply(vec![Edit::AddContact { id: new_contact_id() }]);
    let ids = move || page.with(|c| c.contacts.keys().cloned().enumerate().collect::<Vec<_>>()).unwrap_or_default();
    view! {
        <Section id="contacts" title=Signal::derive(move || page.t().contacts.to_string())>
            {move || ids().is_empty().then(|| view! { <p class="empty">{page.t().no_contacts}</p> })}
            <For each=ids key=|(i, id)| (*i, id.clone()) let:item>
                <ContactCard index=item.0 cid=item.1/>
            </For>
            <button type="button" on:click=add_contact>{move || page.t().add_contact}</button>
        </Section>
    }
}

#[component]
fn ContactCard(index: usize, cid: String) -> impl IntoView {
    let page = use_page();
    let contact = {
        let cid = cid.clone();
        Memo::new(move |_| page.view.with(|v| v.as_ref().and_then(|v| v.customer.contacts.get(&cid).cloned())).unwrap_or_default())
    };
    move || {
        let t = page.t();
        let text = |f: ContactField, label: &'static str, ty: &'static str| {
            let id = cid.clone();
            let path = format!("contacts.{}.{}", cid, f.key());
            view! {
                <TextField
                    id=format!("c-{}-{}", cid, f.key())
                    label=label
                    value=Signal::derive(move || f.get(&contact.get()))
                    input_type=ty
                    on_commit=Callback::new(move |v: String| page.apply(vec![Edit::SetContact { id: id.clone(), field: f, value: v }]))
                >
                    {page.conflict(path)}
                </TextField>
            }
        };
        let others = |phones: bool, label: &'static str| {
            let id = cid.clone();
            view! {
                <TextField
                    id=format!("c-{}-{}", cid, if phones { "phones" } else { "emails" })
                    label=label
                    value=Signal::derive(move || {
                        let c = contact.get();
                        if phones { c.phones.join(", ") } else { c.emails.join(", ") }
                    })
                    input_type="text"
                    on_commit=Callback::new(move |v: String| {
                        let values = v.split([',', ';', '，', '；']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
                        page.apply(vec![Edit::SetContactOthers { id: id.clone(), phones, values }])
                    })
                >
                    <span class="hint">{t.comma_hint}</span>
                </TextField>
            }
        };
        let remove = {
            let id = cid.clone();
            move |_| page.apply(vec![Edit::RemoveContact { id: id.clone() }])
        };
        view! {
            <fieldset class="contact item">
                <legend>{fill(t.contact_n, &[&(index + 1)])}</legend>
                {text(ContactField::Name, t.contact_name, "text")}
                {text(ContactField::Title, t.contact_title, "text")}
                {text(ContactField::Role, t.contact_role, "text")}
                {text(ContactField::Email, t.contact_email, "email")}
                {others(false, t.other_emails)}
                {text(ContactField::Phone, t.contact_phone, "tel")}
                {others(true, t.other_phones)}
                {text(ContactField::Wechat, t.wechat, "text")}
                {text(ContactField::Birthday, t.birthday, "date")}
                {text(ContactField::Note, t.contact_note, "text")}
                <button type="button" class="secondary" on:click=remove>{t.remove_contact}</button>
            </fieldset>
        }
    }
}
