// Two devices in one workspace see each other's changes live, through the real relay.
import { scenario } from './lib/harness.mjs';
import {
  createCustomer, gotoCustomers, openCustomer, setField, twoDevices, waitCustomerListed, waitFieldValue, waitSynced,
} from './lib/ui.mjs';

scenario('a customer created on one device appears on the other within seconds', async (s) => {
  const { a, b } = await twoDevices(s);
  await waitSynced(a.page, { label: 'A' });
  await waitSynced(b.page, { label: 'B' });

  // A creates a customer; B, on its list, sees it without reloading.
  await createCustomer(a.page, 'Acme Trading');
  await waitCustomerListed(b.page, 'Acme Trading', { timeout: 10_000 });

  // An edit on B shows on A, which has the customer open.
  await openCustomer(b.page, 'Acme Trading');
  await setField(b.page, 'Phone', '+86 21 5555 0101');
  await waitFieldValue(a.page, 'Phone', '+86 21 5555 0101', { timeout: 10_000, device: 'A' });
  await waitSynced(a.page, { label: 'A' });
  await waitSynced(b.page, { label: 'B' });
  await gotoCustomers(a.page);
  await waitCustomerListed(a.page, 'Acme Trading');
});
