// Concurrent offline edits on two devices merge after reconnect: different fields both survive,
// the same field resolves to one value on both with a visible conflict marker, and customers
// created offline on each device reach the other.
import assert from 'node:assert/strict';
import { scenario } from './lib/harness.mjs';
import {
  conflictNoteBeside, createCustomer, eventually, fieldValue, gotoCustomers, openCustomer, setField, syncStatus, twoDevices, waitCustomerListed, waitFieldValue, waitState, waitSynced,
} from './lib/ui.mjs';

scenario('offline edits on two devices merge after reconnect', async (s) => {
  const { relay, browser, a, b } = await twoDevices(s);
  await createCustomer(a.page, 'Lotus Foods');
  await waitCustomerListed(b.page, 'Lotus Foods');
  await openCustomer(b.page, 'Lotus Foods');
  await waitSynced(a.page, { label: 'A' });
  await waitSynced(b.page, { label: 'B' });

  // Cut both off: A's browser goes offline, and the relay is stopped.
  await a.context.setOffline(true);
  await relay.stop();
  await waitState(a.page, ['offline', 'connecting'], { label: 'A' });
  await waitState(b.page, ['offline', 'connecting'], { label: 'B' });

  // Different fields, the same field, and a new customer on each side.
  await setField(a.page, 'Email', 'buyer@lotus.example');
  await setField(a.page, 'Owner', 'Alice');
  await setField(b.page, 'Phone', '+86 10 5555 0199');
  await setField(b.page, 'Owner', 'Bob');
  await createCustomer(a.page, 'Made offline on A');
  await createCustomer(b.page, 'Made offline on B');
  for (const [d, label] of [[a, 'A'], [b, 'B']]) {
    await eventually(async () => (await syncStatus(d.page)).pending > 0, {
      what: `${label}'s status to count unsent changes`,
    });
  }

  // Reconnect.
  await relay.start();
  await a.context.setOffline(false);
  await waitSynced(a.page, { label: 'A', timeout: 60_000 });
  await waitSynced(b.page, { label: 'B', timeout: 60_000 });

  // Both devices converge.
  const owners = {};
  for (const [d, label] of [[a, 'A'], [b, 'B']]) {
    await gotoCustomers(d.page);
    for (const name of ['Lotus Foods', 'Made offline on A', 'Made offline on B']) {
      await waitCustomerListed(d.page, name, { timeout: 20_000 });
    }
    await openCustomer(d.page, 'Lotus Foods');
    await waitFieldValue(d.page, 'Email', 'buyer@lotus.example', { device: label });
    await waitFieldValue(d.page, 'Phone', '+86 10 5555 0199', { device: label });
    owners[label] = await fieldValue(d.page, 'Owner');
  }
  assert.ok(['Alice', 'Bob'].includes(owners.A), `Owner on A is one of the concurrent values (got ${JSON.stringify(owners.A)})`);
  assert.equal(owners.B, owners.A, 'Owner resolves to the same value on both devices');
  const other = owners.A === 'Alice' ? 'Bob' : 'Alice';
  for (const [d, label] of [[a, 'A'], [b, 'B']]) {
    let notes;
    await eventually(
      async () => {
        notes = await conflictNoteBeside(d.page, 'Owner');
        return notes.near.some((t) => t === `Conflict: also set to “${other}”`);
      },
      { what: `${label}: a .conflict[role=note] beside "Owner" reading 'Conflict: also set to “${other}”' (notes: ${JSON.stringify(notes)})` },
    );
  }
});
