// The figures of one `cargo xtask bench` run: ours beside the comparator's (automerge-repo and
// its sync server, measured in the same run), their ratio, and our budget (DESIGN.md section
// 10). Printed as a table and written as JSON (bench/README.md, "Reading the output").
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const KB = 1024;
export const MB = 1024 * 1024;

/** Nearest-rank percentile. */
export function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

const round = (x) => (x == null || Number.isInteger(x) ? x : Math.round(x * 100) / 100);

export function fmt(v, unit) {
  if (v == null) return 'n/a';
  switch (unit) {
    case 'ms':
      return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`;
    case 'bytes':
      return v >= MB ? `${(v / MB).toFixed(1)} MB` : v >= 10 * KB ? `${(v / KB).toFixed(1)} kB` : `${v} B`;
    default:
      return `${Number.isInteger(v) ? v : v.toFixed(1)}${unit ? ` ${unit}` : ''}`;
  }
}

/**
 * The ratio comparator / ours, so that above 1 means we are better: for figures where lower is
 * better (times, bytes, round trips). Where higher is better (throughput, scores) it is
 * ours / comparator, for the same reading. Null when either is missing or the divisor is 0.
 */
export function ratio(ours, comparator, better = 'lower') {
  if (ours == null || comparator == null) return null;
  const [num, den] = better === 'higher' ? [ours, comparator] : [comparator, ours];
  return den === 0 ? null : Math.round((num / den) * 100) / 100;
}

export class Results {
  constructor() {
    /** id -> { name, unit, budget, better } */
    this.defs = {};
    this.figures = [];
  }

  /** Declares figures: `{ id: [name, unit, budget, better?] }`; budget null = none. */
  define(defs) {
    for (const [id, [name, unit, budget, better]] of Object.entries(defs)) {
      this.defs[id] = { name, unit, budget, better: better ?? 'lower' };
    }
    return Object.keys(defs);
  }

  has(id) {
    return this.figures.some((f) => f.id === id);
  }

  /**
   * Records figure `id`: our `value` and the `comparator`'s (null: not measured, or the
   * comparator cannot do it; `note` / `comparator_note` say why). Extra keys are kept.
   */
  record(id, { value, comparator = null, stat, samples, comparator_samples, note, comparator_note, extra } = {}) {
    const d = this.defs[id];
    if (!d) throw new Error(`bench: figure ${id} is not defined`);
    const ours = round(value ?? null);
    const other = round(comparator ?? null);
    const f = {
      id,
      name: d.name,
      unit: d.unit,
      ours,
      comparator: other,
      ratio: ratio(ours, other, d.better),
      budget: d.budget,
      over_budget: d.budget == null || ours == null ? null : d.better === 'higher' ? ours < d.budget : ours > d.budget,
      better: d.better,
    };
    if (stat) f.stat = stat;
    if (samples) f.samples = samples.map(round);
    if (comparator_samples) f.comparator_samples = comparator_samples.map((x) => (x == null ? null : round(x)));
    if (note) f.note = note;
    if (comparator_note) f.comparator_note = comparator_note;
    if (extra) f.extra = extra;
    const i = this.figures.findIndex((x) => x.id === id);
    if (i >= 0) this.figures[i] = f;
    else this.figures.push(f);
    const budget = d.budget == null ? '' : ` (budget ${fmt(d.budget, d.unit)})`;
    const cmp = other == null ? '' : `; automerge-repo ${fmt(other, d.unit)}, ratio ${f.ratio ?? 'n/a'}`;
    console.log(`    ${d.name}: ${fmt(ours, d.unit)}${budget} ${mark(f)}${cmp}${note ? ` — ${note}` : ''}`);
    if (comparator_note) console.log(`      automerge-repo: ${comparator_note}`);
    return f;
  }

  /**
   * Defines and records a figure measured by a module of its own (bench/lib/load.mjs):
   * `{ id, name, unit, ours, comparator, note, comparator_note, extra, budget, better }`.
   */
  add({ id, name, unit, ours, comparator, budget = null, better, ...rest }) {
    this.define({ [id]: [name, unit, budget, better ?? (/\/s$/.test(unit) ? 'higher' : 'lower')] });
    return this.record(id, { value: ours, comparator, ...rest });
  }

  /** Records the figures of `ids` not recorded yet as not measured, saying why. */
  notMeasured(ids, why) {
    for (const id of ids) if (!this.has(id)) this.record(id, { value: null, note: why, comparator_note: why });
  }

  /** Sets the comparator's side of a recorded figure (measured in a later step). */
  comparator(id, value, { note, samples } = {}) {
    const f = this.figures.find((x) => x.id === id);
    if (!f) return;
    f.comparator = round(value ?? null);
    f.ratio = ratio(f.ours, f.comparator, f.better);
    if (note) f.comparator_note = note;
    if (samples) f.comparator_samples = samples.map((x) => (x == null ? null : round(x)));
  }

  table() {
    const rows = this.figures.map((f) => [
      f.name,
      fmt(f.ours, f.unit),
      fmt(f.comparator, f.unit),
      f.ratio == null ? '-' : `${f.ratio.toFixed(2)}x`,
      f.budget == null ? '-' : fmt(f.budget, f.unit),
      mark(f),
    ]);
    const head = ['figure', 'ours', 'automerge-repo', 'ratio', 'budget', ''];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r) => r.map((c, i) => (i >= 1 && i <= 4 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
    console.log('\n==> Results: ours beside automerge-repo (ratio = how many times better we are; budgets: DESIGN.md section 10)\n');
    console.log(`    ${line(head)}`);
    console.log(`    ${w.map((n) => '-'.repeat(n)).join('  ')}`);
    for (const r of rows) console.log(`    ${line(r)}`);
    const over = this.figures.filter((f) => f.over_budget).map((f) => f.name);
    const missing = this.figures.filter((f) => f.ours == null).map((f) => f.name);
    console.log(`\n    ${over.length} over budget${over.length ? `: ${over.join('; ')}` : ''}`);
    if (missing.length) console.log(`    ${missing.length} not measured: ${missing.join('; ')}`);
  }

  /** Writes `{ run, figures, problems }` to `file` (its directory is made). */
  async write(file, run, problems) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify({ run, figures: this.figures, problems }, null, 2)}\n`);
  }
}

/** OVER / OK against the budget; NOT MEASURED without our value; empty without a budget. */
export function mark(f) {
  if (f.ours == null) return 'NOT MEASURED';
  if (f.over_budget == null) return '';
  return f.over_budget ? 'OVER' : 'OK';
}
