// The Trash: a deleted customer leaves the list and waits in the Trash (on every device) until
// someone restores it; nothing is erased.
import assert from 'node:assert/strict';
import { scenario } from './lib/harness.mjs';
import {
  assertNoHorizontalScroll, createCustomer, customerLink, eventually, gotoCustomers, gotoNav, openApp, openCustomer, twoDevices, waitCustomerListed, waitSynced,
} from './lib/ui.mjs';

const trashList = (page) => page.getByRole('list', { name: 'Deleted customers', exact: true });

async function waitNotListed(page, name, what) {
  await eventually(async () => (await customerLink(page, name).count()) === 0, { what: `${what}: "${name}" gone from the customer list` });
}

scenario('a deleted customer moves to the Trash on both devices, and Restore brings it back', async (s) => {
  const { a, b } = await twoDevices(s);

  await gotoNav(a.page, 'Trash');
  await a.page.getByText('The trash is empty.', { exact: true }).waitFor();
  await a.page.getByText('Nothing is erased for good.', { exact: false }).waitFor();

  await createCustomer(a.page, 'Keeper Co');
  await createCustomer(a.page, 'Doomed Ltd');
  await waitCustomerListed(b.page, 'Doomed Ltd');

  // A deletes it on its page: it leaves the list, on B too
  await a.page.getByRole('button', { name: 'Delete customer', exact: true }).click();
  await a.page.waitForURL((u) => new URL(u).pathname === '/');
  await waitNotListed(a.page, 'Doomed Ltd', 'A');
  await waitCustomerListed(a.page, 'Keeper Co');
  await waitSynced(a.page, { label: 'A' });
  await waitNotListed(b.page, 'Doomed Ltd', 'B');

  // both Trash pages show it, with when it was deleted
  await gotoNav(a.page, 'Trash');
  const itemA = trashList(a.page).getByRole('listitem').filter({ hasText: 'Doomed Ltd' });
  await itemA.waitFor();
  assert.match(await itemA.innerText(), /Deleted .+/);
  assert.equal(await trashList(a.page).getByRole('listitem').count(), 1, 'only the deleted customer is in the Trash');
  await gotoNav(b.page, 'Trash');
  await trashList(b.page).getByRole('listitem').filter({ hasText: 'Doomed Ltd' }).waitFor();

  // B restores it: gone from both Trash pages, back in both lists
  await b.page.getByRole('button', { name: 'Restore Doomed Ltd', exact: true }).click();
  await b.page.getByText('Restored Doomed Ltd.', { exact: true }).waitFor();
  await b.page.getByText('The trash is empty.', { exact: true }).waitFor();
  await waitSynced(b.page, { label: 'B' });
  await a.page.getByText('The trash is empty.', { exact: true }).waitFor({ timeout: 15_000 });
  await gotoCustomers(a.page);
  await waitCustomerListed(a.page, 'Doomed Ltd');
  await gotoCustomers(b.page);
  await waitCustomerListed(b.page, 'Doomed Ltd');
  // restored with what it held: its page opens
  await openCustomer(b.page, 'Doomed Ltd');
  await b.page.getByRole('button', { name: 'Delete customer', exact: true }).waitFor();
});

scenario('the Trash fits a 390 px phone', async (s) => {
  const relay = await s.relay();
  const browser = await s.browser();
  const { page } = await s.device(browser, 'phone');
  await page.setViewportSize({ width: 390, height: 844 });
  await openApp(page, relay.url);
  await createCustomer(page, 'Pearl Harbour Seafood Trading Company Limited of Very Long Names');
  await page.getByRole('button', { name: 'Delete customer', exact: true }).click();
  await page.waitForURL((u) => new URL(u).pathname === '/');
  await gotoNav(page, 'Trash');
  await trashList(page).getByRole('listitem').waitFor();
  await assertNoHorizontalScroll(page, 'Trash at 390 px');
  // keyboard: Tab reaches the Restore button
  const restore = page.getByRole('button', { name: /^Restore Pearl Harbour/ });
  await restore.focus();
  await page.keyboard.press('Enter');
  await page.getByText('The trash is empty.', { exact: true }).waitFor();
});
