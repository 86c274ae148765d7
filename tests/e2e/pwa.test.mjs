// The app is a PWA: after one visit it starts with the network off, and Chromium finds it
// installable. Persistent profiles: an installed app lives in a normal (not incognito) profile.
import assert from 'node:assert/strict';
import { scenario } from './lib/harness.mjs';
import {
  createCustomer, customersHeading, eventually, gotoCustomers, openApp, textbox, waitCustomerListed, waitSynced,
} from './lib/ui.mjs';

async function waitServiceWorkerControls(page) {
  const ready = await page.evaluate(() =>
    Promise.race([
      navigator.serviceWorker.ready.then(() => true),
      new Promise((resolve) => setTimeout(() => resolve(false), 20_000)),
    ]),
  );
  assert.ok(ready, 'a service worker is registered and active within 20 s (navigator.serviceWorker.ready)');
  await eventually(async () => page.evaluate(() => navigator.serviceWorker.controller !== null), {
    timeout: 20_000,
    what: 'the service worker to control the page',
  });
}

scenario('the installed app starts with the network off', async (s) => {
  const relay = await s.relay();
  const d = await s.persistentDevice(await s.userDataDir(), 'device');

  await openApp(d.page, relay.url);
  await waitServiceWorkerControls(d.page);
  const id = await createCustomer(d.page, 'Offline Garden Supply');
  await waitSynced(d.page);
  await gotoCustomers(d.page);

  // The relay stopped (the browser still online: connections are refused) ...
  await relay.stop();
  await d.page.reload();
  await customersHeading(d.page).waitFor({ timeout: 30_000 });
  await waitCustomerListed(d.page, 'Offline Garden Supply');

  // ... and the browser offline as well.
  await d.context.setOffline(true);
  await d.page.reload();
  await customersHeading(d.page).waitFor({ timeout: 30_000 });
  await waitCustomerListed(d.page, 'Offline Garden Supply');

  // Any SPA path falls back to the cached app shell.
  await d.page.goto(`${relay.url}customers/${id}`);
  await eventually(async () => (await textbox(d.page, 'Name').inputValue()) === 'Offline Garden Supply', {
    timeout: 20_000,
    what: 'the customer page to open offline',
  });
});

scenario('the app is installable', async (s) => {
  const relay = await s.relay();
  const d = await s.persistentDevice(await s.userDataDir(), 'device');
  await openApp(d.page, relay.url);
  await waitServiceWorkerControls(d.page);

  const cdp = await d.context.newCDPSession(d.page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  if (installabilityErrors.length > 0) {
    const manifest = await cdp.send('Page.getAppManifest').catch((e) => ({ error: e.message }));
    console.error('installability errors:', JSON.stringify(installabilityErrors, null, 2));
    console.error('manifest as Chromium sees it:', JSON.stringify(manifest, null, 2));
  }
  assert.deepEqual(installabilityErrors, [], 'Page.getInstallabilityErrors lists no errors');
});
