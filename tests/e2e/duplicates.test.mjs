// Duplicates: two customers with one phone number written two ways are found, and merging
// keeps both customers' contacts and orders while the other one goes to the Trash.
import assert from 'node:assert/strict';
import { scenario } from './lib/harness.mjs';
import {
  assertNoHorizontalScroll, csvFile, customerCount, gotoNav, importFile, openApp, openCustomer, textbox,
} from './lib/ui.mjs';

scenario('customers sharing a phone written differently are merged, keeping both sides contacts and orders', async (s) => {
  const relay = await s.relay();
  const { page } = await s.device(await s.browser(), 'device');
  await openApp(page, relay.url);

  // the second row has the first one's phone: imported "as new" on purpose
  await importFile(page, {
    file: csvFile('customers.csv', [
      ['name', 'email', 'phone', 'city'],
      ['Pearl River Tea', 'orders@pearl.example', '+86 138-0013-8000', 'Guangzhou'],
      ['珠江茶业', 'zhujiang@pearl.example', '13800138000', '广州'],
      ['Other Shop', 'other@shop.example', '13900000000', 'Beijing'],
    ]),
    onDuplicate: 'Import them as new',
  });
  await importFile(page, {
    kind: 'Contacts',
    file: csvFile('contacts.csv', [
      ['customer', 'name', 'email', 'title'],
      ['orders@pearl.example', 'Li Wei', 'li.wei@pearl.example', 'Buyer'],
      ['zhujiang@pearl.example', '王芳', 'wang.fang@pearl.example', '经理'],
    ]),
  });
  const orders = await importFile(page, {
    kind: 'Orders',
    file: csvFile('orders.csv', [
      ['customer', 'order_id', 'date', 'amount'],
      ['orders@pearl.example', 'A-1', '2024-01-05', '100'],
      ['zhujiang@pearl.example', 'B-1', '2024-02-05', '200'],
      ['zhujiang@pearl.example', 'B-2', '2024-03-05', '300'],
    ]),
  });
  assert.equal(orders['Orders added'], 3);
  assert.equal(await customerCount(page), 3);

  await page.goto(new URL('/duplicates', relay.url).href);
  await page.getByRole('heading', { name: 'Duplicates', exact: true, level: 1 }).waitFor({ timeout: 30_000 });
  const group = page.getByRole('group', { name: 'Duplicate group 1', exact: true });
  await group.waitFor({ timeout: 30_000 });
  assert.equal(await page.getByRole('group', { name: /^Duplicate group/ }).count(), 1, 'one group: Other Shop is no duplicate');
  await group.getByText('Same phone: 13800138000', { exact: true }).waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  await assertNoHorizontalScroll(page, 'duplicates at 390 px');

  await group.getByRole('radio', { name: 'Keep Pearl River Tea', exact: true }).check();
  await group.getByRole('button', { name: 'Merge', exact: true }).click();
  const notice = page.getByRole('status').filter({ hasText: 'Merged 珠江茶业 into Pearl River Tea' });
  await notice.waitFor({ timeout: 30_000 });
  assert.match(await notice.textContent(), /珠江茶业 is in the Trash\. Pearl River Tea now has 3 contacts and 3 orders\./);
  await page.getByText('No likely duplicates.', { exact: true }).waitFor({ timeout: 30_000 });
  await page.setViewportSize({ width: 1100, height: 900 });

  assert.equal(await customerCount(page), 2, 'the merged-away customer left the list');
  await openCustomer(page, 'Pearl River Tea');
  const contactNames = [];
  for (let n = 1; n <= 3; n++) {
    const box = page.getByRole('group', { name: `Contact ${n}`, exact: true }).getByRole('textbox', { name: 'Contact name', exact: true });
    contactNames.push(await box.inputValue());
  }
  assert.deepEqual(contactNames.sort(), ['Li Wei', '王芳', '珠江茶业'].sort(), 'both sides contacts, and the other email kept as a contact');
  assert.equal(await textbox(page, 'Email').inputValue(), 'orders@pearl.example', 'the kept customer keeps its own email');

  await gotoNav(page, 'Trash');
  await page.getByText('Merged into Pearl River Tea').first().waitFor();
  await page.getByText('珠江茶业').first().waitFor();
});
