// Team settings: pipelines and stages, custom fields, loyalty tiers and the default currency
// changed on one device show on the other (they are one synced workspace document).
import assert from 'node:assert/strict';
import { scenario } from './lib/harness.mjs';
import {
  assertNoHorizontalScroll, boardColumn, eventually, gotoNav, openApp, readInviteLink, twoDevices, waitSynced,
} from './lib/ui.mjs';

/** Values of every "Stage name" box on the settings page, in order. */
const stageNames = (page) =>
  page.getByRole('textbox', { name: 'Stage name', exact: true }).evaluateAll((els) => els.map((e) => e.value || e.placeholder));

const stageGroup = (page, n) => page.getByRole('group', { name: `Stage ${n}`, exact: true });
const fieldsList = (page) => page.getByRole('list', { name: 'Custom fields', exact: true });

scenario('a stage, a custom field, a tier and the currency set on one device reach the other', async (s) => {
  const { a, b } = await twoDevices(s);
  await waitSynced(b.page, { label: 'B' });
  await gotoNav(b.page, 'Settings');

  // A adds a stage "Demo": it goes before the closing stages
  assert.deepEqual(await stageNames(a.page), ['Lead', 'Qualified', 'Proposal', 'Negotiation', 'Won', 'Lost']);
  await a.page.getByLabel('New stage', { exact: true }).fill('Demo');
  await a.page.getByRole('button', { name: 'Add stage', exact: true }).click();
  await eventually(async () => (await stageNames(a.page)).join() === 'Lead,Qualified,Proposal,Negotiation,Demo,Won,Lost', {
    what: 'A: Demo before Won',
  });
  // and a custom field of each kind that needs saying
  await a.page.getByLabel('Field label', { exact: true }).fill('VAT number');
  await a.page.getByRole('button', { name: 'Add field', exact: true }).click();
  await a.page.getByLabel('Field label', { exact: true }).fill('Shirt size');
  await a.page.getByLabel('Field type', { exact: true }).selectOption({ label: 'Choice' });
  await a.page.getByLabel('Choices (comma-separated)', { exact: true }).fill('S, M, L');
  await a.page.getByRole('button', { name: 'Add field', exact: true }).click();
  await fieldsList(a.page).getByRole('listitem').filter({ hasText: 'Shirt size' }).waitFor();
  // and a loyalty tier
  await a.page.getByLabel('New tier', { exact: true }).fill('Platinum');
  await a.page.locator('form.add-tier').getByLabel('Minimum points', { exact: true }).fill('20000');
  await a.page.getByRole('button', { name: 'Add tier', exact: true }).click();
  await waitSynced(a.page, { label: 'A' });

  // B sees all of it without reloading
  await eventually(async () => (await stageNames(b.page)).join() === 'Lead,Qualified,Proposal,Negotiation,Demo,Won,Lost', {
    what: 'B: the Demo stage',
  });
  const vat = fieldsList(b.page).getByRole('listitem').filter({ hasText: 'VAT number' });
  await vat.waitFor();
  assert.match(await vat.innerText(), /Text/);
  const size = fieldsList(b.page).getByRole('listitem').filter({ hasText: 'Shirt size' });
  assert.match(await size.innerText(), /Choice[\s\S]*S, M, L/);
  await eventually(
    async () => (await b.page.getByRole('textbox', { name: 'Tier name', exact: true }).evaluateAll((els) => els.map((e) => e.value))).includes('Platinum'),
    { what: 'B: the Platinum tier' },
  );

  // B sets Demo's win probability and moves it up; B also changes the currency
  const demo = stageGroup(b.page, 5);
  assert.equal(await demo.getByRole('textbox', { name: 'Stage name', exact: true }).inputValue(), 'Demo');
  const odds = demo.getByRole('spinbutton', { name: 'Win probability (%)', exact: true });
  await odds.fill('60');
  await odds.press('Tab');
  await demo.getByRole('button', { name: 'Move up', exact: true }).click();
  await eventually(async () => (await stageNames(b.page)).join() === 'Lead,Qualified,Proposal,Demo,Negotiation,Won,Lost', {
    what: 'B: Demo moved up',
  });
  await b.page.getByLabel('Default currency', { exact: true }).selectOption('USD');
  await waitSynced(b.page, { label: 'B' });

  await eventually(async () => (await stageNames(a.page)).join() === 'Lead,Qualified,Proposal,Demo,Negotiation,Won,Lost', {
    what: 'A: Demo moved up by B',
  });
  await eventually(async () => (await stageGroup(a.page, 4).getByRole('spinbutton', { name: 'Win probability (%)', exact: true }).inputValue()) === '60', {
    what: 'A: Demo at 60 %',
  });
  await eventually(async () => (await a.page.getByLabel('Default currency', { exact: true }).inputValue()) === 'USD', { what: 'A: USD' });

  // the board on A has the new column in its place
  await gotoNav(a.page, 'Pipeline');
  assert.deepEqual(await a.page.locator('.board h2').allInnerTexts(), ['Lead', 'Qualified', 'Proposal', 'Demo', 'Negotiation', 'Won', 'Lost']);
  await boardColumn(a.page, 'Demo').waitFor();

  // A removes the field; B sees it go
  await gotoNav(a.page, 'Settings');
  await a.page.getByRole('button', { name: 'Remove field VAT number', exact: true }).click();
  await waitSynced(a.page, { label: 'A' });
  await vat.waitFor({ state: 'detached' });

  // a second pipeline gets its own stages, and the board a pipeline switcher (on B too)
  await a.page.getByLabel('New pipeline', { exact: true }).fill('Renewals');
  await a.page.getByRole('button', { name: 'Add pipeline', exact: true }).click();
  const renewals = a.page.getByRole('region', { name: 'Renewals', exact: true });
  await renewals.getByLabel('New stage', { exact: true }).fill('Contacted');
  await renewals.getByRole('button', { name: 'Add stage', exact: true }).click();
  await eventually(async () => (await stageNames(renewals)).join() === 'Contacted,Won,Lost', { what: 'A: the Renewals stages' });
  await waitSynced(a.page, { label: 'A' });
  await gotoNav(b.page, 'Pipeline');
  await b.page.getByLabel('Pipeline', { exact: true }).selectOption({ label: 'Renewals' });
  await eventually(async () => (await b.page.locator('.board h2').allInnerTexts()).join() === 'Contacted,Won,Lost', {
    what: 'B: the Renewals board',
  });
});

scenario('settings fit a 390 px phone and keep the invite link', async (s) => {
  const relay = await s.relay();
  const browser = await s.browser();
  const { page } = await s.device(browser, 'phone');
  await page.setViewportSize({ width: 390, height: 844 });
  await openApp(page, relay.url);
  await readInviteLink(page); // "Invite link" and "Copy" are still there
  await assertNoHorizontalScroll(page, 'Settings at 390 px');
  // a stage can be removed only when no deal is in it; a fresh one can
  await page.getByLabel('New stage', { exact: true }).fill('Temporary');
  await page.getByRole('button', { name: 'Add stage', exact: true }).click();
  const temp = page.getByRole('group', { name: 'Stage 5', exact: true });
  await eventually(async () => (await temp.getByRole('textbox', { name: 'Stage name', exact: true }).inputValue()) === 'Temporary', { what: 'the new stage' });
  await temp.getByRole('button', { name: 'Remove stage', exact: true }).click();
  await eventually(async () => (await stageNames(page)).join() === 'Lead,Qualified,Proposal,Negotiation,Won,Lost', { what: 'the stage removed' });
});
