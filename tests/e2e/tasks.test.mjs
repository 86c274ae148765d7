// My tasks: open tasks of every customer grouped by when they are due, completed with a
// checkbox, filtered by assignee; reminders fire once, as a browser notification when allowed
// and inside the app otherwise.
import assert from 'node:assert/strict';
import { scenario } from './lib/harness.mjs';
import {
  addTaskOnTasksPage, assertNoHorizontalScroll, createCustomer, eventually, gotoNav, openApp, sleep, taskGroup,
} from './lib/ui.mjs';

/** A device whose context has extra options (permissions, viewport), watched like the others. */
async function deviceWith(s, browser, label, options) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...options });
  s.contexts.push(context);
  const page = await context.newPage();
  s.devices.push({ label, page });
  page.on('pageerror', (err) => s.console.push(`[${label}] pageerror: ${err.message}`));
  return { label, context, page };
}

// records every `new Notification(...)` the app makes, in this page load
const RECORD_NOTIFICATIONS = () => {
  const Real = window.Notification;
  if (!Real) return;
  window.__notifications = [];
  class Recorded extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notifications.push({ title, body: options?.body ?? '' });
    }
  }
  window.Notification = Recorded;
};

const titlesIn = (page, group) => taskGroup(page, group).locator('.task-title').allInnerTexts();

function at(daysFromToday, hours, minutes = 0) {
  const d = new Date();
  d.setDate(d.getDate() + daysFromToday);
  d.setHours(hours, minutes, 0, 0);
  return d;
}

scenario('open tasks are grouped overdue / today / upcoming / no date, completing one removes it', async (s) => {
  const relay = await s.relay();
  const browser = await s.browser();
  const a = await s.device(browser, 'device A');
  await openApp(a.page, relay.url);
  await createCustomer(a.page, 'Acme Trading');
  await createCustomer(a.page, 'Blue Sky Ltd');
  await gotoNav(a.page, 'My tasks');
  await a.page.getByText('No open tasks.', { exact: false }).waitFor();

  const now = new Date();
  const lateToday = now.getHours() === 23 && now.getMinutes() >= 58 ? null : at(0, 23, 59);
  await addTaskOnTasksPage(a.page, { customer: 'Acme Trading', title: 'Call back', due: at(-1, 9), assignee: 'Li Lei' });
  if (lateToday) await addTaskOnTasksPage(a.page, { customer: 'Blue Sky Ltd', title: 'Send quote', due: lateToday, assignee: 'Han Meimei' });
  await addTaskOnTasksPage(a.page, { customer: 'Acme Trading', title: 'Visit site', due: at(3, 10), assignee: 'Li Lei' });
  await addTaskOnTasksPage(a.page, { customer: 'Blue Sky Ltd', title: 'Write notes', assignee: '' });

  await eventually(async () => JSON.stringify(await titlesIn(a.page, 'Overdue')) === '["Call back"]', { what: 'Overdue: Call back' });
  if (lateToday) assert.deepEqual(await titlesIn(a.page, 'Today'), ['Send quote']);
  assert.deepEqual(await titlesIn(a.page, 'Upcoming'), ['Visit site']);
  assert.deepEqual(await titlesIn(a.page, 'No date'), ['Write notes']);
  const headings = await a.page.locator('.task-group h2').allInnerTexts();
  assert.deepEqual(headings, lateToday ? ['Overdue', 'Today', 'Upcoming', 'No date'] : ['Overdue', 'Upcoming', 'No date']);
  // each task links its customer and shows when it is due
  const row = taskGroup(a.page, 'Overdue').getByRole('listitem');
  assert.equal(await row.getByRole('link').innerText(), 'Acme Trading');
  assert.match(await row.innerText(), /Due .+/);

  // "Assigned to" narrows the list and is remembered on this device
  await a.page.getByLabel('Assigned to', { exact: true }).fill('li lei');
  await eventually(async () => (await a.page.locator('.task-title').allInnerTexts()).join('|') === 'Call back|Visit site', {
    what: 'only Li Lei’s tasks',
  });
  await a.page.reload();
  await a.page.getByRole('heading', { name: 'My tasks', exact: true }).waitFor();
  assert.equal(await a.page.getByLabel('Assigned to', { exact: true }).inputValue(), 'li lei');
  await a.page.getByLabel('Assigned to', { exact: true }).fill('');
  await eventually(async () => (await a.page.locator('.task-title').count()) === (lateToday ? 4 : 3), { what: 'everyone’s tasks again' });

  // completing removes it (and Undo brings it back)
  await a.page.getByRole('checkbox', { name: 'Complete “Call back”', exact: true }).check();
  await eventually(async () => (await taskGroup(a.page, 'Overdue').count()) === 0, { what: 'Overdue empties' });
  await a.page.getByRole('status').filter({ hasText: 'Completed “Call back”.' }).waitFor();
  await a.page.getByRole('button', { name: 'Undo', exact: true }).click();
  await eventually(async () => JSON.stringify(await titlesIn(a.page, 'Overdue')) === '["Call back"]', { what: 'Undo reopens it' });
  await a.page.getByRole('checkbox', { name: 'Complete “Call back”', exact: true }).check();
  await eventually(async () => (await taskGroup(a.page, 'Overdue').count()) === 0, { what: 'Overdue empties again' });
  // it stays done after a reload
  await a.page.reload();
  await a.page.getByRole('heading', { name: 'My tasks', exact: true }).waitFor();
  await taskGroup(a.page, 'Upcoming').waitFor();
  assert.equal(await a.page.getByText('Call back', { exact: true }).count(), 0);

  await a.page.setViewportSize({ width: 390, height: 844 });
  await assertNoHorizontalScroll(a.page, 'My tasks at 390 px');
});

scenario('a reminder fires once as a browser notification when notifications are allowed', async (s) => {
  const relay = await s.relay();
  const browser = await s.browser();
  const a = await deviceWith(s, browser, 'device A', { permissions: ['notifications'] });
  await a.page.addInitScript(RECORD_NOTIFICATIONS);
  await openApp(a.page, relay.url);
  await createCustomer(a.page, 'Acme Trading');
  await gotoNav(a.page, 'My tasks');
  await a.page.getByText('Reminders are on', { exact: false }).waitFor();

  const now = new Date();
  await addTaskOnTasksPage(a.page, { customer: 'Acme Trading', title: 'Ring the buyer', due: at(1, 10), remind: now });
  let seen = [];
  await eventually(
    async () => {
      seen = await a.page.evaluate(() => window.__notifications);
      return seen.some((n) => n.title === 'Reminder: Ring the buyer');
    },
    { timeout: 25_000, interval: 500, what: `a notification "Reminder: Ring the buyer" (seen ${JSON.stringify(seen)})` },
  );
  assert.equal(seen.length, 1);
  assert.match(seen[0].body, /^Acme Trading · due /);
  assert.equal(await a.page.locator('.toast').count(), 0, 'no in-app reminder when the browser shows it');

  // a reload does not repeat it (the first check runs ~2 s after start)
  await a.page.reload();
  await a.page.getByRole('heading', { name: 'My tasks', exact: true }).waitFor();
  await sleep(5_000);
  assert.deepEqual(await a.page.evaluate(() => window.__notifications), []);
});

scenario('where notifications are not allowed, the reminder shows inside the app, on any screen', async (s) => {
  const relay = await s.relay();
  const browser = await s.browser();
  const a = await s.device(browser, 'device A');
  await a.page.addInitScript(RECORD_NOTIFICATIONS);
  await openApp(a.page, relay.url);
  await createCustomer(a.page, 'Blue Sky Ltd');
  await gotoNav(a.page, 'My tasks');
  const permission = await a.page.evaluate(() => window.Notification?.permission ?? 'unsupported');
  assert.notEqual(permission, 'granted');
  if (permission === 'default') await a.page.getByRole('button', { name: 'Enable reminders', exact: true }).waitFor();

  await addTaskOnTasksPage(a.page, { customer: 'Blue Sky Ltd', title: 'Check the invoice', remind: new Date() });
  await gotoNav(a.page, 'Customers');
  const toast = a.page.getByRole('alert').filter({ hasText: 'Reminder: Check the invoice' });
  await toast.waitFor({ timeout: 25_000 });
  assert.deepEqual(await a.page.evaluate(() => window.__notifications), []);
  await toast.getByRole('link', { name: 'Open Blue Sky Ltd', exact: true }).click();
  await a.page.waitForURL(/\/customers\/[^/]+$/);
  await toast.waitFor({ state: 'detached' });
});
