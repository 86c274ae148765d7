// CSV import: a GBK spreadsheet from Excel in China, the CDNOW orders sample, and a large
// import cancelled half-way.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenario } from './lib/harness.mjs';
import {
  assertNoHorizontalScroll, chooseImportFile, csvFile, customerCount, customerList, downloadFrom, eventually, gotoNav, importFile, openApp, readInviteLink, runImport, waitSynced,
} from './lib/ui.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const GBK = path.join(here, 'fixtures', 'customers-gbk.csv');
const CDNOW = process.env.CRM_CDNOW || path.resolve(here, '../../../shared/data/cdnow_sample_orders.csv');

const select = (page, name) => page.getByRole('combobox', { name, exact: true });

scenario('a GBK spreadsheet with Chinese headers imports its good rows and lists the bad ones by line', async (s) => {
  const relay = await s.relay();
  const { page } = await s.device(await s.browser(), 'device');
  await openApp(page, relay.url);

  const status = await chooseImportFile(page, { kind: 'Customers', file: GBK });
  assert.match(status, /Detected: GB18030 \(GBK\)/, status);
  // the mapping is guessed from the Chinese headers
  for (const [header, field] of [['客户名称', 'name'], ['邮箱', 'email'], ['手机', 'phone'], ['城市', 'city'], ['备注', 'notes']]) {
    assert.equal(await select(page, header).inputValue(), field, `column ${header}`);
  }
  // the preview shows the quoted field with its comma and line break as one cell
  const cell = page.getByRole('region', { name: 'First rows of the file' }).locator('td', { hasText: '老客户, 每月订货' });
  assert.equal((await cell.textContent()).trim(), '老客户, 每月订货\n重点客户');

  const summary = await runImport(page);
  assert.deepEqual(
    { imported: summary['Imported rows'], rejected: summary.Rejected, created: summary['New customers'] },
    { imported: 4, rejected: 2, created: 4 },
  );
  const rejected = page.getByRole('list', { name: 'Rejected rows' }).getByRole('listitem');
  assert.deepEqual(
    (await rejected.allTextContents()).map((t) => t.trim()),
    ['Line 5: Email “not-an-email” is not an email address', 'Line 7: Name is missing'],
  );

  const { name, bytes } = await downloadFrom(page, 'Download rejected rows');
  assert.match(name, /\.csv$/);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the rejected rows file starts with the UTF-8 BOM');
  const lines = bytes.subarray(3).toString('utf8').split('\r\n');
  assert.equal(lines[0], 'import_line,import_reason,客户名称,邮箱,手机,城市,备注');
  assert.equal(lines[1], '5,Email “not-an-email” is not an email address,广州糖业,not-an-email,13700137003,广州,');
  assert.equal(lines[2], '7,Name is missing,,noname@x.example,13500135005,杭州,');

  assert.equal(await customerCount(page), 4);
  const names = (await customerList(page).locator('.name').allTextContents()).map((n) => n.trim()).sort();
  assert.deepEqual(names, ['上海咖啡', '北京茶业有限公司', '成都火锅', '深圳电子'].sort());
  await waitSynced(page, { label: 'after the import' });
});

scenario('the CDNOW orders file imports as 2,357 customers with 6,919 orders', async (s) => {
  const relay = await s.relay();
  const { page } = await s.device(await s.browser(), 'device');
  await openApp(page, relay.url);

  await chooseImportFile(page, { kind: 'Orders', file: CDNOW });
  for (const [header, field] of [['customer_id', 'customer'], ['date', 'date'], ['quantity', 'quantity'], ['amount', 'amount']]) {
    assert.equal(await select(page, header).inputValue(), field, `column ${header}`);
  }
  await page.getByRole('combobox', { name: 'Currency of amounts without one' }).selectOption('USD');
  const summary = await runImport(page, { timeout: 180_000 });
  assert.equal(summary['New customers'], 2357);
  assert.equal(summary['Orders added'], 6919);
  assert.equal(summary.Rejected, 0);

  assert.equal(await customerCount(page), 2357);
  await page.reload();
  await page.getByRole('heading', { name: 'Customers', exact: true }).waitFor({ timeout: 30_000 });
  assert.equal(await customerCount(page), 2357, 'after a reload: the import is stored');

  // every order is stored: the exported spreadsheet's Orders column adds up to 6,919
  await gotoNav(page, 'Import');
  const { bytes } = await downloadFrom(page, 'Export CSV');
  const rows = bytes.subarray(3).toString('utf8').trim().split('\r\n').map((l) => l.split(','));
  const col = rows[0].indexOf('Orders');
  assert.ok(col >= 0, `an Orders column in ${rows[0]}`);
  assert.equal(rows.length - 1, 2357);
  assert.equal(rows.slice(1).reduce((sum, r) => sum + Number(r[col]), 0), 6919);
  assert.ok(rows.some((r) => r[0] === 'Customer 00004'), 'customer 00004 is named after its id');
  await waitSynced(page, { timeout: 60_000, label: 'the imported customers reach the relay' });
}, { timeout: 360_000 });

scenario('cancelling a 50,000-row import half-way leaves nothing behind', async (s) => {
  const relay = await s.relay();
  const { page } = await s.device(await s.browser(), 'device');
  await openApp(page, relay.url);
  await importFile(page, {
    file: csvFile('three.csv', [['name', 'email'], ['Alpha', 'a@a.example'], ['Beta', 'b@b.example'], ['Gamma', 'c@c.example']]),
  });
  assert.equal(await customerCount(page), 3);
  await waitSynced(page, { label: 'before the big import' });

  const rows = [['name', 'email', 'phone', 'city', 'tags']];
  for (let i = 0; i < 50_000; i++) rows.push([`Bulk ${i}`, `bulk${i}@example.com`, `+86 139 ${String(i).padStart(8, '0')}`, '杭州', 'bulk']);
  await chooseImportFile(page, { file: csvFile('bulk.csv', rows) });

  // the page must keep responding while it works: record long tasks
  await page.evaluate(() => {
    window.__longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: 'longtask' });
  });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const progress = page.getByRole('progressbar', { name: 'Import progress' });
  await progress.waitFor();
  const text = page.locator('.progress-text');
  // wait until it is writing, and some customers are written into the open transaction
  await eventually(async () => /^Saving: ([1-9][\d,]*) of 50,000 customers$/.test((await text.textContent()).trim()), {
    timeout: 60_000,
    interval: 50,
    what: 'the import to be saving customers',
  });
  const clickedAt = Date.now();
  await page.getByRole('button', { name: 'Cancel import', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Import cancelled: nothing was imported.' }).waitFor({ timeout: 30_000 });
  assert.ok(Date.now() - clickedAt < 10_000, 'cancel takes effect at once');
  const longest = await page.evaluate(() => window.__longest);
  assert.ok(longest < 500, `no task blocked the page for long while importing (longest: ${longest} ms)`);

  assert.equal(await customerCount(page), 3, 'nothing of the cancelled import is listed');
  await waitSynced(page, { label: 'after cancelling' });
  await page.reload();
  await page.getByRole('heading', { name: 'Customers', exact: true }).waitFor({ timeout: 30_000 });
  assert.equal(await customerCount(page), 3, 'nothing of the cancelled import is stored');

  // and a second device of the workspace never hears of it either
  const { page: other } = await s.device(await s.browser(), 'second device');
  const link = await readInviteLink(page);
  await other.goto(link);
  await other.getByRole('heading', { name: 'Customers', exact: true }).waitFor({ timeout: 30_000 });
  await waitSynced(other, { label: 'second device' });
  assert.equal(await customerCount(other), 3);
}, { timeout: 300_000 });

scenario('the import screen speaks Chinese, fits a phone, works by keyboard and remembers the mapping', async (s) => {
  const relay = await s.relay();
  const { page } = await s.device(await s.browser(), 'device');
  await openApp(page, relay.url);
  await page.evaluate(() => localStorage.setItem('crm.locale', 'zh-CN'));
  await page.reload();
  await page.setViewportSize({ width: 390, height: 844 });
  await gotoNav(page, '导入');

  await page.getByRole('radio', { name: '客户', exact: true }).check();
  await page.getByLabel('CSV 文件', { exact: true }).setInputFiles(GBK);
  await page.getByText('检测到编码：GB18030（GBK）').waitFor({ timeout: 30_000 });
  await select(page, '城市').selectOption('ignore');
  await assertNoHorizontalScroll(page, 'columns and preview at 390 px');

  const start = page.getByRole('button', { name: '导入', exact: true });
  await start.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: '导入完成', exact: true }).waitFor({ timeout: 60_000 });
  const summary = await page.getByLabel('导入摘要', { exact: true }).evaluate((dl) =>
    Object.fromEntries([...dl.querySelectorAll('dt')].map((dt) => [dt.textContent.trim(), dt.nextElementSibling.textContent.trim()])));
  assert.equal(summary['已导入的行'], '4');
  assert.equal(summary['被拒绝'], '2');
  const rejected = page.getByRole('list', { name: '被拒绝的行' }).getByRole('listitem');
  assert.deepEqual((await rejected.allTextContents()).map((t) => t.trim()), [
    '第 5 行：邮箱“not-an-email”不是有效的邮箱地址',
    '第 7 行：缺少名称',
  ]);
  await assertNoHorizontalScroll(page, 'the result at 390 px');

  // the same columns next time: the changed choice is remembered
  await page.getByRole('button', { name: '重新选择文件', exact: true }).click();
  await page.getByLabel('CSV 文件', { exact: true }).setInputFiles(GBK);
  await page.getByText('检测到编码：GB18030（GBK）').waitFor({ timeout: 30_000 });
  assert.equal(await select(page, '城市').inputValue(), 'ignore', 'the mapping of the last import is reapplied');
  assert.equal(await select(page, '客户名称').inputValue(), 'name');
});
