// How a person uses the app, in code: every control is found by its role and accessible name
// exactly as docs/CONTRACTS.md ("UI names") writes them.
import assert from 'node:assert/strict';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Retry `check` (which throws or returns false while not yet true) until it passes. */
export async function eventually(check, { timeout = 15_000, interval = 150, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const ok = await check();
      if (ok !== false) return ok;
      last = new Error(`${what}: not yet`);
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const err = new Error(`timed out after ${timeout} ms waiting for ${what}: ${last?.message}`);
      err.cause = last;
      throw err;
    }
    await sleep(interval);
  }
}

// ---- sync status -------------------------------------------------------------------------

export const statusEl = (page) => page.getByRole('status', { name: 'Sync status' });

export async function syncStatus(page) {
  const el = statusEl(page);
  const [state, pending, text] = await Promise.all([
    el.getAttribute('data-state', { timeout: 2_000 }),
    el.getAttribute('data-pending', { timeout: 2_000 }),
    el.textContent({ timeout: 2_000 }),
  ]);
  return { state, pending: pending === null ? null : Number(pending), text: text?.trim() };
}

/** Wait until the relay has acknowledged every local change: synced and 0 pending. */
export async function waitSynced(page, { timeout = 30_000, label = '' } = {}) {
  let seen;
  await eventually(
    async () => {
      seen = await syncStatus(page);
      return seen.state === 'synced' && seen.pending === 0;
    },
    { timeout, what: `${label} sync status synced with data-pending="0" (last seen: ${JSON.stringify(seen)})` },
  );
}

/** Wait until the status is one of `states` (e.g. ['offline', 'connecting']). */
export async function waitState(page, states, { timeout = 20_000, label = '' } = {}) {
  let seen;
  await eventually(
    async () => {
      seen = await syncStatus(page);
      return states.includes(seen.state);
    },
    { timeout, what: `${label} sync status in ${JSON.stringify(states)} (last seen: ${JSON.stringify(seen)})` },
  );
  return seen;
}

// ---- navigation --------------------------------------------------------------------------

export const customersHeading = (page) => page.getByRole('heading', { name: 'Customers', exact: true });
export const customerList = (page) => page.getByRole('list', { name: 'Customer list' });

/** Open the app at the relay's URL and wait for the customer list page. */
export async function openApp(page, url) {
  await page.goto(url);
  await customersHeading(page).waitFor({ timeout: 30_000 });
}

export async function gotoCustomers(page) {
  await page.getByRole('link', { name: 'Customers', exact: true }).click();
  await customersHeading(page).waitFor();
}

/** Settings → Invites: pick the expiry ("1 day", "7 days", "30 days"), "Create invite link",
 * and return the readonly "Invite link" textbox's value (`<origin>/#invite=<64 hex>`). */
export async function readInviteLink(page, { expires = '7 days' } = {}) {
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Invite expires in', { exact: true }).selectOption({ label: expires });
  await page.getByRole('button', { name: 'Create invite link', exact: true }).click();
  const box = page.getByRole('textbox', { name: 'Invite link', exact: true });
  await box.waitFor();
  assert.ok(await box.getAttribute('readonly') !== null, 'the "Invite link" textbox is readonly');
  assert.ok(await page.getByRole('button', { name: 'Copy', exact: true }).isVisible(), 'a "Copy" button is shown');
  let link;
  await eventually(
    async () => {
      link = await box.inputValue();
      return /#invite=[0-9a-f]{64}$/.test(link);
    },
    { what: `an invite link of the form <origin>/#invite=<64 hex> (got ${JSON.stringify(link)})` },
  );
  return link;
}

/** Open an invite link on another device and wait until the app has joined (fragment removed). */
export async function joinWith(page, link) {
  await page.goto(link);
  await customersHeading(page).waitFor({ timeout: 30_000 });
  await eventually(async () => !/#(join|invite)=/.test(page.url()), { what: 'the app to remove the invite from the address bar' });
}

// ---- customers ---------------------------------------------------------------------------

/** The link of a customer in the list (its accessible name starts with the customer's name). */
export const customerLink = (page, name) =>
  customerList(page).getByRole('link', { name: new RegExp(`^\\s*${escapeRe(name)}`) });

/** Two devices of one new workspace on a fresh relay: A created it, B joined with A's invite
 * link (direct WebRTC connections only with `p2p`). Returns { relay, browser, a, b, invite }. */
export async function twoDevices(s, { p2p = false } = {}) {
  const relay = await s.relay();
  const browser = await s.browser();
  const a = await s.device(browser, 'device A', { p2p });
  const b = await s.device(browser, 'device B', { p2p });
  await openApp(a.page, relay.url);
  const invite = await readInviteLink(a.page);
  await joinWith(b.page, invite);
  return { relay, browser, a, b, invite };
}

export async function waitCustomerListed(page, name, { timeout = 15_000 } = {}) {
  await customerLink(page, name).first().waitFor({ timeout });
}

export const textbox = (page, name) => page.getByRole('textbox', { name, exact: true });

/** "New customer" → a new customer's page with "Name" focused; type the name. Returns its doc id. */
export async function createCustomer(page, name) {
  if (!(await customersHeading(page).isVisible())) await gotoCustomers(page);
  await page.getByRole('button', { name: 'New customer', exact: true }).click();
  await page.waitForURL(/\/customers\/[^/]+$/);
  const nameBox = textbox(page, 'Name');
  await eventually(async () => nameBox.evaluate((el) => el === document.activeElement), {
    what: '"Name" to be focused on a new customer page',
  });
  await page.keyboard.type(name);
  await nameBox.press('Tab'); // change/blur saves at once
  await page.getByRole('heading', { name }).waitFor();
  return new URL(page.url()).pathname.split('/').pop();
}

/** Open a customer from the list. */
export async function openCustomer(page, name) {
  if (!(await customersHeading(page).isVisible())) await gotoCustomers(page);
  await customerLink(page, name).first().click();
  await page.waitForURL(/\/customers\/[^/]+$/);
  await textbox(page, 'Name').waitFor();
}

/** Replace a field's value as a person would, then leave the field (saves at once). */
export async function setField(page, label, value) {
  const box = textbox(page, label);
  await box.fill(value);
  await box.press('Tab');
}

export async function fieldValue(page, label) {
  return textbox(page, label).inputValue();
}

export async function waitFieldValue(page, label, value, { timeout = 15_000, device = '' } = {}) {
  let seen;
  await eventually(
    async () => {
      seen = await fieldValue(page, label);
      return seen === value;
    },
    { timeout, what: `${device} "${label}" to be ${JSON.stringify(value)} (seen ${JSON.stringify(seen)})` },
  );
}

/**
 * The conflict marker beside a field: an element `.conflict[role=note]` placed between that
 * field's control and the next/previous form control in document order.
 */
export async function conflictNoteBeside(page, label) {
  const box = textbox(page, label);
  await box.waitFor();
  return box.evaluate((field) => {
    const controls = [...document.querySelectorAll('input, select, textarea')];
    const i = controls.indexOf(field);
    const prev = controls[i - 1];
    const next = controls[i + 1];
    const after = (a, b) => Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
    const notes = [...document.querySelectorAll('.conflict[role="note"]')];
    const near = notes.filter((n) => {
      if (field.contains(n)) return false;
      const lo = after(field, n) ? field : prev; // the note is after the field, or after prev
      const hi = after(field, n) ? next : field;
      return (!lo || after(lo, n)) && (!hi || after(n, hi));
    });
    return { near: near.map((n) => n.textContent.trim()), all: notes.map((n) => n.textContent.trim()) };
  });
}

// ---- customer page sections (docs/CONTRACTS.md, "Customer page") --------------------------

/** A titled section of a page (`<section aria-labelledby>`), e.g. "Deals", "Timeline". */
export const region = (page, name) => page.getByRole('region', { name, exact: true });

/** An open dialog by its title, e.g. "New deal". */
export const dialogNamed = (page, name) => page.getByRole('dialog', { name, exact: true });

/** Click `button` (a name), fill the dialog `title` that opens with `fields` ({label: value}), Save. */
export async function fillDialog(page, button, title, fields) {
  await page.getByRole('button', { name: button, exact: true }).click();
  const dialog = dialogNamed(page, title);
  await dialog.waitFor();
  for (const [label, value] of Object.entries(fields)) {
    const control = dialog.getByLabel(label, { exact: true });
    if ((await control.evaluate((el) => el.tagName)) === 'SELECT') await control.selectOption({ label: value });
    else await control.fill(value);
  }
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
}

/** The note textarea "Note <n>" (1-based, oldest first). */
export const noteBox = (page, n) => page.getByRole('textbox', { name: `Note ${n}`, exact: true });

/** Assert the page can be read without scrolling sideways at its current width. */
export async function assertNoHorizontalScroll(page, what = '') {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `${what}: the page is ${scrollWidth} px wide in a ${innerWidth} px viewport`);
}

// ---- pipeline, my tasks, trash, settings (docs/CONTRACTS.md, "Pipeline" ... "Settings") ----

/** Click a link of the main navigation and wait for that screen's heading. */
export async function gotoNav(page, link, heading = link) {
  await page.getByRole('navigation').getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { name: heading, exact: true, level: 1 }).waitFor();
}

/** A stage's column on the pipeline board (a region named by the stage). */
export const boardColumn = (page, stage) => page.getByRole('region', { name: stage, exact: true });

/** A deal's card on the pipeline board (an article named by the deal's title). */
export const dealCard = (page, title) => page.getByRole('article', { name: title, exact: true });

/** Pipeline board → "New deal" → fill the form → "Add deal"; waits for the card. */
export async function addDealOnBoard(page, { customer, title, amount = '', stage = '' }) {
  const toggle = page.getByRole('button', { name: 'New deal', exact: true });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await page.getByLabel('Customer', { exact: true }).fill(customer);
  await page.getByLabel('Deal title', { exact: true }).fill(title);
  await page.getByLabel('Amount', { exact: true }).fill(String(amount));
  if (stage) await page.getByLabel('Stage', { exact: true }).selectOption({ label: stage });
  await page.getByRole('button', { name: 'Add deal', exact: true }).click();
  await dealCard(page, title).waitFor();
}

/** `YYYY-MM-DDTHH:MM` in local time: what a datetime-local input holds. */
export function datetimeLocal(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** My tasks → "New task" → fill the form → "Add task" (due / remind: Date or undefined). */
export async function addTaskOnTasksPage(page, { customer, title, due, remind, assignee }) {
  const toggle = page.getByRole('button', { name: 'New task', exact: true });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await page.getByLabel('Customer', { exact: true }).fill(customer);
  await page.getByLabel('Task title', { exact: true }).fill(title);
  await page.getByLabel('Due', { exact: true }).fill(due ? datetimeLocal(due) : '');
  await page.getByLabel('Reminder', { exact: true }).fill(remind ? datetimeLocal(remind) : '');
  if (assignee !== undefined) await page.getByLabel('Assignee', { exact: true }).fill(assignee);
  await page.getByRole('button', { name: 'Add task', exact: true }).click();
  await page.getByRole('status').filter({ hasText: `Added “${title}”.` }).waitFor();
}

/** The open-task list of a group on My tasks: "Overdue", "Today", "Upcoming", "No date". */
export const taskGroup = (page, group) => page.getByRole('list', { name: group, exact: true });

// ---- import, export, duplicates (docs/CONTRACTS.md, "Import, export, duplicates") ---------

/** The number on the customer list's count line ("2,357 customers"), on the Customers screen. */
export async function customerCount(page) {
  await gotoNav(page, 'Customers');
  const text = (await page.locator('p.count').first().textContent()).trim();
  assert.match(text, /^[\d,]+ customers$/, `the count line names every customer (got ${JSON.stringify(text)})`);
  return Number(text.replace(/\D/g, ''));
}

/**
 * Import screen: choose what the file holds, give the file (a path, or { name, mimeType,
 * buffer }), pick the duplicate choice by its label; waits until the columns are shown.
 * Returns the file status line ("<name>: N columns · Detected: ...").
 */
export async function chooseImportFile(page, { kind = 'Customers', file, onDuplicate } = {}) {
  await gotoNav(page, 'Import');
  const again = page.getByRole('button', { name: 'Choose another file', exact: true });
  if (await again.isVisible()) await again.click();
  await page.getByRole('radio', { name: kind, exact: true }).check();
  await page.getByLabel('CSV file', { exact: true }).setInputFiles(file);
  await page.getByRole('heading', { name: 'Columns', exact: true }).waitFor({ timeout: 30_000 });
  if (onDuplicate) await page.getByRole('combobox', { name: /already/ }).selectOption({ label: onDuplicate });
  return (await page.locator('p.file-status').textContent()).trim();
}

/** The import result's summary as { 'Imported rows': 4, 'Rejected': 2, ... }. */
export async function importSummary(page) {
  return page.getByLabel('Import summary', { exact: true }).evaluate((dl) => {
    const out = {};
    for (const dt of dl.querySelectorAll('dt')) out[dt.textContent.trim()] = Number(dt.nextElementSibling.textContent.replace(/\D/g, ''));
    return out;
  });
}

/** Press "Import" and wait for "Import finished"; returns the summary. */
export async function runImport(page, { timeout = 120_000 } = {}) {
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByRole('heading', { name: 'Import finished', exact: true }).waitFor({ timeout });
  return importSummary(page);
}

/** chooseImportFile + runImport. */
export async function importFile(page, options) {
  await chooseImportFile(page, options);
  return runImport(page, options);
}

/** Click a button that downloads a file; returns { name, bytes } (bytes: a Buffer). */
export async function downloadFrom(page, buttonName) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: buttonName, exact: true }).click(),
  ]);
  const stream = await download.createReadStream();
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return { name: download.suggestedFilename(), bytes: Buffer.concat(chunks) };
}

/** A CSV file for setInputFiles, from rows of cells (UTF-8, no BOM). */
export function csvFile(name, rows) {
  const cell = (c) => (/[",\n\r]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : String(c));
  const text = rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
  return { name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') };
}

/** Settings → Team → "Your name", then back to the customer list. */
export async function setMyName(page, name) {
  await gotoNav(page, 'Settings');
  const box = textbox(page, 'Your name');
  await box.fill(name);
  await box.press('Tab');
  await page.getByRole('list', { name: 'Team' }).getByText(name, { exact: true }).waitFor();
  await gotoCustomers(page);
}
