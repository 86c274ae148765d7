// Two tabs of one browser share the workspace's storage and show each other's changes at once,
// even with no relay to carry them (they tell each other over a BroadcastChannel).
import { scenario } from './lib/harness.mjs';
import {
  createCustomer, eventually, gotoCustomers, openApp, openCustomer, setField, statusEl, twoDevices, waitCustomerListed,
  waitFieldValue, waitState, waitSynced,
} from './lib/ui.mjs';

scenario('two tabs of one browser show each other\'s edits without the relay', async (s) => {
  const relay = await s.relay();
  const browser = await s.browser();
  const device = await s.device(browser, 'tab 1');
  const tab1 = device.page;
  await openApp(tab1, relay.url);
  const tab2 = await device.context.newPage();
  await openApp(tab2, relay.url);

  // no relay: whatever reaches the other tab went through the browser itself
  await relay.stop();
  await waitState(tab1, ['offline', 'connecting'], { label: 'tab 1' });

  await createCustomer(tab1, 'Shared Between Tabs');
  await waitCustomerListed(tab2, 'Shared Between Tabs', { timeout: 5_000 });
  await openCustomer(tab2, 'Shared Between Tabs');
  await setField(tab2, 'Phone', '+86 755 5555 0100');
  await waitFieldValue(tab1, 'Phone', '+86 755 5555 0100', { timeout: 5_000, device: 'tab 1' });
  await gotoCustomers(tab1);
  await waitCustomerListed(tab1, 'Shared Between Tabs');
});

/** Which of `pages` hold the relay connection (the sync status says `data-here="true"`). */
async function leaders(pages) {
  const out = [];
  for (const p of pages) {
    if (!p.isClosed() && (await statusEl(p).getAttribute('data-here')) === 'true') out.push(p);
  }
  return out;
}

scenario('three tabs: one holds the connection, every tab\'s edits reach another device, and another tab takes over', async (s) => {
  const { relay, a, b } = await twoDevices(s);
  const tabs = [a.page, await a.context.newPage(), await a.context.newPage()];
  for (const t of tabs.slice(1)) await openApp(t, relay.url);
  await eventually(async () => (await leaders(tabs)).length === 1, { what: 'exactly one tab to hold the connection' });
  const stats = async () => (await (await fetch(`${relay.url}stats`)).json()).connections;
  await eventually(async () => (await stats()) === 2, { what: 'two relay connections: one per browser, not one per tab' });
  for (const [i, t] of tabs.entries()) await waitSynced(t, { label: `tab ${i + 1}` }); // followers hear the leader's status

  await createCustomer(tabs[0], 'Three Tabs Trading');
  for (const t of tabs.slice(1)) {
    await waitCustomerListed(t, 'Three Tabs Trading', { timeout: 5_000 });
    await openCustomer(t, 'Three Tabs Trading');
  }
  // each tab edits its own field; the others see it through the BroadcastChannel
  const fields = [['Email', 'three@tabs.example'], ['Phone', '+86 20 5555 0303'], ['Owner', 'Zhou']];
  const lags = [];
  for (const [i, [label, value]] of fields.entries()) {
    const start = Date.now();
    await setField(tabs[i], label, value);
    await waitFieldValue(tabs[(i + 1) % 3], label, value, { timeout: 5_000, device: `tab ${((i + 1) % 3) + 1}` });
    lags.push(Date.now() - start);
  }
  console.log(`tab to tab, typed value to shown (includes typing and the 300 ms debounce): ${lags.join(', ')} ms`);
  await waitCustomerListed(b.page, 'Three Tabs Trading');
  await openCustomer(b.page, 'Three Tabs Trading');
  for (const [label, value] of fields) await waitFieldValue(b.page, label, value, { device: 'B', timeout: 20_000 });

  // the leading tab closes: another takes over, and a follower's edit still reaches B
  const [leader] = await leaders(tabs);
  await leader.close();
  const rest = tabs.filter((t) => !t.isClosed());
  await eventually(async () => (await leaders(rest)).length === 1, { what: 'a remaining tab to take over the connection' });
  // the edit is made in the tab that does NOT hold the connection: it must go through the new leader
  const [newLeader] = await leaders(rest);
  const follower = rest.find((t) => t !== newLeader);
  await setField(follower, 'City', 'Guangzhou');
  await waitFieldValue(b.page, 'City', 'Guangzhou', { device: 'B', timeout: 20_000 });
  await eventually(async () => (await stats()) === 2, { what: 'still one connection for the browser after the takeover' });
});
