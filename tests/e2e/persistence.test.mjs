// Every edit is stored in the browser (IndexedDB) as it is made.
import assert from 'node:assert/strict';
import { scenario } from './lib/harness.mjs';
import {
  createCustomer, customersHeading, fieldValue, openApp, openCustomer, setField, textbox,
} from './lib/ui.mjs';

const expected = {
  Name: 'Pearl River Tea',
  Email: 'orders@pearlriver.example',
  Phone: '+86 20 5555 0123',
  Owner: 'Mei',
};

async function edit(page) {
  await createCustomer(page, expected.Name);
  await setField(page, 'Email', expected.Email);
  await setField(page, 'Phone', expected.Phone);
  await setField(page, 'Owner', expected.Owner);
  await page.getByRole('combobox', { name: 'Kind', exact: true }).selectOption({ label: 'Person' });
  await textbox(page, 'New tag').fill('tea');
  await page.getByRole('button', { name: 'Add tag', exact: true }).click();
  await page.getByRole('button', { name: 'Remove tag tea', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Add contact', exact: true }).click();
  const contact = page.getByRole('group', { name: 'Contact 1', exact: true });
  await contact.getByRole('textbox', { name: 'Contact name', exact: true }).fill('Li Wei');
  await contact.getByRole('textbox', { name: 'Contact title', exact: true }).fill('Buyer');
  await contact.getByRole('textbox', { name: 'Contact title', exact: true }).press('Tab');
  // leaving the field saves at once; the page says when it is stored, and the reload that
  // follows at once checks that it was
  await saveLine(page, 'saved', 'Saved on this device');
}

/** Waits until the customer page's save line is in `state`, saying `text`. */
async function saveLine(page, state, text) {
  const line = page.locator('p.save-state[role="status"]');
  await page.waitForFunction((s) => document.querySelector('p.save-state')?.dataset.state === s, state, { timeout: 10_000 });
  assert.equal((await line.textContent()).trim(), text);
}

async function check(page, when) {
  await customersHeading(page).or(textbox(page, 'Name')).first().waitFor({ timeout: 30_000 });
  await openCustomer(page, expected.Name);
  await saveLine(page, 'idle', ''); // nothing edited on this page yet
  for (const [label, value] of Object.entries(expected)) {
    assert.equal(await fieldValue(page, label), value, `${label} after ${when}`);
  }
  const kind = page.getByRole('combobox', { name: 'Kind', exact: true });
  assert.equal(await kind.evaluate((el) => el.options[el.selectedIndex].text), 'Person', `Kind after ${when}`);
  await page.getByRole('button', { name: 'Remove tag tea', exact: true }).waitFor({ timeout: 5_000 });
  const contact = page.getByRole('group', { name: 'Contact 1', exact: true });
  assert.equal(await contact.getByRole('textbox', { name: 'Contact name', exact: true }).inputValue(), 'Li Wei', `contact name after ${when}`);
  assert.equal(await contact.getByRole('textbox', { name: 'Contact title', exact: true }).inputValue(), 'Buyer', `contact title after ${when}`);
}

scenario('every edit survives a reload and a browser restart', async (s) => {
  const relay = await s.relay();
  const profile = await s.userDataDir();

  let device = await s.persistentDevice(profile, 'device (first run)');
  await openApp(device.page, relay.url);
  await edit(device.page);

  await device.page.reload();
  await check(device.page, 'a reload');

  await device.context.close();
  device = await s.persistentDevice(profile, 'device (after browser restart)');
  await openApp(device.page, relay.url);
  await check(device.page, 'closing and reopening the browser');
});
