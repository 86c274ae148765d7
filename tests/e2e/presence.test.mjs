// Presence: a teammate sees who else has a customer open and which field they are editing; it
// goes when they leave and fades when they drop off the network. Nothing of it is stored.
import assert from 'node:assert/strict';
import { scenario } from './lib/harness.mjs';
import {
  createCustomer, eventually, gotoCustomers, openCustomer, textbox, twoDevices, waitCustomerListed, waitSynced,
  setMyName,
} from './lib/ui.mjs';


const alsoHere = (page) => page.getByRole('status', { name: 'Also here', exact: true });

scenario('presence: who else is on this customer and which field they edit; gone when they leave or drop off', async (s) => {
  const { a, b } = await twoDevices(s);
  await setMyName(a.page, 'Alice');
  await setMyName(b.page, 'Bob');
  await createCustomer(a.page, 'Camellia Foods');
  await waitCustomerListed(b.page, 'Camellia Foods');
  await openCustomer(b.page, 'Camellia Foods');
  await waitSynced(a.page, { label: 'A' });

  // (Alice's focus is still in the profile after creating the customer: "is editing Kind" is right too)
  await eventually(async () => /Alice is (here|editing)/.test(await alsoHere(b.page).textContent()), { what: 'B to see Alice on the customer' });
  await eventually(async () => (await alsoHere(a.page).textContent()).includes('Bob is here'), { what: 'A to see Bob on the customer' });

  await textbox(a.page, 'Phone').focus();
  await eventually(async () => (await alsoHere(b.page).textContent()).includes('Alice is editing Phone'), {
    what: 'B to see that Alice edits Phone',
  });
  assert.equal(await textbox(b.page, 'Phone').getAttribute('data-editing-by'), 'Alice', 'the field itself is marked');
  await textbox(a.page, 'Email').focus();
  await eventually(async () => (await textbox(b.page, 'Email').getAttribute('data-editing-by')) === 'Alice'
    && (await textbox(b.page, 'Phone').getAttribute('data-editing-by')) === null, { what: 'the mark to follow Alice to Email' });

  // leaving the customer removes Alice at once
  await gotoCustomers(a.page);
  await eventually(async () => (await alsoHere(b.page).textContent()) === '', { timeout: 5_000, what: 'Alice to be gone when she leaves' });

  // dropping off the network: she fades after the presence timeout
  await openCustomer(a.page, 'Camellia Foods');
  await eventually(async () => /Alice is (here|editing)/.test(await alsoHere(b.page).textContent()), { what: 'Alice back' });
  await a.context.setOffline(true);
  const went = Date.now();
  await eventually(async () => (await alsoHere(b.page).textContent()) === '', { timeout: 40_000, what: 'Alice to fade once offline' });
  console.log(`presence faded ${Date.now() - went} ms after the other device went offline`);
});
