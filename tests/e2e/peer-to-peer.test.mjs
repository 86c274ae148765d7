// Peer-to-peer: two devices of a workspace connect directly over WebRTC (signalled through the
// relay) and keep syncing with the relay stopped; when it comes back, what they did reaches it.
import { scenario } from './lib/harness.mjs';
import {
  createCustomer, eventually, gotoCustomers, openCustomer, joinWith, setField, statusEl, twoDevices,
  waitCustomerListed, waitFieldValue, waitState, waitSynced,
} from './lib/ui.mjs';

const peers = async (page) => Number(await statusEl(page).getAttribute('data-peers'));

scenario('two devices keep syncing over WebRTC with the relay killed', async (s) => {
  const { relay, browser, a, b, invite } = await twoDevices(s, { p2p: true });
  await createCustomer(a.page, 'Lotus P2P');
  await waitCustomerListed(b.page, 'Lotus P2P');
  await openCustomer(b.page, 'Lotus P2P');
  for (const [d, label] of [[a, 'A'], [b, 'B']]) {
    await eventually(async () => (await peers(d.page)) === 1, { timeout: 30_000, what: `${label} to have a direct connection to the other` });
  }

  // the relay is killed (kill -9); the direct connection carries the edits both ways
  await relay.kill9();
  await waitState(a.page, ['offline', 'connecting'], { label: 'A' });
  await waitState(b.page, ['offline', 'connecting'], { label: 'B' });
  await setField(a.page, 'Phone', '+86 571 5555 0101');
  await waitFieldValue(b.page, 'Phone', '+86 571 5555 0101', { device: 'B', timeout: 15_000 });
  await setField(b.page, 'Email', 'p2p@lotus.example');
  await waitFieldValue(a.page, 'Email', 'p2p@lotus.example', { device: 'A', timeout: 15_000 });
  await createCustomer(b.page, 'Made while the relay was down');
  await gotoCustomers(a.page);
  await waitCustomerListed(a.page, 'Made while the relay was down', { timeout: 15_000 });
  await eventually(async () => (await peers(a.page)) === 1, { what: 'A still connected to B directly' });

  // the relay comes back: what the peers did reaches it, and a device that only ever talked to
  // the relay gets all of it
  await relay.start();
  await waitSynced(a.page, { label: 'A', timeout: 60_000 });
  await waitSynced(b.page, { label: 'B', timeout: 60_000 });
  const c = await s.device(browser, 'device C');
  await joinWith(c.page, invite);
  await waitCustomerListed(c.page, 'Made while the relay was down', { timeout: 30_000 });
  await openCustomer(c.page, 'Lotus P2P');
  await waitFieldValue(c.page, 'Phone', '+86 571 5555 0101', { device: 'C', timeout: 30_000 });
  await waitFieldValue(c.page, 'Email', 'p2p@lotus.example', { device: 'C', timeout: 30_000 });
});
