// The relay acknowledges a change only once it is durable: kill -9 loses nothing acknowledged,
// and changes made meanwhile wait in the outbox until the relay is back.
import assert from 'node:assert/strict';
import { scenario } from './lib/harness.mjs';
import {
  createCustomer, eventually, joinWith, openApp, openCustomer, readInviteLink, setField, syncStatus, waitCustomerListed, waitFieldValue, waitState, waitSynced, gotoCustomers,
} from './lib/ui.mjs';

scenario('a relay killed with -9 and restarted loses no acknowledged change', async (s) => {
  const relay = await s.relay();
  const browser = await s.browser();
  const a = await s.device(browser, 'device A');

  await openApp(a.page, relay.url);
  const invite = await readInviteLink(a.page);
  await createCustomer(a.page, 'Harbour Logistics');
  await setField(a.page, 'Email', 'ops@harbour.example');
  await waitSynced(a.page, { label: 'A' }); // acknowledged by the relay

  await relay.kill9();
  await waitState(a.page, ['offline', 'connecting'], { label: 'A' });

  // Edits while the relay is down show as unsent.
  await setField(a.page, 'Phone', '+852 5555 0142');
  await setField(a.page, 'Owner', 'Chen');
  await createCustomer(a.page, 'Kowloon Outfitters');
  let st;
  await eventually(
    async () => {
      st = await syncStatus(a.page);
      return st.pending > 0 && st.state !== 'synced' && st.text.includes(`${st.pending} unsent`);
    },
    { what: `status to show unsent changes (seen ${JSON.stringify(st)})` },
  );

  await relay.start();
  await waitSynced(a.page, { label: 'A', timeout: 60_000 });

  // A fresh device joining now gets everything from the relay.
  const c = await s.device(browser, 'fresh device C');
  await joinWith(c.page, invite);
  await waitCustomerListed(c.page, 'Harbour Logistics', { timeout: 20_000 });
  await waitCustomerListed(c.page, 'Kowloon Outfitters', { timeout: 20_000 });
  await openCustomer(c.page, 'Harbour Logistics');
  await waitFieldValue(c.page, 'Email', 'ops@harbour.example', { device: 'C' });
  await waitFieldValue(c.page, 'Phone', '+852 5555 0142', { device: 'C' });
  await waitFieldValue(c.page, 'Owner', 'Chen', { device: 'C' });
  await gotoCustomers(c.page);
  assert.ok(await c.page.getByRole('status', { name: 'Sync status' }).isVisible());
});
