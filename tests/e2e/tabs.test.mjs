// Two tabs of one browser share the workspace's storage and show each other's changes at once,
// even with no relay to carry them (they tell each other over a BroadcastChannel).
import { scenario } from './lib/harness.mjs';
import {
  createCustomer, gotoCustomers, openApp, openCustomer, setField, waitCustomerListed, waitFieldValue, waitState,
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
