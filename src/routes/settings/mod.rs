//! Settings: this device's language; invite links that let a teammate's browser join the
//! workspace (`invites.rs`); and the team's shared settings (pipelines and stages, custom fields, loyalty
//! tiers, default currency), each change one `edit_settings` that syncs to every device.

mod invites;
mod team;

use crate::i18n::customer::{pipeline_name, stage_name};
use crate::i18n::settings::SettingsMsg;
use crate::i18n::{fill, set_locale, use_locale, Locale};
use crate::state::{edit_settings, services, use_app, AppState};
use crm_core::customer::new_id;
use crm_core::workspace::{CustomFieldDef, Pipeline, Stage, Tier};
use crm_core::Settings as TeamSettings;
use leptos::prelude::*;

/// Currencies offered for the default (any ISO code already set stays selectable).
const CURRENCIES: [&str; 12] = ["CNY", "HKD", "TWD", "USD", "EUR", "GBP", "JPY", "KRW", "SGD", "AUD", "CAD", "CHF"];

/// The built-in name of a pipeline, stage or tier id in the reader's language ("" for ids
/// people made): the placeholder of its name box, which is empty in the data.
fn builtin_name(l: Locale, id: &str) -> String {
    let n = stage_name(l, &Stage { id: id.to_string(), ..Default::default() });
    if n == id {
        String::new()
    } else {
        n
    }
}

/// A change to one item of a settings list, given the list and the item's position (found by
/// id when the change runs: another device may have reordered the list meanwhile).
type ListChange<T> = Box<dyn FnOnce(&mut Vec<T>, usize)>;

/// Runs one change of the team settings, then counts it in `saved` (which says "Saved.").
fn save(app: AppState, saved: RwSignal<u32>, f: impl FnOnce(&mut TeamSettings) -> Result<(), String> + 'static) {
    leptos::task::spawn_local(async move {
        if edit_settings(app, f).await {
            saved.update(|n| *n += 1);
        }
    });
}

#[component]
pub fn Settings() -> impl IntoView {
    let locale = use_locale();
    let t = move || SettingsMsg::of(locale.get());
    let status = RwSignal::new(0u32);
    view! {
        <section class="settings">
            <h1>{move || t().title}</h1>
            <LanguagePicker/>
            <invites::Invites/>
            <team::Team status=status/>
            <h2>{move || t().pipelines}</h2>
            <p class="hint">{move || t().team_note}</p>
            <p class="visually-hidden" role="status">{move || (status.get() > 0).then(|| t().saved)}</p>
            <PipelinesEditor status=status/>
            <CustomFields status=status/>
            <LoyaltyTiers status=status/>
            <DefaultCurrency status=status/>
            <MarketingCosts status=status/>
            <IceServers status=status/>
            <DeviceFacts/>
        </section>
    }
}

#[component]
fn LanguagePicker() -> impl IntoView {
    let locale = use_locale();
    let t = move || SettingsMsg::of(locale.get());
    view! {
        <div class="field language">
            <label for="language">{move || t().language}</label>
            <select
                id="language"
                aria-describedby="language-hint"
                prop:value=move || if locale.get() == Locale::Zh { "zh" } else { "en" }
                on:change=move |ev| set_locale(locale, Locale::parse(&event_target_value(&ev)).unwrap_or_default())
            >
                // each language is named in itself, so anyone can find theirs
                <option value="en" lang="en" selected={move || locale.get() == Locale::En}>"English"</option>
                <option value="zh" lang="zh-CN" selected={move || locale.get() == Locale::Zh}>"简体中文"</option>
            </select>
            <span id="language-hint" class="hint">{move || t().language_hint}</span>
        </div>
    }
}

#[component]
fn DeviceFacts() -> impl IntoView {
    let locale = use_locale();
    let t = move || SettingsMsg::of(locale.get());
    let s = services();
    view! {
        <h2>{move || t().device}</h2>
        <dl class="facts">
            <dt>{move || t().workspace}</dt>
            <dd><code>{s.keys.workspace.to_string()}</code></dd>
            <dt>{move || t().device_id}</dt>
            <dd><code>{s.store.device.to_string()}</code></dd>
        </dl>
    }
}

/// STUN/TURN servers for peer-to-peer connections (none: devices connect on a LAN only).
#[component]
fn IceServers(status: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || SettingsMsg::of(locale.get());
    let current = Memo::new(move |_| app.settings.with(|s| s.ice_servers.join("\n")));
    let direct = RwSignal::new(crate::platform::peers::enabled());
    view! {
        <h2>{move || t().peer_to_peer}</h2>
        <div class="field checkbox">
            <label>
                <input type="checkbox" prop:checked=move || direct.get() on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    crate::platform::peers::set_enabled(on);
                    direct.set(on);
                }/>
                " " {move || t().p2p_on}
            </label>
            <span class="hint">{move || t().p2p_hint}</span>
        </div>
        <div class="field">
            <label for="ice-servers">{move || t().ice_servers}</label>
            <textarea id="ice-servers" rows="3" aria-describedby="ice-hint" prop:value=move || current.get()
                on:change=move |ev| {
                    let lines: Vec<String> = event_target_value(&ev).lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
                    if let Some(bad) = lines.iter().find(|l| !(l.starts_with("stun:") || l.starts_with("turn:") || l.starts_with("turns:"))) {
                        app.error.set(Some(fill(t().ice_bad, &[bad])));
                        return;
                    }
                    save(app, status, move |s| {
                        s.ice_servers = lines;
                        Ok(())
                    });
                }></textarea>
            <span id="ice-hint" class="hint">{move || t().ice_hint}</span>
        </div>
    }
}

#[component]
fn DefaultCurrency(status: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || SettingsMsg::of(locale.get());
    let current = Memo::new(move |_| app.settings.with(|s| s.currency.clone()));
    let options = move || {
        let cur = current.get();
        let mut v: Vec<String> = CURRENCIES.iter().map(|c| c.to_string()).collect();
        if !cur.is_empty() && !v.contains(&cur) {
            v.push(cur);
        }
        v
    };
    view! {
        <h2>{move || t().currency}</h2>
        <div class="field currency">
            <label for="currency">{move || t().currency}</label>
            <select
                id="currency"
                aria-describedby="currency-hint"
                prop:value=move || current.get()
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    save(app, status, move |s| {
                        s.currency = v;
                        Ok(())
                    });
                }
            >
                {move || {
                    let cur = current.get();
                    options().into_iter().map(|c| view! { <option selected={c == cur} value=c.clone()>{c.clone()}</option> }).collect_view()
                }}
            </select>
            <span id="currency-hint" class="hint">{move || t().currency_hint}</span>
        </div>
    }
}

/// Marketing spend per month, for the cost figures of the 6C scorecard on the Analytics page.
#[component]
fn MarketingCosts(status: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || SettingsMsg::of(locale.get());
    let rows = Memo::new(move |_| {
        app.settings.with(|s| (s.currency.clone(), s.marketing_costs.iter().rev().map(|(m, a)| (m.clone(), *a)).collect::<Vec<_>>()))
    });
    let month = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let problem = RwSignal::new(false);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let m = month.get_untracked();
        let valid_month = m.len() == 7 && crm_core::dates::parse_ymd(&format!("{m}-01")).is_some();
        let minor = amount.get_untracked().replace(',', "").trim().parse::<f64>().ok().filter(|a| *a >= 0.0 && a.is_finite());
        let (true, Some(minor)) = (valid_month, minor) else {
            problem.set(true);
            return;
        };
        problem.set(false);
        month.set(String::new());
        amount.set(String::new());
        save(app, status, move |s| {
            s.marketing_costs.insert(m, (minor * 100.0).round() as i64);
            Ok(())
        });
    };
    view! {
        <h2 id="marketing-heading">{move || t().marketing}</h2>
        <p class="hint">{move || t().marketing_hint}</p>
        <form class="add-cost" on:submit=add>
            <div class="field">
                <label for="cost-month">{move || t().marketing_month}</label>
                <input id="cost-month" type="month" prop:value=move || month.get() on:input=move |ev| month.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="cost-amount">{move || t().marketing_amount}</label>
                <input id="cost-amount" type="number" min="0" step="0.01" prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev))/>
            </div>
            {move || problem.get().then(|| view! { <p class="error" role="alert">{t().cost_invalid}</p> })}
            <button type="submit">{move || t().add_cost}</button>
        </form>
        <ul class="cost-rows" aria-label=move || t().costs>
            {move || {
                let (currency, rows) = rows.get();
                rows.into_iter()
                    .map(|(m, a)| {
                        let label = fill(t().remove_cost, &[&m]);
                        let key = m.clone();
                        view! {
                            <li>
                                <span class="month">{m.clone()}</span>
                                <span class="amount">{crate::i18n::format::money(locale.get(), a, &currency)}</span>
                                <button type="button" class="remove" aria-label=label on:click=move |_| {
                                    let key = key.clone();
                                    save(app, status, move |s| {
                                        s.marketing_costs.remove(&key);
                                        Ok(())
                                    });
                                }>"×"</button>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

/// A text or number box that saves when the person leaves it (or presses Enter).
#[component]
fn CommitInput(
    #[prop(into)] id: String,
    #[prop(into)] label: Signal<String>,
    #[prop(into)] value: Signal<String>,
    #[prop(into, default = Signal::from(String::new()))] placeholder: Signal<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] min: Option<&'static str>,
    #[prop(optional)] max: Option<&'static str>,
    on_commit: Callback<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id.clone()>{move || label.get()}</label>
            <input
                id=id
                type=input_type
                min=min
                max=max
                placeholder=move || placeholder.get()
                prop:value=move || value.get()
                on:change=move |ev| on_commit.run(event_target_value(&ev))
            />
        </div>
    }
}

#[component]
fn PipelinesEditor(status: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || SettingsMsg::of(locale.get());
    let ids = Memo::new(move |_| app.settings.with(|s| s.pipelines_sorted().into_iter().map(|(id, _)| id.clone()).collect::<Vec<_>>()));
    let new_name = RwSignal::new(String::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = new_name.get_untracked().trim().to_string();
        if name.is_empty() {
            return;
        }
        new_name.set(String::new());
        save(app, status, move |s| {
            let order = s.pipelines.values().map(|p| p.order).max().unwrap_or(0) + 1;
            // the closing columns come with it, under their built-in names
            let closing = |id: &str, p, outcome: &str| Stage { id: id.into(), name: String::new(), probability: p, outcome: outcome.into() };
            s.pipelines.insert(new_id(), Pipeline { name, order, stages: vec![closing("won", 100, "won"), closing("lost", 0, "lost")] });
            Ok(())
        });
    };
    view! {
        <For each=move || ids.get() key=|id| id.clone() let:pid>
            <PipelineEditor pid=pid status=status/>
        </For>
        <form class="row add-row" on:submit=add>
            <div class="field grow">
                <label for="new-pipeline">{move || t().new_pipeline}</label>
                <input id="new-pipeline" type="text" prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev))/>
            </div>
            <button type="submit">{move || t().add_pipeline}</button>
        </form>
    }
}

#[component]
fn PipelineEditor(pid: String, status: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || SettingsMsg::of(locale.get());
    let p1 = pid.clone();
    let pipeline = Memo::new(move |_| app.settings.with(|s| s.pipelines.get(&p1).cloned()));
    let p2 = pid.clone();
    let title = move || pipeline.with(|p| p.as_ref().map(|p| pipeline_name(locale.get(), &p2, p)).unwrap_or_default());
    let stage_ids = Memo::new(move |_| pipeline.with(|p| p.as_ref().map(|p| p.stages.iter().map(|s| s.id.clone()).collect::<Vec<_>>()).unwrap_or_default()));
    let (heading, heading_ref) = (format!("pl-{pid}"), format!("pl-{pid}"));
    let p3 = pid.clone();
    let rename = Callback::new(move |name: String| {
        let pid = p3.clone();
        save(app, status, move |s| {
            if let Some(p) = s.pipelines.get_mut(&pid) {
                p.name = name.trim().to_string();
            }
            Ok(())
        });
    });
    let new_stage = RwSignal::new(String::new());
    let p4 = pid.clone();
    let add_stage = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = new_stage.get_untracked().trim().to_string();
        if name.is_empty() {
            return;
        }
        new_stage.set(String::new());
        let pid = p4.clone();
        save(app, status, move |s| {
            if let Some(p) = s.pipelines.get_mut(&pid) {
                // before the closing (won / lost) stages, with the last open stage's odds
                let at = p.stages.iter().position(|s| !s.outcome.is_empty()).unwrap_or(p.stages.len());
                let probability = at.checked_sub(1).map(|i| p.stages[i].probability).unwrap_or(10);
                p.stages.insert(at, Stage { id: new_id(), name, probability, outcome: String::new() });
            }
            Ok(())
        });
    };
    let p5 = pid.clone();
    let name_value = Signal::derive(move || pipeline.with(|p| p.as_ref().map(|p| p.name.clone()).unwrap_or_default()));
    let name_placeholder = Signal::derive(move || builtin_name(locale.get(), &p5));
    let stages_heading = format!("pl-{pid}-stages");
    let (new_id_attr, pid_for_rows) = (format!("new-stage-{pid}"), pid.clone());
    view! {
        <section class="pipeline-editor" aria-labelledby=heading_ref>
            <h3 id=heading>{title.clone()}</h3>
            <CommitInput
                id=format!("pl-{pid}-name")
                label=Signal::derive(move || t().pipeline_name.to_string())
                value=name_value
                placeholder=name_placeholder
                on_commit=rename
            />
            <h4 id=stages_heading.clone()>{move || fill(t().stages_of, &[&title()])}</h4>
            <ol class="stage-rows" aria-labelledby=stages_heading>
                <For each=move || stage_ids.get() key=|id| id.clone() let:sid>
                    <StageRow pid=pid_for_rows.clone() sid=sid stage_ids=stage_ids status=status/>
                </For>
            </ol>
            <form class="row add-row" on:submit=add_stage>
                <div class="field grow">
                    <label for=new_id_attr.clone()>{move || t().new_stage}</label>
                    <input id=new_id_attr type="text" prop:value=move || new_stage.get() on:input=move |ev| new_stage.set(event_target_value(&ev))/>
                </div>
                <button type="submit">{move || t().add_stage}</button>
            </form>
        </section>
    }
}

#[component]
fn StageRow(pid: String, sid: String, stage_ids: Memo<Vec<String>>, status: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || SettingsMsg::of(locale.get());
    let (p, s) = (pid.clone(), sid.clone());
    let stage = Memo::new(move |_| app.settings.with(|st| st.stage(&p, &s).cloned()).unwrap_or_default());
    let s = sid.clone();
    let index = Memo::new(move |_| stage_ids.with(|ids| ids.iter().position(|x| *x == s).unwrap_or(0)));
    let last = Memo::new(move |_| stage_ids.with(|ids| ids.len().saturating_sub(1)));
    let (p, s) = (pid.clone(), sid.clone());
    let deals_here = Memo::new(move |_| {
        app.summaries.with(|all| all.iter().filter(|c| !c.is_deleted()).flat_map(|c| c.deals.iter()).filter(|d| d.pipeline == p && d.stage == s).count())
    });
    // one change to this stage, found by id (its position may have changed meanwhile)
    let change = {
        let (pid, sid) = (pid.clone(), sid.clone());
        move |f: ListChange<Stage>| {
            let (pid, sid) = (pid.clone(), sid.clone());
            save(app, status, move |s| {
                if let Some(p) = s.pipelines.get_mut(&pid) {
                    if let Some(i) = p.stages.iter().position(|x| x.id == sid) {
                        f(&mut p.stages, i);
                    }
                }
                Ok(())
            });
        }
    };
    let (c1, c2, c3, c4, c5, c6) = (change.clone(), change.clone(), change.clone(), change.clone(), change.clone(), change);
    let up = move |_| c4(Box::new(|st: &mut Vec<Stage>, i: usize| if i > 0 { st.swap(i - 1, i) }));
    let down = move |_| c5(Box::new(|st: &mut Vec<Stage>, i: usize| if i + 1 < st.len() { st.swap(i, i + 1) }));
    let remove = move |_| c6(Box::new(|st: &mut Vec<Stage>, i: usize| { st.remove(i); }));
    let is_first = move || index.get() == 0;
    let is_last = move || index.get() >= last.get();
    let has_deals = move || deals_here.get() > 0;
    let base = format!("st-{pid}-{sid}");
    let s2 = sid.clone();
    let placeholder = Signal::derive(move || builtin_name(locale.get(), &s2));
    view! {
        <li>
            <fieldset class="stage-row">
                <legend>{move || fill(t().stage_n, &[&(index.get() + 1)])}</legend>
                <CommitInput
                    id=format!("{base}-name")
                    label=Signal::derive(move || t().stage_name.to_string())
                    value=Signal::derive(move || stage.with(|s| s.name.clone()))
                    placeholder=placeholder
                    on_commit=Callback::new(move |v: String| c1(Box::new(move |st, i| st[i].name = v.trim().to_string())))
                />
                <CommitInput
                    id=format!("{base}-prob")
                    label=Signal::derive(move || t().probability.to_string())
                    value=Signal::derive(move || stage.with(|s| s.probability.to_string()))
                    input_type="number"
                    min="0"
                    max="100"
                    on_commit=Callback::new(move |v: String| {
                        if let Ok(n) = v.trim().parse::<f64>() {
                            let n = n.round().clamp(0.0, 100.0) as i64;
                            c2(Box::new(move |st, i| st[i].probability = n));
                        }
                    })
                />
                <div class="field">
                    <label for=format!("{base}-outcome")>{move || t().outcome}</label>
                    <select
                        id=format!("{base}-outcome")
                        prop:value=move || stage.with(|s| s.outcome.clone())
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            c3(Box::new(move |st, i| st[i].outcome = v));
                        }
                    >
                        <option value="" selected={move || stage.with(|s| s.outcome.is_empty())}>{move || t().outcome_open}</option>
                        <option value="won" selected={move || stage.with(|s| s.outcome == "won")}>{move || t().outcome_won}</option>
                        <option value="lost" selected={move || stage.with(|s| s.outcome == "lost")}>{move || t().outcome_lost}</option>
                    </select>
                </div>
                <div class="row stage-actions">
                    <button type="button" disabled=is_first on:click=up>{move || t().move_up}</button>
                    <button type="button" disabled=is_last on:click=down>{move || t().move_down}</button>
                    <button type="button" class="danger" disabled=has_deals aria-describedby=format!("{base}-deals") on:click=remove>
                        {move || t().remove_stage}
                    </button>
                </div>
                <span id=format!("{base}-deals") class="hint">
                    {move || (deals_here.get() > 0).then(|| fill(t().stage_has_deals, &[&deals_here.get()]))}
                </span>
            </fieldset>
        </li>
    }
}

/// A key for a new custom field: readable from its label when it can be, unique always.
fn field_key(label: &str, taken: &TeamSettings) -> String {
    let slug: String = label
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    if !slug.is_empty() && !taken.custom_fields.contains_key(&slug) {
        slug
    } else {
        format!("field_{}", &new_id()[..8])
    }
}

fn kind_name(l: Locale, kind: &str) -> &'static str {
    let t = SettingsMsg::of(l);
    match kind {
        "number" => t.kind_number,
        "date" => t.kind_date,
        "choice" => t.kind_choice,
        _ => t.kind_text,
    }
}

#[component]
fn CustomFields(status: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || SettingsMsg::of(locale.get());
    let fields = Memo::new(move |_| {
        app.settings.with(|s| {
            let mut v: Vec<(String, CustomFieldDef)> = s.custom_fields.iter().map(|(k, f)| (k.clone(), f.clone())).collect();
            v.sort_by(|a, b| (a.1.order, &a.1.label).cmp(&(b.1.order, &b.1.label)));
            v
        })
    });
    let label = RwSignal::new(String::new());
    let kind = RwSignal::new("text".to_string());
    let choices = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<&'static str>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let tt = SettingsMsg::of(locale.get_untracked());
        let name = label.get_untracked().trim().to_string();
        if name.is_empty() {
            problem.set(Some(tt.needs_label));
            return;
        }
        if app.settings.with_untracked(|s| s.custom_fields.values().any(|f| f.label.trim().eq_ignore_ascii_case(&name))) {
            problem.set(Some(tt.field_exists));
            return;
        }
        problem.set(None);
        let k = kind.get_untracked();
        let list: Vec<String> = if k == "choice" {
            choices.get_untracked().split([',', '，', '\n']).map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect()
        } else {
            Vec::new()
        };
        label.set(String::new());
        choices.set(String::new());
        save(app, status, move |s| {
            let key = field_key(&name, s);
            let order = s.custom_fields.values().map(|f| f.order).max().unwrap_or(0) + 1;
            s.custom_fields.insert(key, CustomFieldDef { label: name, kind: k, choices: list, order });
            Ok(())
        });
    };
    let remove = move |key: String| {
        save(app, status, move |s| {
            s.custom_fields.remove(&key);
            Ok(())
        });
    };
    view! {
        <h2>{move || t().custom_fields}</h2>
        {move || fields.with(|f| f.is_empty()).then(|| view! { <p class="empty">{move || t().custom_fields_empty}</p> })}
        <ul class="custom-fields" aria-label=move || t().custom_fields>
            <For each=move || fields.get() key=|(k, f)| (k.clone(), f.label.clone(), f.kind.clone(), f.choices.clone()) let:item>
                {
                    let (key, f) = item;
                    let label_for_button = f.label.clone();
                    let kind = f.kind.clone();
                    let choices = f.choices.join(", ");
                    view! {
                        <li class="custom-field">
                            <span class="name">{f.label.clone()}</span>
                            <span class="meta">{move || kind_name(locale.get(), &kind)}</span>
                            {(!choices.is_empty()).then(|| view! { <span class="meta">{choices.clone()}</span> })}
                            <button
                                type="button"
                                class="danger"
                                aria-label=move || fill(t().remove_field, &[&label_for_button])
                                on:click=move |_| remove(key.clone())
                            >
                                {move || crate::i18n::common::Common::of(locale.get()).remove}
                            </button>
                        </li>
                    }
                }
            </For>
        </ul>
        <form class="add-field" on:submit=add>
            <div class="field">
                <label for="field-label">{move || t().field_label}</label>
                <input id="field-label" type="text" prop:value=move || label.get() on:input=move |ev| label.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="field-kind">{move || t().field_kind}</label>
                <select id="field-kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                    {crm_core::workspace::CUSTOM_FIELD_KINDS
                        .into_iter()
                        .map(|k| view! { <option value=k>{move || kind_name(locale.get(), k)}</option> })
                        .collect_view()}
                </select>
            </div>
            <Show when=move || { kind.get() == "choice" }>
                <div class="field">
                    <label for="field-choices">{move || t().choices}</label>
                    <input id="field-choices" type="text" prop:value=move || choices.get() on:input=move |ev| choices.set(event_target_value(&ev))/>
                </div>
            </Show>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
            <button type="submit">{move || t().add_field}</button>
        </form>
    }
}

#[component]
fn LoyaltyTiers(status: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || SettingsMsg::of(locale.get());
    let ids = Memo::new(move |_| {
        app.settings.with(|s| {
            let mut v: Vec<&Tier> = s.tiers.iter().collect();
            v.sort_by_key(|t| (t.min_points, t.id.clone()));
            v.into_iter().map(|t| t.id.clone()).collect::<Vec<_>>()
        })
    });
    let name = RwSignal::new(String::new());
    let min = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<&'static str>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let n = name.get_untracked().trim().to_string();
        if n.is_empty() {
            problem.set(Some(SettingsMsg::of(locale.get_untracked()).needs_label));
            return;
        }
        problem.set(None);
        let points = min.get_untracked().trim().parse::<f64>().map(|p| p.round() as i64).unwrap_or(0).max(0);
        name.set(String::new());
        min.set(String::new());
        save(app, status, move |s| {
            s.tiers.push(Tier { id: new_id(), name: n, min_points: points });
            Ok(())
        });
    };
    view! {
        <h2>{move || t().tiers}</h2>
        <p class="hint">{move || t().tiers_hint}</p>
        <ol class="tier-rows">
            <For each=move || ids.get() key=|id| id.clone() let:tid>
                <TierRow tid=tid ids=ids status=status/>
            </For>
        </ol>
        <form class="add-tier" on:submit=add>
            <div class="field">
                <label for="new-tier">{move || t().new_tier}</label>
                <input id="new-tier" type="text" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="new-tier-min">{move || t().min_points}</label>
                <input id="new-tier-min" type="number" min="0" step="1" prop:value=move || min.get() on:input=move |ev| min.set(event_target_value(&ev))/>
            </div>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
            <button type="submit">{move || t().add_tier}</button>
        </form>
    }
}

#[component]
fn TierRow(tid: String, ids: Memo<Vec<String>>, status: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let locale = use_locale();
    let t = move || SettingsMsg::of(locale.get());
    let id = tid.clone();
    let tier = Memo::new(move |_| app.settings.with(|s| s.tiers.iter().find(|t| t.id == id).cloned()).unwrap_or_default());
    let id = tid.clone();
    let index = Memo::new(move |_| ids.with(|v| v.iter().position(|x| *x == id).unwrap_or(0)));
    let change = {
        let tid = tid.clone();
        move |f: ListChange<Tier>| {
            let tid = tid.clone();
            save(app, status, move |s| {
                if let Some(i) = s.tiers.iter().position(|t| t.id == tid) {
                    f(&mut s.tiers, i);
                }
                Ok(())
            });
        }
    };
    let (c1, c2, c3) = (change.clone(), change.clone(), change);
    let remove = move |_| c3(Box::new(|ts: &mut Vec<Tier>, i: usize| { ts.remove(i); }));
    let base = format!("tier-{tid}");
    let id = tid.clone();
    let placeholder = Signal::derive(move || builtin_name(locale.get(), &id));
    view! {
        <li>
            <fieldset class="tier-row">
                <legend>{move || fill(t().tier_n, &[&(index.get() + 1)])}</legend>
                <CommitInput
                    id=format!("{base}-name")
                    label=Signal::derive(move || t().tier_name.to_string())
                    value=Signal::derive(move || tier.with(|t| t.name.clone()))
                    placeholder=placeholder
                    on_commit=Callback::new(move |v: String| c1(Box::new(move |ts, i| ts[i].name = v.trim().to_string())))
                />
                <CommitInput
                    id=format!("{base}-min")
                    label=Signal::derive(move || t().min_points.to_string())
                    value=Signal::derive(move || tier.with(|t| t.min_points.to_string()))
                    input_type="number"
                    min="0"
                    on_commit=Callback::new(move |v: String| {
                        if let Ok(n) = v.trim().parse::<f64>() {
                            let n = (n.round() as i64).max(0);
                            c2(Box::new(move |ts, i| ts[i].min_points = n));
                        }
                    })
                />
                <button type="button" class="danger" on:click=remove>
                    {move || t().remove_tier}
                </button>
            </fieldset>
        </li>
    }
}
