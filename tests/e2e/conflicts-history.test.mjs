// Conflicts, history and restore: a field written on two devices at once lists each value with
// who wrote it and when, and keeping one resolves it on both; a customer's history names who
// changed what, shows the customer as of any change, and restores an earlier value and a
// removed contact as new changes that reach the other device.
import assert from 'node:assert/strict';
import { scenario } from './lib/harness.mjs';
import {
  conflictNoteBeside, createCustomer, eventually, fieldValue, gotoCustomers, openCustomer, region, setField,
  textbox, twoDevices, waitCustomerListed, waitFieldValue, waitState, waitSynced,
  setMyName,
} from './lib/ui.mjs';


scenario('a conflict lists who wrote each value, and keeping one resolves it on both devices', async (s) => {
  const { relay, a, b } = await twoDevices(s);
  await setMyName(a.page, 'Alice');
  await setMyName(b.page, 'Bob');
  await createCustomer(a.page, 'Orchid Trading');
  await waitCustomerListed(b.page, 'Orchid Trading');
  await openCustomer(b.page, 'Orchid Trading');
  await waitSynced(a.page, { label: 'A' });
  await waitSynced(b.page, { label: 'B' });

  await relay.stop();
  await waitState(a.page, ['offline', 'connecting'], { label: 'A' });
  await waitState(b.page, ['offline', 'connecting'], { label: 'B' });
  await setField(a.page, 'Phone', '+86 21 5555 1111');
  await setField(b.page, 'Phone', '+86 21 5555 2222');
  await relay.start();
  await waitSynced(a.page, { label: 'A', timeout: 60_000 });
  await waitSynced(b.page, { label: 'B', timeout: 60_000 });

  let shown;
  await eventually(async () => {
    const [pa, pb] = [await fieldValue(a.page, 'Phone'), await fieldValue(b.page, 'Phone')];
    const note = await conflictNoteBeside(b.page, 'Phone');
    shown = pb;
    return pa === pb && note.near.length === 1;
  }, { what: 'both devices to show one phone with a conflict mark beside it on B' });
  const other = shown === '+86 21 5555 1111' ? '+86 21 5555 2222' : '+86 21 5555 1111';

  // open the mark: each value with its writer; keep the one not shown
  await b.page.getByRole('button', { name: 'Choose a value', exact: true }).click();
  const panel = b.page.getByRole('group', { name: 'Values written at the same time', exact: true });
  const items = panel.getByRole('listitem');
  assert.equal(await items.count(), 2, 'two values');
  const texts = await items.allTextContents();
  const line = (v) => texts.find((t) => t.includes(v)) ?? '';
  assert.match(line('+86 21 5555 1111'), /Alice/, `A's value names Alice: ${JSON.stringify(texts)}`);
  assert.match(line('+86 21 5555 2222'), /Bob/, `B's value names Bob: ${JSON.stringify(texts)}`);
  assert.match(line(shown), /shown now/, 'the shown value is marked');
  assert.match(line(other), /\d{1,2}:\d{2}/, `each value says when it was written: ${line(other)}`);
  await items.filter({ hasText: other }).getByRole('button', { name: 'Keep this value', exact: true }).click();

  for (const [d, label] of [[a, 'A'], [b, 'B']]) {
    await waitFieldValue(d.page, 'Phone', other, { device: label, timeout: 20_000 });
    await eventually(async () => (await conflictNoteBeside(d.page, 'Phone')).all.length === 0, {
      what: `${label}: the conflict mark to go once a value is kept`,
    });
  }
});

scenario('history names who changed what; view as of; restore a value and a removed contact on both devices', async (s) => {
  const { a, b } = await twoDevices(s);
  await setMyName(a.page, 'Alice');
  const page = a.page;
  await createCustomer(page, 'Peony Logistics');
  await setField(page, 'Phone', '111 000');
  await waitFieldValue(page, 'Phone', '111 000');
  await setField(page, 'Phone', '222 000');
  await page.getByRole('button', { name: 'Add contact', exact: true }).click();
  const contact = page.getByRole('group', { name: 'Contact 1', exact: true });
  const contactName = contact.getByRole('textbox', { name: 'Contact name', exact: true });
  await contactName.fill('Li Na');
  await contactName.press('Tab');
  await eventually(async () => (await region(page, 'History').count()) === 1);
  await contact.getByRole('button', { name: 'Remove contact', exact: true }).click();
  await contact.waitFor({ state: 'detached' });

  const history = region(page, 'History');
  await history.getByRole('button', { name: 'Show history', exact: true }).click();
  const entries = history.getByRole('list', { name: 'History', exact: true }).locator(':scope > li');
  await eventually(async () => (await entries.count()) >= 4, { what: 'at least four history entries' });
  const newest = await entries.first().textContent();
  assert.match(newest, /Alice/, `the newest change names its author: ${newest}`);
  assert.match(newest, /Removed Contact “Li Na”/, `the newest change is the removal: ${newest}`);
  const phoneChange = entries.filter({ hasText: 'Phone: “111 000” → “222 000”' });
  assert.equal(await phoneChange.count(), 1, 'the phone change is listed with before and after');

  // view as of the phone change: the phone was 222 000 and the contact did not exist yet
  await phoneChange.getByRole('button', { name: 'View as of this change', exact: true }).click();
  const asOf = page.getByRole('region', { name: /^As of / });
  await asOf.waitFor();
  assert.match(await asOf.textContent(), /“222 000”/);
  await asOf.getByRole('button', { name: 'Back to now', exact: true }).click();
  await asOf.waitFor({ state: 'detached' });

  // restore: the phone as it was before, and the removed contact
  await phoneChange.getByRole('button', { name: 'Restore Phone to “111 000”', exact: true }).click();
  await waitFieldValue(page, 'Phone', '111 000');
  // (the restore is now the newest entry; the removal is the one before it)
  await entries.filter({ hasText: 'Removed Contact “Li Na”' }).getByRole('button', { name: 'Restore Contact “Li Na”', exact: true }).click();
  await waitFieldValue(page, 'Contact name', 'Li Na');

  // both restores are ordinary changes: they reach the other device
  await waitCustomerListed(b.page, 'Peony Logistics');
  await openCustomer(b.page, 'Peony Logistics');
  await waitFieldValue(b.page, 'Phone', '111 000', { device: 'B', timeout: 20_000 });
  await waitFieldValue(b.page, 'Contact name', 'Li Na', { device: 'B', timeout: 20_000 });
});
