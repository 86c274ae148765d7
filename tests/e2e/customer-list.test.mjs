// The customer list: pinyin search with highlights, sortable columns, filters, saved views
// shared with the team, "/" and the Ctrl+K command palette, a phone-sized screen.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { scenario } from './lib/harness.mjs';
import {
  assertNoHorizontalScroll, createCustomer, customerList, eventually, gotoCustomers, openApp, setField, twoDevices, waitCustomerListed, waitSynced,
} from './lib/ui.mjs';

const PEOPLE = [
  { name: '张三', owner: 'Li', city: '杭州' },
  { name: '李四', owner: 'Wang', city: '北京' },
  { name: 'Acme Trading', owner: 'Li', city: 'Shanghai' },
  { name: 'Zeta Foods', owner: 'Wang', city: '杭州' },
];

const search = (page) => page.getByRole('searchbox', { name: 'Search customers', exact: true });
const names = (page) => customerList(page).locator('.name').allTextContents();
const countText = async (page) => (await page.locator('p.count').textContent()).trim();

async function waitNames(page, expected, what) {
  let seen;
  await eventually(async () => {
    seen = (await names(page)).map((n) => n.trim());
    return JSON.stringify(seen) === JSON.stringify(expected);
  }, { what: `${what}: list ${JSON.stringify(expected)} (seen ${JSON.stringify(seen)})` });
}

scenario('search finds Chinese names by pinyin and initials, sorts, filters, and saved views reach the team', async (s) => {
  const { a, b } = await twoDevices(s);

  for (const p of PEOPLE) {
    await createCustomer(a.page, p.name);
    await setField(a.page, 'Owner', p.owner);
    await setField(a.page, 'City', p.city);
  }
  await gotoCustomers(a.page);
  // by name: case-insensitive code point order (Latin before Han), as the list sorts
  await waitNames(a.page, ['Acme Trading', 'Zeta Foods', '张三', '李四'], 'A by name');

  // pinyin: initials, full pinyin, characters; the match is highlighted
  for (const q of ['zs', 'zhangsan', 'zhang san', '张三']) {
    await search(a.page).fill(q);
    await waitNames(a.page, ['张三'], `search ${q}`);
  }
  await search(a.page).fill('zs');
  const mark = customerList(a.page).locator('mark').first();
  assert.equal((await mark.textContent()).trim(), '张三', '"zs" highlights 张三');
  assert.match(await countText(a.page), /^1 of 4 customers match$/);
  await search(a.page).fill('');

  // sortable columns: the list is by name; a click on Name reverses it
  await a.page.getByRole('button', { name: 'Sort by Name', exact: true }).click();
  await waitNames(a.page, ['李四', '张三', 'Zeta Foods', 'Acme Trading'], 'name descending');
  assert.equal(await a.page.locator('[role="columnheader"].c-name').getAttribute('aria-sort'), 'descending');

  // filters: owner is Li and city is 杭州
  await a.page.getByText('Filters', { exact: true }).click();
  await a.page.getByRole('button', { name: 'Add filter', exact: true }).click();
  await a.page.getByRole('combobox', { name: 'Field', exact: true }).first().selectOption('owner');
  await a.page.getByRole('textbox', { name: 'Value', exact: true }).first().fill('li');
  await waitNames(a.page, ['张三', 'Acme Trading'], 'owner is li (name descending)');
  await a.page.getByRole('button', { name: 'Add filter', exact: true }).click();
  await a.page.getByRole('combobox', { name: 'Field', exact: true }).nth(1).selectOption('city');
  await a.page.getByRole('textbox', { name: 'Value', exact: true }).nth(1).fill('杭州');
  await waitNames(a.page, ['张三'], 'owner li and city 杭州');

  // export the view: a CSV with a BOM holding exactly the rows shown
  const [dl] = await Promise.all([
    a.page.waitForEvent('download'),
    a.page.getByRole('button', { name: 'Export CSV', exact: true }).click(),
  ]);
  const csv = await readFile(await dl.path());
  assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  const lines = csv.toString('utf8').slice(1).trim().split(/\r\n/);
  assert.equal(lines.length, 2, `a header and one row: ${JSON.stringify(lines)}`);
  assert.ok(lines[1].startsWith('张三,'), lines[1]);

  // save it as a view; device B gets it and shows the same customers
  await a.page.getByRole('textbox', { name: 'View name', exact: true }).fill('Li in Hangzhou');
  await a.page.getByRole('button', { name: 'Save view', exact: true }).click();
  await eventually(async () => (await a.page.getByRole('combobox', { name: 'View', exact: true }).inputValue()) !== '', { what: 'the saved view selected on A' });
  await waitSynced(a.page, { label: 'A' });
  await waitCustomerListed(b.page, 'Zeta Foods');
  const viewSelect = b.page.getByRole('combobox', { name: 'View', exact: true });
  await eventually(async () => (await viewSelect.locator('option').allTextContents()).includes('Li in Hangzhou'), { what: 'the view on B' });
  await viewSelect.selectOption({ label: 'Li in Hangzhou' });
  await waitNames(b.page, ['张三'], 'B with the saved view');
  await viewSelect.selectOption({ label: 'All customers' });
  await eventually(async () => (await names(b.page)).length === 4, { what: 'all four on B again' });
});

scenario('"/" focuses search and Ctrl+K opens the command palette to go to a customer; the list fits a phone', async (s) => {
  const relay = await s.relay();
  const browser = await s.browser();
  const a = await s.device(browser, 'device A');
  await a.page.setViewportSize({ width: 390, height: 844 });
  await openApp(a.page, relay.url);
  await createCustomer(a.page, '王小明');
  await createCustomer(a.page, 'Bolt Motors');
  await gotoCustomers(a.page);
  await assertNoHorizontalScroll(a.page);

  await a.page.locator('h1').click();
  await a.page.keyboard.press('/');
  await eventually(async () => search(a.page).evaluate((el) => el === document.activeElement), { what: '"/" to focus the search box' });

  await a.page.locator('h1').click();
  await a.page.keyboard.press('Control+k');
  const palette = a.page.getByRole('dialog', { name: 'Command palette', exact: true });
  await palette.waitFor();
  await a.page.keyboard.type('wxm');
  await palette.getByRole('option', { name: 'Open 王小明', exact: true }).waitFor();
  await assertNoHorizontalScroll(a.page);
  await a.page.keyboard.press('ArrowDown');
  await eventually(async () => (await palette.getByRole('option', { selected: true }).textContent()).includes('王小明'), { what: 'the customer option selected' });
  await a.page.keyboard.press('Enter');
  await a.page.getByRole('heading', { name: '王小明' }).waitFor();

  // Esc closes the palette without doing anything
  await a.page.keyboard.press('Control+k');
  await palette.waitFor();
  await a.page.keyboard.press('Escape');
  await palette.waitFor({ state: 'detached' });
  await a.page.getByRole('heading', { name: '王小明' }).waitFor();

  // a command: go to the pipeline
  await a.page.keyboard.press('Control+k');
  await a.page.keyboard.type('pipeline');
  await a.page.keyboard.press('Enter');
  await a.page.waitForURL(/\/pipeline$/);
});
