// Export: customers as a spreadsheet (UTF-8 with BOM, so Excel shows Chinese) and their
// contacts as vCard 4.0 cards.
import assert from 'node:assert/strict';
import { scenario } from './lib/harness.mjs';
import {
  csvFile, downloadFrom, gotoNav, importFile, openApp,
} from './lib/ui.mjs';

scenario('customers export as a UTF-8 spreadsheet with BOM and as vCard 4.0 cards', async (s) => {
  const relay = await s.relay();
  const { page } = await s.device(await s.browser(), 'device');
  await openApp(page, relay.url);
  await importFile(page, {
    file: csvFile('customers.csv', [
      ['name', 'type', 'email', 'phone', 'tags', 'city'],
      ['北京茶业有限公司', 'company', 'tea@bjtea.example', '010-8888 6666', 'vip; 华北', '北京'],
      ['=HYPERLINK("x")', 'company', '', '', '', ''],
      ['王芳', 'person', 'wang.fang@example.com', '+86 139 0013 9000', '', '上海'],
    ]),
  });
  await importFile(page, {
    kind: 'Contacts',
    file: csvFile('contacts.csv', [
      ['company', 'name', 'title', 'email', 'phone', 'wechat', 'birthday'],
      ['北京茶业有限公司', '李伟', '采购经理', 'li.wei@bjtea.example', '138 0013 8000', 'liwei88', '1985-03-05'],
    ]),
  });

  await gotoNav(page, 'Import');
  const csv = await downloadFrom(page, 'Export CSV');
  assert.match(csv.name, /^customers-\d{4}-\d{2}-\d{2}\.csv$/);
  assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the spreadsheet starts with the UTF-8 BOM');
  const lines = csv.bytes.subarray(3).toString('utf8').trim().split('\r\n');
  assert.equal(lines.length, 4, 'a header and three customers');
  assert.match(lines[0], /^Name,Type,Customer ID,Email,Phone,Owner,Tags,Industry,Province,City,Source,Contacts,/);
  assert.ok(lines.some((l) => l.startsWith('北京茶业有限公司,Company,,tea@bjtea.example,010-8888 6666,,vip; 华北,,,北京,,1,')), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('王芳,Person,')));
  assert.ok(lines.some((l) => l.startsWith(`"'=HYPERLINK(""x"")",`)), 'a formula-like name is guarded');
  await page.getByRole('status').filter({ hasText: 'Exported 3 customers.' }).waitFor();

  const vcf = await downloadFrom(page, 'Export vCard');
  assert.match(vcf.name, /^contacts-\d{4}-\d{2}-\d{2}\.vcf$/);
  const text = vcf.bytes.toString('utf8');
  assert.ok(text.startsWith('BEGIN:VCARD\r\nVERSION:4.0\r\n'), text.slice(0, 60));
  const cards = text.split('END:VCARD\r\n').filter((c) => c.trim());
  assert.equal(cards.length, 3, 'the company (it has an email), its contact, and the person');
  const li = cards.find((c) => c.includes('FN:李伟'));
  assert.ok(li, text);
  for (const line of ['ORG:北京茶业有限公司', 'TITLE:采购经理', 'EMAIL:li.wei@bjtea.example', 'TEL:138 0013 8000', 'BDAY:19850305', 'IMPP;X-SERVICE-TYPE=WeChat:wechat:liwei88']) {
    assert.ok(li.includes(`\r\n${line}\r\n`), `${line} in\n${li}`);
  }
  await page.getByRole('status').filter({ hasText: 'Exported 3 contact cards.' }).waitFor();
});
