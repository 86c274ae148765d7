// English and 简体中文: the language picked in Settings applies everywhere at once and survives a
// reload; a browser set to Chinese starts in Chinese.
import assert from 'node:assert/strict';
import { scenario } from './lib/harness.mjs';
import {
  eventually, gotoNav, openApp, waitSynced,
} from './lib/ui.mjs';

const navText = (page) => page.getByRole('navigation').first().innerText();

async function expectChinese(page, what) {
  const nav = page.getByRole('navigation', { name: '主导航', exact: true });
  await nav.waitFor();
  for (const link of ['客户', '销售管道', '我的任务', '回收站', '设置']) {
    await nav.getByRole('link', { name: link, exact: true }).waitFor();
  }
  const text = await nav.innerText();
  assert.doesNotMatch(text, /[A-Za-z]/, `${what}: no English words in the navigation (${JSON.stringify(text)})`);
  const status = page.getByRole('status', { name: '同步状态', exact: true });
  await eventually(async () => /^(离线|连接中…|同步中…|已同步)/.test((await status.innerText()).trim()), {
    what: `${what}: the sync status in Chinese`,
  });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
}

scenario('choosing 简体中文 in Settings turns the whole app Chinese, and a reload keeps it', async (s) => {
  const relay = await s.relay();
  const browser = await s.browser();
  const { page } = await s.device(browser, 'device A');
  await openApp(page, relay.url);
  await waitSynced(page);
  await gotoNav(page, 'Settings');
  await page.getByLabel('Language', { exact: true }).selectOption({ label: '简体中文' });

  await page.getByRole('heading', { name: '设置', exact: true, level: 1 }).waitFor();
  await expectChinese(page, 'after switching');
  await page.getByRole('status', { name: '同步状态', exact: true }).filter({ hasText: '已同步' }).waitFor();
  await page.getByLabel('邀请有效期', { exact: true }).waitFor();
  await page.getByRole('button', { name: '创建邀请链接', exact: true }).click();
  await page.getByRole('textbox', { name: '邀请链接', exact: true }).waitFor();
  await page.getByRole('button', { name: /^撤销创建于 / }).waitFor();
  await page.getByRole('heading', { name: '管道与阶段', exact: true }).waitFor();
  assert.equal(await page.getByRole('textbox', { name: '阶段名称', exact: true }).first().getAttribute('placeholder'), '线索');

  // every screen of this part of the app
  await gotoNav(page, '销售管道');
  await page.getByRole('region', { name: '线索', exact: true }).waitFor();
  await page.getByRole('button', { name: '新建商机', exact: true }).waitFor();
  await gotoNav(page, '我的任务');
  await page.getByRole('button', { name: '新建任务', exact: true }).waitFor();
  await gotoNav(page, '回收站');
  await page.getByText('回收站是空的。', { exact: true }).waitFor();

  await page.reload();
  await expectChinese(page, 'after a reload');
  await page.getByRole('heading', { name: '回收站', exact: true, level: 1 }).waitFor();

  // and back
  await gotoNav(page, '设置');
  await page.getByLabel('语言', { exact: true }).selectOption({ label: 'English' });
  await page.getByRole('heading', { name: 'Settings', exact: true, level: 1 }).waitFor();
  assert.match(await navText(page), /Customers/);
});

scenario('a browser whose language is Chinese starts in Chinese', async (s) => {
  const relay = await s.relay();
  const browser = await s.browser();
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1100, height: 900 } });
  s.contexts.push(context);
  const page = await context.newPage();
  s.devices.push({ label: 'zh-CN browser', page });
  await page.goto(relay.url);
  await expectChinese(page, 'first start');
  await gotoNav(page, '设置');
  assert.equal(await page.getByLabel('语言', { exact: true }).inputValue(), 'zh');
});
