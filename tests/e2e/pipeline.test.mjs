// The pipeline board: deals move by keyboard and by drag and drop, the column totals follow,
// a move into "Lost" asks why, and the other device sees every move.
import assert from 'node:assert/strict';
import { scenario } from './lib/harness.mjs';
import {
  addDealOnBoard, assertNoHorizontalScroll, boardColumn, createCustomer, dealCard, eventually, gotoNav, openApp, twoDevices, waitSynced,
} from './lib/ui.mjs';

/** The column's header text, e.g. "2 deals · CN¥3,500.00 Weighted CN¥1,750.00". */
const columnHead = (page, stage) => boardColumn(page, stage).locator('header').innerText();

async function waitColumnHead(page, stage, parts, what) {
  let seen;
  await eventually(
    async () => {
      seen = await columnHead(page, stage);
      return parts.every((p) => seen.includes(p));
    },
    { what: `${what}: column "${stage}" header to contain ${JSON.stringify(parts)} (seen ${JSON.stringify(seen)})` },
  );
}

/** Drag a card onto a column by mouse (HTML5 drag and drop), the column scrolled into view first. */
async function dragCard(page, title, stage) {
  await boardColumn(page, stage).scrollIntoViewIfNeeded();
  await dealCard(page, title).dragTo(boardColumn(page, stage));
}

async function waitCardIn(page, stage, title, what) {
  await eventually(async () => (await boardColumn(page, stage).getByRole('article', { name: title, exact: true }).count()) === 1, {
    what: `${what}: "${title}" in column "${stage}"`,
  });
}

scenario('deals move by keyboard and by drag and drop, totals follow, and the other device sees the moves', async (s) => {
  const { a, b } = await twoDevices(s);
  await waitSynced(a.page, { label: 'A' });

  await createCustomer(a.page, 'Acme Trading');
  await gotoNav(a.page, 'Pipeline');
  // the built-in pipeline: open stages first, won / lost last
  const headings = await a.page.locator('.board h2').allInnerTexts();
  assert.deepEqual(headings, ['Lead', 'Qualified', 'Proposal', 'Negotiation', 'Won', 'Lost']);
  await a.page.getByText('No deals in this pipeline yet', { exact: false }).waitFor();

  await addDealOnBoard(a.page, { customer: 'Acme Trading', title: 'Big order', amount: '3000', stage: 'Lead' });
  await waitCardIn(a.page, 'Lead', 'Big order', 'A');
  await waitColumnHead(a.page, 'Lead', ['1 deal', '3,000.00', 'Weighted', '300.00'], 'A');
  const card = dealCard(a.page, 'Big order');
  assert.equal(await card.getByRole('link').innerText(), 'Acme Trading', 'the card links its customer');

  // keyboard: Alt+→ moves to the next stage, focus stays on the card, the move is announced
  await card.focus();
  await a.page.keyboard.press('Alt+ArrowRight');
  await waitCardIn(a.page, 'Qualified', 'Big order', 'A after Alt+→');
  await eventually(async () => (await a.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) === 'Big order', {
    what: 'focus back on the moved card',
  });
  await a.page.locator('.announce').filter({ hasText: 'Moved Big order to Qualified.' }).waitFor({ state: 'attached' });
  await waitColumnHead(a.page, 'Lead', ['0 deals'], 'A');
  await waitColumnHead(a.page, 'Qualified', ['1 deal', '3,000.00', '750.00'], 'A');
  // and the card's own "Stage of …" select
  await a.page.getByLabel('Stage of Big order', { exact: true }).selectOption({ label: 'Lead' });
  await waitCardIn(a.page, 'Lead', 'Big order', 'A after the select');

  // drag and drop onto "Proposal"
  await dragCard(a.page, 'Big order', 'Proposal');
  await waitCardIn(a.page, 'Proposal', 'Big order', 'A after the drop');
  await addDealOnBoard(a.page, { customer: 'Acme Trading', title: 'Small order', amount: '500', stage: 'Proposal' });
  await waitColumnHead(a.page, 'Proposal', ['2 deals', '3,500.00', 'Weighted', '1,750.00'], 'A');
  await a.page.getByText('Open: 2 deals', { exact: false }).waitFor();

  // device B sees the board as A left it
  await waitSynced(a.page, { label: 'A' });
  await gotoNav(b.page, 'Pipeline');
  await waitCardIn(b.page, 'Proposal', 'Big order', 'B');
  await waitCardIn(b.page, 'Proposal', 'Small order', 'B');
  await waitColumnHead(b.page, 'Proposal', ['2 deals', '3,500.00'], 'B');

  // B: moving into "Lost" asks why; Esc leaves the deal where it was
  await dealCard(b.page, 'Small order').focus();
  await b.page.keyboard.press('Alt+ArrowRight'); // Negotiation
  await waitCardIn(b.page, 'Negotiation', 'Small order', 'B');
  await b.page.getByLabel('Stage of Small order', { exact: true }).selectOption({ label: 'Lost' });
  const dialog = b.page.getByRole('dialog', { name: 'Why was “Small order” lost?' });
  await dialog.waitFor();
  assert.ok(await dialog.getByLabel('Lost reason', { exact: true }).evaluate((el) => el === document.activeElement), 'the reason box has focus');
  await b.page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await waitCardIn(b.page, 'Negotiation', 'Small order', 'B after Esc');
  assert.equal(await b.page.getByLabel('Stage of Small order', { exact: true }).inputValue(), 'negotiation', 'the select shows the stage again');
  // drag into "Lost", give a reason
  await dragCard(b.page, 'Small order', 'Lost');
  await dialog.waitFor();
  await dialog.getByLabel('Lost reason', { exact: true }).fill('Too expensive');
  await dialog.getByRole('button', { name: 'Mark as lost', exact: true }).click();
  await waitCardIn(b.page, 'Lost', 'Small order', 'B');
  assert.match(await dealCard(b.page, 'Small order').innerText(), /Lost/);
  // and "Won" closes the deal as won
  await dragCard(b.page, 'Big order', 'Won');
  await waitCardIn(b.page, 'Won', 'Big order', 'B');
  await waitColumnHead(b.page, 'Won', ['1 deal', '3,000.00'], 'B');

  await waitSynced(b.page, { label: 'B' });
  await waitCardIn(a.page, 'Lost', 'Small order', 'A sees B’s move');
  await waitCardIn(a.page, 'Won', 'Big order', 'A sees B’s move');
  await waitColumnHead(a.page, 'Proposal', ['0 deals'], 'A');
});

scenario('the pipeline board fits a 390 px phone: only the board scrolls sideways', async (s) => {
  const relay = await s.relay();
  const browser = await s.browser();
  const a = await s.device(browser, 'phone');
  await a.page.setViewportSize({ width: 390, height: 844 });
  await openApp(a.page, relay.url);
  await createCustomer(a.page, 'Phone Co');
  await a.page.goto(new URL('/pipeline', relay.url).href);
  await a.page.getByRole('heading', { name: 'Pipeline', exact: true }).waitFor();
  await addDealOnBoard(a.page, { customer: 'Phone Co', title: 'Pocket deal', amount: '12', stage: 'Qualified' });
  await assertNoHorizontalScroll(a.page, 'pipeline at 390 px');
  const board = await a.page.locator('.board').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  assert.ok(board.scroll > board.client, `the board scrolls inside itself (${JSON.stringify(board)})`);
  // the keyboard still moves deals
  await dealCard(a.page, 'Pocket deal').focus();
  await a.page.keyboard.press('Alt+ArrowLeft');
  await waitCardIn(a.page, 'Lead', 'Pocket deal', 'phone');
});
