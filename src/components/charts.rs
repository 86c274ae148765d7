//! Small charts drawn with HTML and SVG, no chart crate: a list of horizontal bars, a
//! histogram, a 5x5 heat grid (RFM), a monthly trend line with gaps, and stacked monthly
//! columns. Every chart carries its numbers as text (never colour alone) and is readable by a
//! screen reader: lists and tables of links, or an SVG `role="img"` with a spoken summary.
//! SVGs scale with `viewBox` and `width: 100%`, so they fit a 390 px phone.

use leptos::prelude::*;

/// One horizontal bar: its label, value (for the length), the value as shown, and where a
/// click goes (the customers behind it).
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub shown: String,
    pub href: Option<String>,
    /// a `data-key` for tests and styling
    pub key: String,
    /// a second line under the label (empty: none)
    pub meta: String,
}

fn share(v: f64, max: f64) -> f64 {
    if max > 0.0 && v > 0.0 {
        (v / max * 100.0).clamp(1.5, 100.0)
    } else {
        0.0
    }
}

/// A list of horizontal bars, longest value = full width. Each bar is a link when it has one.
#[component]
pub fn BarList(#[prop(into)] label: String, bars: Vec<Bar>) -> impl IntoView {
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    view! {
        <ul class="bar-list" aria-label=label>
            {bars
                .into_iter()
                .map(|b| {
                    let width = format!("width: {:.1}%", share(b.value, max));
                    let inner = view! {
                        <span class="bar-label">
                            {b.label.clone()}
                            {(!b.meta.is_empty()).then(|| view! { <span class="bar-meta">{b.meta.clone()}</span> })}
                        </span>
                        <span class="bar-value">{b.shown.clone()}</span>
                        <span class="bar-track" aria-hidden="true"><span class="bar-fill" style=width></span></span>
                    };
                    let row = match b.href {
                        Some(h) => view! { <a class="bar-row" href=h>{inner}</a> }.into_any(),
                        None => view! { <span class="bar-row">{inner}</span> }.into_any(),
                    };
                    view! { <li data-key=b.key>{row}</li> }
                })
                .collect_view()}
        </ul>
    }
}

/// One column of a histogram: a short axis label, the full accessible name ("$0 to $50: 12
/// customers"), the value and how it is shown, and its link.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub axis: String,
    pub name: String,
    pub value: f64,
    pub shown: String,
    pub href: Option<String>,
}

/// Vertical columns side by side; each one a link named by its range and count.
#[component]
pub fn Histogram(#[prop(into)] label: String, columns: Vec<Column>) -> impl IntoView {
    let max = columns.iter().map(|c| c.value).fold(0.0, f64::max);
    view! {
        <ul class="histogram" aria-label=label>
            {columns
                .into_iter()
                .map(|c| {
                    let height = format!("height: {:.1}%", share(c.value, max));
                    let inner = view! {
                        <span class="h-count" aria-hidden="true">{c.shown.clone()}</span>
                        <span class="h-track" aria-hidden="true"><span class="h-fill" style=height></span></span>
                        <span class="h-axis" aria-hidden="true">{c.axis.clone()}</span>
                    };
                    let col = match c.href {
                        Some(h) => view! { <a class="h-col" href=h aria-label=c.name.clone()>{inner}</a> }.into_any(),
                        None => view! { <span class="h-col" role="img" aria-label=c.name.clone()>{inner}</span> }.into_any(),
                    };
                    view! { <li>{col}</li> }
                })
                .collect_view()}
        </ul>
    }
}

/// One cell of a heat grid.
#[derive(Clone, Debug, PartialEq)]
pub struct HeatCell {
    pub count: u32,
    pub shown: String,
    /// the cell's accessible name ("Recency 5, frequency-monetary 4: 120 customers")
    pub name: String,
    pub href: Option<String>,
    /// `data-cell` ("5,4")
    pub key: String,
}

/// A table whose cells are shaded by their count; each cell a link to its customers.
#[component]
pub fn HeatGrid(
    #[prop(into)] caption: String,
    /// the corner cell: what rows and columns are ("R \\ FM")
    #[prop(into)]
    corner: String,
    columns: Vec<String>,
    rows: Vec<(String, Vec<HeatCell>)>,
) -> impl IntoView {
    let max = rows.iter().flat_map(|(_, r)| r.iter().map(|c| c.count)).max().unwrap_or(0).max(1) as f64;
    view! {
        <table class="heat">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col" class="corner">{corner}</th>
                    {columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|(head, cells)| {
                        view! {
                            <tr>
                                <th scope="row">{head}</th>
                                {cells
                                    .into_iter()
                                    .map(|c| {
                                        let pct = (c.count as f64 / max * 85.0).round() as u32;
                                        let style = format!("--heat: {pct}%");
                                        let dark = pct > 45;
                                        let inner = match c.href {
                                            Some(h) if c.count > 0 => {
                                                view! { <a href=h aria-label=c.name.clone()>{c.shown.clone()}</a> }.into_any()
                                            }
                                            _ => view! { <span aria-label=c.name.clone()>{c.shown.clone()}</span> }.into_any(),
                                        };
                                        view! { <td style=style class:dark=dark data-cell=c.key>{inner}</td> }
                                    })
                                    .collect_view()}
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// One point of a monthly trend: the axis label ("Sep"), the full name ("Sep 1997"), the
/// value (None: no data that month) and how it is shown.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub axis: String,
    pub name: String,
    pub value: Option<f64>,
    pub shown: String,
}

const W: f64 = 360.0;
const LEFT: f64 = 34.0;
const RIGHT: f64 = 352.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 132.0;
const H: f64 = 156.0;

fn x_of(i: usize, n: usize) -> f64 {
    if n <= 1 {
        (LEFT + RIGHT) / 2.0
    } else {
        LEFT + (RIGHT - LEFT) * (i as f64 + 0.5) / n as f64
    }
}

/// A line over months between `min` and `max`; months without data break the line and show
/// a dash. `summary` is spoken before the values ("NPS by month").
#[component]
pub fn Trend(
    #[prop(into)] summary: String,
    points: Vec<Point>,
    min: f64,
    max: f64,
    /// the y-axis labels (min, middle, max) as shown
    ticks: [String; 3],
    /// the text said for a month without data
    #[prop(into)]
    missing: String,
) -> impl IntoView {
    let n = points.len();
    let y_of = move |v: f64| BOTTOM - (v.clamp(min, max) - min) / (max - min).max(1e-9) * (BOTTOM - TOP);
    let spoken = format!(
        "{summary}: {}",
        points
            .iter()
            .map(|p| format!("{} {}", p.name, if p.value.is_some() { p.shown.clone() } else { missing.clone() }))
            .collect::<Vec<_>>()
            .join(", ")
    );
    // runs of consecutive months with data, each its own polyline
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for (i, p) in points.iter().enumerate() {
        match p.value {
            Some(v) => current.push((x_of(i, n), y_of(v))),
            None if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    let mid = (min + max) / 2.0;
    let grid = [(max, ticks[2].clone()), (mid, ticks[1].clone()), (min, ticks[0].clone())];
    view! {
        <svg class="chart trend" viewBox=format!("0 0 {W} {H}") role="img" aria-label=spoken preserveAspectRatio="xMidYMid meet">
            {grid
                .into_iter()
                .map(|(v, label)| {
                    let y = y_of(v);
                    view! {
                        <line class="grid" x1=LEFT y1=y x2=RIGHT y2=y></line>
                        <text class="y" x=LEFT - 4.0 y=y + 3.5>{label}</text>
                    }
                })
                .collect_view()}
            {runs
                .into_iter()
                .map(|run| {
                    let pts = run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ");
                    view! { <polyline class="line" points=pts></polyline> }
                })
                .collect_view()}
            {points
                .into_iter()
                .enumerate()
                .map(|(i, p)| {
                    let x = x_of(i, n);
                    let point = match p.value {
                        Some(v) => {
                            let y = y_of(v);
                            view! {
                                <circle class="dot" cx=x cy=y r="3"></circle>
                                <text class="v" x=x y=y - 6.0>{p.shown.clone()}</text>
                            }
                                .into_any()
                        }
                        None => view! { <text class="v missing" x=x y=BOTTOM - 4.0>"–"</text> }.into_any(),
                    };
                    view! {
                        {point}
                        <text class="x" x=x y=H - 6.0>{p.axis.clone()}</text>
                    }
                })
                .collect_view()}
        </svg>
    }
}

/// One stacked column: its axis label, full name and the parts (one per series).
#[derive(Clone, Debug, PartialEq)]
pub struct Stack {
    pub axis: String,
    pub name: String,
    pub parts: Vec<u32>,
}

/// Columns of stacked parts with a legend naming each series (by text, and a swatch whose
/// class is `s<index>`); the SVG speaks every column's parts.
#[component]
pub fn StackedBars(
    #[prop(into)] summary: String,
    #[prop(into)] legend_label: String,
    series: Vec<String>,
    stacks: Vec<Stack>,
) -> impl IntoView {
    let n = stacks.len();
    let max = stacks.iter().map(|s| s.parts.iter().sum::<u32>()).max().unwrap_or(0).max(1) as f64;
    let spoken = format!(
        "{summary}: {}",
        stacks
            .iter()
            .map(|s| {
                let parts = s
                    .parts
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| **v > 0)
                    .map(|(i, v)| format!("{} {v}", series.get(i).cloned().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("{} ({})", s.name, if parts.is_empty() { "0".to_string() } else { parts })
            })
            .collect::<Vec<_>>()
            .join("; ")
    );
    let band = (RIGHT - LEFT) / n.max(1) as f64;
    let bar_w = (band * 0.7).min(28.0);
    view! {
        <figure class="stacked">
            <svg class="chart stacked-bars" viewBox=format!("0 0 {W} {H}") role="img" aria-label=spoken>
                <line class="grid" x1=LEFT y1=BOTTOM x2=RIGHT y2=BOTTOM></line>
                <text class="y" x=LEFT - 4.0 y=TOP + 3.5>{format!("{}", max as u32)}</text>
                <text class="y" x=LEFT - 4.0 y=BOTTOM + 3.5>"0"</text>
                {stacks
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let x = x_of(i, n);
                        let mut y = BOTTOM;
                        let rects = s
                            .parts
                            .iter()
                            .enumerate()
                            .filter(|(_, v)| **v > 0)
                            .map(|(k, v)| {
                                let h = *v as f64 / max * (BOTTOM - TOP);
                                y -= h;
                                view! {
                                    <rect class=format!("s{k}") x=x - bar_w / 2.0 y=y width=bar_w height=h.max(0.5)></rect>
                                }
                            })
                            .collect_view();
                        view! {
                            {rects}
                            <text class="x" x=x y=H - 6.0>{s.axis.clone()}</text>
                        }
                    })
                    .collect_view()}
            </svg>
            <figcaption>
                <ul class="legend" aria-label=legend_label>
                    {series
                        .into_iter()
                        .enumerate()
                        .map(|(k, name)| view! {
                            <li><span class=format!("swatch s{k}") aria-hidden="true"></span>{name}</li>
                        })
                        .collect_view()}
                </ul>
            </figcaption>
        </figure>
    }
}
