// Customer analytics on the CDNOW sample (DESIGN.md section 8): imported through the Import
// page, analysed as of 1997-09-30 (the end of Fader, Hardie & Lee's calibration period), the
// fitted BG/NBD and Gamma-Gamma parameters match the published ones; a customer's lifetime
// value matches the native test's; a count links to exactly its customers; a phone can read it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenario } from './lib/harness.mjs';
import {
  assertNoHorizontalScroll, chooseImportFile, createCustomer, customerLink, eventually, fillDialog, gotoNav, openApp, region, runImport,
} from './lib/ui.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CDNOW = process.env.CRM_CDNOW || path.resolve(here, '../../../shared/data/cdnow_sample_orders.csv');

// the native test's value for customer 00004 (crates/core/tests/analytics*.rs), so both
// agree on one number
function nativeClv00004() {
  const dir = path.resolve(here, '../../crates/core/tests');
  for (const f of ['analytics_cdnow.rs', 'analytics.rs']) {
    try {
      const m = readFileSync(path.join(dir, f), 'utf8').match(/CDNOW_CLV_00004\s*:\s*f64\s*=\s*([\d.]+)/);
      if (m) return Number(m[1]);
    } catch {}
  }
  throw new Error('CDNOW_CLV_00004 is not in crates/core/tests/analytics*.rs');
}

const within = (what, got, want, rel = 0.01) =>
  assert.ok(Math.abs(got - want) <= Math.abs(want) * rel, `${what}: ${got} is not within ${rel * 100}% of ${want}`);

/** The model table's raw value of a parameter (`data-param` / `data-value`). */
const param = async (page, key) =>
  Number(await region(page, 'Model').locator(`td[data-param="${key}"]`).getAttribute('data-value'));

scenario('CDNOW analytics: published model parameters, a customer lifetime value, counts that open their customers', async (s) => {
  const relay = await s.relay();
  const { page } = await s.device(await s.browser(), 'device');
  await openApp(page, relay.url);

  await chooseImportFile(page, { kind: 'Orders', file: CDNOW });
  await page.getByRole('combobox', { name: 'Currency of amounts without one' }).selectOption('USD');
  const summary = await runImport(page, { timeout: 180_000 });
  assert.equal(summary['New customers'], 2357);

  await gotoNav(page, 'Analytics');
  for (const name of ['Model', 'RFM', 'Lifetime value', 'Churn risk', 'Lifecycle', 'Satisfaction', 'Segments', 'Loyalty', 'Referrals', '6C scorecard']) {
    await region(page, name).waitFor();
  }
  assert.equal(await page.getByLabel('Horizon (months)', { exact: true }).inputValue(), '12');
  assert.equal(await page.getByLabel('Discount rate (% a year)', { exact: true }).inputValue(), '10');
  await page.getByLabel('As of', { exact: true }).fill('1997-09-30');

  // the report as of that date: no run under way, the summary line names the date
  await eventually(
    async () => {
      if (await page.getByRole('progressbar', { name: 'Analysis progress' }).count()) return false;
      const line = await page.locator('p.an-summary').textContent({ timeout: 1_000 });
      return /Sep 30, 1997/.test(line) && (await region(page, 'Model').locator('td[data-param="r"]').count()) === 1;
    },
    { timeout: 120_000, what: 'the analysis as of 1997-09-30 with a fitted model' },
  );

  const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, p: 6.25, q: 3.74, gamma: 15.44, ll: -9582.4 };
  for (const [key, want] of Object.entries(published)) within(key, await param(page, key), want);
  assert.equal(await param(page, 'customers'), 2357);
  assert.equal(await param(page, 'repeat_buyers'), 946);
  // shown rounded for people: "0.243", "-9,582.4"
  assert.equal((await region(page, 'Model').locator('td[data-param="r"]').textContent()).trim(), '0.243');

  // the page reads on a phone without sideways scrolling
  await page.setViewportSize({ width: 390, height: 844 });
  await assertNoHorizontalScroll(page, 'Analytics at 390 px');

  // the champions count opens the customer list with exactly those customers
  const champions = region(page, 'RFM').locator('li[data-key="champions"] a');
  const shown = Number((await champions.locator('.bar-value').textContent()).replace(/\D/g, ''));
  assert.ok(shown > 0, 'some customers are champions');
  await champions.click();
  await page.getByRole('heading', { name: 'Customers', exact: true }).waitFor();
  let count;
  await eventually(
    async () => {
      count = (await page.locator('p.count').first().textContent()).trim();
      return count.startsWith(`${shown.toLocaleString('en-US')} of 2,357 customers match`);
    },
    { what: `the list to say "${shown} of 2,357 customers match" (saw ${JSON.stringify(count)})` },
  );

  // customer 00004's lifetime value, on its page
  await page.getByRole('button', { name: 'Clear', exact: true }).click();
  await eventually(async () => (await page.locator('p.count').first().textContent()).trim() === '2,357 customers', {
    what: 'the list to show every customer again after "Clear"',
  });
  await page.getByRole('searchbox', { name: 'Search customers' }).fill('Customer 00004');
  await customerLink(page, 'Customer 00004').first().click();
  await page.waitForURL(/\/customers\/[^/]+$/);
  const figures = region(page, 'Figures');
  const clvCell = figures.locator('[data-figure="clv"]');
  await clvCell.waitFor({ timeout: 60_000 });
  within('CLV of Customer 00004', Number(await clvCell.getAttribute('data-value')), nativeClv00004());
  assert.match((await clvCell.textContent()).trim(), /^\$\d+\.\d\d$/, 'the lifetime value is shown in dollars');
  assert.ok(await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Figures', exact: true }).isVisible());
  await assertNoHorizontalScroll(page, 'a customer page with its figures at 390 px');
}, { timeout: 420_000 });

scenario('the figures follow what the team records: a referral, a detractor and their customers', async (s) => {
  const relay = await s.relay();
  const { page } = await s.device(await s.browser(), 'device');
  await openApp(page, relay.url);
  await createCustomer(page, 'Lotus Referrals');
  await gotoNav(page, 'Customers');
  await createCustomer(page, 'Jade Garden');
  const referrer = page.getByRole('combobox', { name: 'Referred by', exact: true });
  await referrer.fill('Lotus Referrals');
  await referrer.press('Tab');
  await region(page, 'Profile').getByRole('link', { name: 'Lotus Referrals', exact: true }).waitFor();
  await fillDialog(page, 'Add order', 'New order', { Amount: '880.50', Items: 'Tea set' });
  await fillDialog(page, 'Add response', 'New survey response', { Score: '3', Comment: 'Slow delivery' });

  // on the customer's own page: the detractor answer is a churn reason
  const figures = region(page, 'Figures');
  await eventually(async () => /NPS 3 \(detractor\)/.test(await figures.textContent()), {
    timeout: 30_000, what: 'the detractor answer among the churn reasons on the customer page',
  });

  await gotoNav(page, 'Analytics');
  const referrals = region(page, 'Referrals');
  await referrals.getByRole('link', { name: 'Lotus Referrals', exact: true }).waitFor({ timeout: 30_000 });
  assert.match(await referrals.textContent(), /¥880\.50/, 'the revenue the referrer brought');
  // this month's NPS: one detractor, -100
  assert.match(await region(page, 'Satisfaction').textContent(), /-100|−100/);

  // "1 customer" brought by Lotus opens the list with just Jade Garden
  await referrals.getByRole('link', { name: /^Lotus Referrals: 1 customer/ }).click();
  await page.getByRole('heading', { name: 'Customers', exact: true }).waitFor();
  await eventually(async () => (await page.locator('p.count').first().textContent()).trim().startsWith('1 of 2 customers match'), {
    what: 'the list of the customers Lotus brought',
  });
  assert.deepEqual((await page.locator('.name').allTextContents()).map((x) => x.trim()), ['Jade Garden']);
}, { timeout: 180_000 });
