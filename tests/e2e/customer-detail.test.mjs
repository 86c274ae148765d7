// The customer page, complete: every section saves what a person enters, it all survives a
// reload, the timeline tells the story, and the page works on a phone and by keyboard.
import assert from 'node:assert/strict';
import { scenario } from './lib/harness.mjs';
import {
  assertNoHorizontalScroll, createCustomer, dialogNamed, eventually, fieldValue, fillDialog, openApp, region, setField, sleep, textbox,
} from './lib/ui.mjs';

const profile = {
  Industry: 'Catering',
  Size: '11-50',
  Province: 'Zhejiang',
  City: 'Hangzhou',
  Address: '8 West Lake Road',
  Website: 'https://jade.example',
  Source: 'Trade fair',
  'External ID': 'ERP-0077',
};

/** Settings: the team's custom fields "Contract no" (text) and "Region" (choice North / South). */
async function defineCustomFields(page) {
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  const fields = page.getByRole('list', { name: 'Custom fields', exact: true });
  await textbox(page, 'Field label').fill('Contract no');
  await page.getByRole('combobox', { name: 'Field type', exact: true }).selectOption({ label: 'Text' });
  await page.getByRole('button', { name: 'Add field', exact: true }).click();
  await fields.getByText('Contract no').waitFor();
  await textbox(page, 'Field label').fill('Region');
  await page.getByRole('combobox', { name: 'Field type', exact: true }).selectOption({ label: 'Choice' });
  await textbox(page, 'Choices (comma-separated)').fill('North, South');
  await page.getByRole('button', { name: 'Add field', exact: true }).click();
  await fields.getByText('Region').waitFor();
}

async function fillEverything(page) {
  for (const [label, value] of Object.entries(profile)) await setField(page, label, value);
  await setField(page, 'Contract no', 'HT-2026-18');
  await page.getByRole('combobox', { name: 'Region', exact: true }).selectOption({ label: 'South' });
  await page.getByRole('combobox', { name: 'Lifecycle stage', exact: true }).selectOption({ label: 'Growing' });
  await page.getByRole('checkbox', { name: 'Do not call', exact: true }).check();
  await page.getByRole('checkbox', { name: 'Email opt-in', exact: true }).check();
  const referrer = page.getByRole('combobox', { name: 'Referred by', exact: true });
  await referrer.fill('Lotus Referrals');
  await referrer.press('Tab');
  await region(page, 'Profile').getByRole('link', { name: 'Lotus Referrals', exact: true }).waitFor();

  // a contact with two more emails
  await page.getByRole('button', { name: 'Add contact', exact: true }).click();
  const contact = page.getByRole('group', { name: 'Contact 1', exact: true });
  await contact.getByRole('textbox', { name: 'Contact name', exact: true }).fill('Wang Fang');
  await contact.getByRole('textbox', { name: 'Contact email', exact: true }).fill('wang@jade.example');
  const others = contact.getByRole('textbox', { name: 'Other emails', exact: true });
  await others.fill('fang@jade.example, wf@home.example');
  await others.press('Tab');

  // a deal: moved to Proposal, then won
  await fillDialog(page, 'Add deal', 'New deal', { 'Deal title': 'Banquet order', Amount: '12000' });
  const deal = page.getByRole('group', { name: 'Deal Banquet order', exact: true });
  await deal.getByRole('combobox', { name: 'Stage', exact: true }).selectOption({ label: 'Proposal' });
  await eventually(async () => (await region(page, 'Timeline').textContent()).includes('Lead → Proposal'), {
    what: 'the stage change in the timeline',
  });
  await deal.getByRole('button', { name: 'Mark won', exact: true }).click();
  await deal.getByText('Won', { exact: true }).first().waitFor();

  // Esc closes a dialog and gives focus back to the button that opened it
  const logButton = page.getByRole('button', { name: 'Log a call', exact: true });
  await logButton.click();
  const logDialog = dialogNamed(page, 'Log an interaction');
  await logDialog.waitFor();
  await eventually(async () => logDialog.evaluate((d) => d.contains(document.activeElement)), {
    what: 'focus inside the dialog once it opens',
  });
  await page.keyboard.press('Escape');
  await logDialog.waitFor({ state: 'detached' });
  await eventually(async () => logButton.evaluate((b) => b === document.activeElement), {
    what: 'focus back on "Log a call" after Esc',
  });
  await fillDialog(page, 'Log a call', 'Log an interaction', {
    'Duration (minutes)': '15',
    Summary: 'Discussed the banquet menu',
  });

  // a task, completed
  await fillDialog(page, 'Add task', 'New task', { 'Task title': 'Send the contract' });
  const task = region(page, 'Tasks').getByRole('checkbox', { name: 'Send the contract', exact: true });
  await task.check();
  await eventually(async () => (await region(page, 'Tasks').textContent()).includes('Done'), { what: 'the task under "Done"' });

  // a ticket already past its SLA
  await fillDialog(page, 'Add ticket', 'New ticket', { Subject: 'Cold dishes', 'SLA due': '2024-01-02T09:30' });
  const ticket = page.getByRole('group', { name: 'Ticket Cold dishes', exact: true });
  await ticket.getByText('Overdue', { exact: true }).waitFor();
  await ticket.getByRole('textbox', { name: 'New update', exact: true }).fill('Called the chef');
  await ticket.getByRole('button', { name: 'Add update', exact: true }).click();
  await ticket.getByText('Called the chef').waitFor();

  // purchases
  await fillDialog(page, 'Add order', 'New order', { Amount: '880.50', Items: 'Tea set' });
  await fillDialog(page, 'Add response', 'New survey response', { Score: '9', Comment: 'Lovely staff' });
  await fillDialog(page, 'Add points', 'Loyalty points', { Points: '1500', Reason: 'Welcome bonus' });
  await sleep(800); // past the save debounce of the last typed field
}

async function checkEverything(page, when) {
  for (const [label, value] of Object.entries(profile)) {
    assert.equal(await fieldValue(page, label), value, `${label} after ${when}`);
  }
  assert.equal(await fieldValue(page, 'Contract no'), 'HT-2026-18', `custom text field after ${when}`);
  assert.equal(await page.getByRole('combobox', { name: 'Region', exact: true }).inputValue(), 'South', `custom choice after ${when}`);
  const lifecycle = page.getByRole('combobox', { name: 'Lifecycle stage', exact: true });
  assert.equal(await lifecycle.evaluate((el) => el.options[el.selectedIndex].text), 'Growing', `lifecycle after ${when}`);
  assert.ok(await page.getByRole('checkbox', { name: 'Do not call', exact: true }).isChecked(), `Do not call after ${when}`);
  assert.ok(await page.getByRole('checkbox', { name: 'Email opt-in', exact: true }).isChecked(), `Email opt-in after ${when}`);
  await region(page, 'Profile').getByRole('link', { name: 'Lotus Referrals', exact: true }).waitFor({ timeout: 5_000 });

  const contact = page.getByRole('group', { name: 'Contact 1', exact: true });
  assert.equal(await contact.getByRole('textbox', { name: 'Contact name', exact: true }).inputValue(), 'Wang Fang');
  assert.equal(
    await contact.getByRole('textbox', { name: 'Other emails', exact: true }).inputValue(),
    'fang@jade.example, wf@home.example',
    `other emails after ${when}`,
  );

  const deal = page.getByRole('group', { name: 'Deal Banquet order', exact: true });
  assert.equal(await deal.getAttribute('data-status'), 'won', `deal status after ${when}`);
  assert.ok((await deal.textContent()).includes('Probability 100%'), `a won deal's probability after ${when}`);

  const task = region(page, 'Tasks').getByRole('checkbox', { name: 'Send the contract', exact: true });
  assert.ok(await task.isChecked(), `task done after ${when}`);

  const ticket = page.getByRole('group', { name: 'Ticket Cold dishes', exact: true });
  await ticket.getByText('Overdue', { exact: true }).waitFor({ timeout: 5_000 });
  await ticket.getByText('Called the chef').waitFor({ timeout: 5_000 });

  const purchases = await region(page, 'Purchases').textContent();
  assert.ok(purchases.includes('Tea set'), `the order after ${when}`);
  assert.ok(/Orders: 1 · Total: .*880\.50/.test(purchases), `the order total after ${when}: ${purchases}`);
  assert.ok(purchases.includes('NPS 9 · Promoter'), `the NPS response after ${when}`);
  assert.ok(purchases.includes('Lovely staff'), `the survey comment after ${when}`);
  assert.ok(purchases.includes('1,500'), `the points balance after ${when}`);
  assert.ok(purchases.includes('Silver'), `the tier for 1,500 points after ${when}`);

  const timeline = region(page, 'Timeline');
  const items = await timeline.getByRole('listitem').allTextContents();
  const find = (re) => items.findIndex((t) => re.test(t));
  for (const re of [/Call · Outgoing · 15 min\s*Discussed the banquet menu/, /Stage changed\s*Banquet order: Lead → Proposal/, /Deal won\s*Banquet order/, /Order\s*Tea set/, /Ticket\s*Cold dishes/]) {
    assert.ok(find(re) >= 0, `timeline after ${when} shows ${re}: ${JSON.stringify(items)}`);
  }
  // newest first: the win came after the stage change
  assert.ok(find(/Deal won/) < find(/Stage changed/), `newest first: ${JSON.stringify(items)}`);
}

scenario('the customer page saves every section and shows it all again after a reload', async (s) => {
  const relay = await s.relay();
  const browser = await s.browser();
  const { page } = await s.device(browser, 'device');
  await openApp(page, relay.url);
  await defineCustomFields(page);
  await createCustomer(page, 'Lotus Referrals');
  await createCustomer(page, 'Jade Garden Ltd');
  const url = page.url();

  await fillEverything(page);
  await checkEverything(page, 'editing');
  await page.reload();
  await textbox(page, 'Name').waitFor({ timeout: 30_000 });
  await checkEverything(page, 'a reload');

  // delete: to the list; the page then says it is in the Trash and can restore it
  await page.getByRole('button', { name: 'Delete customer', exact: true }).click();
  await page.waitForURL((u) => new URL(u).pathname === '/');
  await page.goto(url);
  const banner = page.getByRole('region', { name: 'In the Trash', exact: true });
  await banner.waitFor({ timeout: 30_000 });
  await banner.getByRole('button', { name: 'Restore', exact: true }).click();
  await banner.waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Delete customer', exact: true }).waitFor();
}, { timeout: 300_000 });

scenario('the customer page fits a 390 px wide phone', async (s) => {
  const relay = await s.relay();
  const browser = await s.browser();
  const { page } = await s.device(browser, 'phone');
  await page.setViewportSize({ width: 390, height: 844 });
  await openApp(page, relay.url);
  await createCustomer(page, 'Pearl Harbour Seafood Trading Company Limited');
  await assertNoHorizontalScroll(page, 'a new customer');
  await page.getByRole('button', { name: 'Add contact', exact: true }).click();
  await fillDialog(page, 'Add deal', 'New deal', { 'Deal title': 'A very long deal title that must wrap on a phone screen', Amount: '123456789.99' });
  await fillDialog(page, 'Add ticket', 'New ticket', { Subject: 'Late delivery', 'SLA due': '2024-01-02T09:30' });
  await fillDialog(page, 'Log a call', 'Log an interaction', { Summary: 'A long summary '.repeat(12) });
  await fillDialog(page, 'Add order', 'New order', { Amount: '99.90', Items: 'Dried scallops' });
  await page.getByRole('button', { name: 'Add note', exact: true }).click();
  await region(page, 'Notes').getByRole('textbox', { name: 'Note 1', exact: true }).waitFor();
  await assertNoHorizontalScroll(page, 'a customer with every section filled');
  // a dialog fits too
  await page.getByRole('button', { name: 'Add task', exact: true }).click();
  await dialogNamed(page, 'New task').waitFor();
  await assertNoHorizontalScroll(page, 'the "New task" dialog');
  const box = await dialogNamed(page, 'New task').boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `the dialog lies within the screen: ${JSON.stringify(box)}`);
  await page.keyboard.press('Escape');
  // the section links move focus to their section
  await page.getByRole('navigation', { name: 'Sections', exact: true }).getByRole('link', { name: 'Tickets', exact: true }).click();
  await eventually(async () => page.evaluate(() => document.activeElement?.textContent === 'Tickets'), {
    what: 'focus on the "Tickets" heading',
  });
});

scenario('a zh-CN browser sees the customer page in Chinese', async (s) => {
  const relay = await s.relay();
  const browser = await s.browser();
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1100, height: 900 } });
  s.contexts.push(context);
  const page = await context.newPage();
  s.devices.push({ label: 'zh-CN device', page });

  // make the customer in English (the helpers speak English), then drop the saved choice
  await page.goto(relay.url);
  await page.evaluate(() => localStorage.setItem('crm.locale', 'en'));
  await openApp(page, relay.url);
  await createCustomer(page, '西湖茶庄');
  await page.evaluate(() => localStorage.removeItem('crm.locale'));
  await page.reload();

  const main = page.locator('section.customer');
  await page.getByRole('textbox', { name: '名称', exact: true }).waitFor({ timeout: 30_000 });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  for (const name of ['基本资料', '联系人', '商机', '时间线', '任务', '笔记', '工单', '购买']) {
    await page.getByRole('region', { name, exact: true }).waitFor();
  }
  for (const name of ['邮箱', '电话', '负责人']) {
    await page.getByRole('textbox', { name, exact: true }).waitFor();
  }
  await page.getByRole('button', { name: '记录通话', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: '记录沟通', exact: true });
  await dialog.getByRole('textbox', { name: '摘要', exact: true }).fill('电话沟通了新茶的报价');
  await dialog.getByRole('button', { name: '保存', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  const timeline = page.getByRole('region', { name: '时间线', exact: true });
  await timeline.getByText('电话 · 我方发起').waitFor();
  assert.ok(/\d+年\d+月\d+日/.test(await timeline.textContent()), 'the time of the call in Chinese date order');

  const headings = await main.locator('h2, h3').allTextContents();
  const english = headings.filter((h) => /[A-Za-z]{2,}/.test(h));
  assert.deepEqual(english, [], `section headings with English words: ${JSON.stringify(headings)}`);
  const buttons = await main.getByRole('button').allTextContents();
  assert.deepEqual(buttons.filter((b) => /[A-Za-z]{2,}/.test(b)), [], `buttons with English words: ${JSON.stringify(buttons)}`);
});
