// Team membership: removing a member locks its device out (it is told, cannot sync, and never
// sees what is written afterwards), and a device invited after that reads everything; invites
// that expired or were revoked are refused with a message.
import assert from 'node:assert/strict';
import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { scenario } from './lib/harness.mjs';
import {
  createCustomer, customerLink, eventually, gotoCustomers, gotoNav, joinWith, openApp, readInviteLink, sleep, textbox,
  twoDevices, waitCustomerListed, waitSynced,
} from './lib/ui.mjs';

const teamList = (page) => page.getByRole('list', { name: 'Team' });

/** Settings → Team → "Your name". */
async function nameMe(page, name) {
  await gotoNav(page, 'Settings');
  const box = textbox(page, 'Your name');
  await box.fill(name);
  await box.press('Tab');
  await teamList(page).getByText(name, { exact: true }).waitFor();
}

const removedAlert = (page) => page.getByRole('alert').filter({ hasText: 'This device was removed from the workspace' });

/** Opens an invite link on a fresh device and returns the alert text it shows. */
async function refusedInvite(s, browser, link, label) {
  const d = await s.device(browser, label);
  await d.page.goto(link);
  await d.page.getByRole('heading', { name: 'Customers', exact: true }).waitFor({ timeout: 30_000 });
  const alert = d.page.getByRole('alert').first();
  await alert.waitFor({ timeout: 15_000 });
  return (await alert.textContent()).trim();
}

scenario('a removed member is locked out, and a device invited afterwards reads everything', async (s) => {
  const { browser, a, b, invite } = await twoDevices(s);
  await waitSynced(a.page, { label: 'A' });
  await waitSynced(b.page, { label: 'B' });
  await nameMe(a.page, 'Ana');
  await nameMe(b.page, 'Bo');
  await createCustomer(a.page, 'Before Co');
  await gotoCustomers(b.page);
  await waitCustomerListed(b.page, 'Before Co');

  // A removes Bo, after confirming
  await gotoNav(a.page, 'Settings');
  await teamList(a.page).getByText('Bo', { exact: true }).waitFor({ timeout: 20_000 });
  await a.page.getByRole('button', { name: 'Remove Bo', exact: true }).click();
  const confirm = a.page.getByRole('alertdialog', { name: 'Remove Bo?' });
  await confirm.waitFor();
  assert.match(await confirm.textContent(), /cannot read anything written from now on/);
  await a.page.evaluate(() => { window.beforeRemoval = true; });
  await confirm.getByRole('button', { name: 'Yes, remove', exact: true }).click();

  // B is told, and stops syncing
  await removedAlert(b.page).waitFor({ timeout: 30_000 });
  const status = b.page.getByRole('status', { name: 'Sync status' });
  await eventually(async () => (await status.getAttribute('data-state')) === 'offline', { what: 'B offline for good' });

  // A reloads itself with the new key, sees Bo marked removed, and writes on
  await eventually(async () => (await a.page.evaluate(() => window.beforeRemoval)) === undefined, {
    what: 'A to reload with the new key',
  });
  await a.page.waitForLoadState('load');
  await a.page.getByRole('heading', { name: 'Settings', exact: true, level: 1 }).waitFor({ timeout: 30_000 });
  await waitSynced(a.page, { label: 'A after the rotation' });
  await gotoNav(a.page, 'Settings');
  const bo = teamList(a.page).getByRole('listitem').filter({ hasText: 'Bo' }).first();
  await eventually(async () => /removed/.test(await bo.textContent()), { what: 'Bo marked removed on A' });
  assert.equal(await a.page.getByRole('button', { name: 'Remove Bo', exact: true }).count(), 0, 'no Remove for a removed member');
  await createCustomer(a.page, 'After Co');
  await waitSynced(a.page, { label: 'A after writing' });

  // B never gets it, not even after a reload, and is still told why
  await gotoCustomers(b.page);
  await sleep(3_000);
  assert.equal(await customerLink(b.page, 'After Co').count(), 0, 'B never sees what A wrote after the removal');
  await b.page.reload();
  await removedAlert(b.page).waitFor({ timeout: 30_000 });
  await waitCustomerListed(b.page, 'Before Co');
  assert.equal(await customerLink(b.page, 'After Co').count(), 0, 'not after a reload either');
  // what B types now stays unsent
  await createCustomer(b.page, 'Written by Bo afterwards');
  await eventually(async () => Number(await status.getAttribute('data-pending')) > 0, { what: 'B has unsent changes' });

  // the invite made before the rotation was revoked by it
  const text = await refusedInvite(s, browser, invite, 'holder of the old invite');
  assert.match(text, /This invite was revoked/);

  // a device invited now reads everything, old and new
  const link = await readInviteLink(a.page);
  const c = await s.device(browser, 'device C');
  await joinWith(c.page, link);
  await waitCustomerListed(c.page, 'Before Co', { timeout: 30_000 });
  await waitCustomerListed(c.page, 'After Co', { timeout: 30_000 });
  await waitSynced(c.page, { label: 'C' });
  assert.equal(await customerLink(c.page, 'Written by Bo afterwards').count(), 0);
}, { timeout: 300_000 });

/** The relay token of a workspace that never rotated, from its secret (crm_core::crypto). */
function genesisKeys(secretHex) {
  const secret = Buffer.from(secretHex, 'hex');
  const derive = (info, len) => Buffer.from(hkdfSync('sha256', secret, Buffer.from('local-first-crm/v1'), Buffer.from(info), len));
  return { workspace: derive('workspace-id', 16).toString('hex'), token: derive('relay-auth-token', 32).toString('hex') };
}

/** An invite's id and token (crm_core::members::InviteSecret). */
function inviteKeys(secret) {
  const derive = (info, len) =>
    Buffer.from(hkdfSync('sha256', secret, Buffer.from('local-first-crm/v1/invite'), Buffer.from(info), len));
  return { id: derive('invite-id', 16).toString('hex'), token: derive('invite-token', 32) };
}

scenario('an expired or revoked invite is refused with a message', async (s) => {
  const relay = await s.relay();
  const browser = await s.browser();
  const a = await s.device(browser, 'device A');
  await openApp(a.page, relay.url);

  // revoked: made for a day, then revoked from the list
  const link = await readInviteLink(a.page, { expires: '1 day' });
  const revoke = a.page.getByRole('button', { name: /^Revoke the invite created / });
  await revoke.first().waitFor();
  assert.equal(await revoke.count(), 1, 'one outstanding invite is listed');
  await revoke.first().click();
  await a.page.getByText('Invite revoked: its link no longer works.').waitFor();
  await eventually(async () => (await revoke.count()) === 0, { what: 'the revoked invite leaves the list' });
  assert.match(await refusedInvite(s, browser, link, 'holder of the revoked invite'), /This invite was revoked/);

  // expired: an invite that lives a second and a half, made straight at the relay
  const secretHex = await a.page.evaluate(() => localStorage.getItem('crm.workspace-secret'));
  const { workspace, token } = genesisKeys(secretHex);
  const invite = randomBytes(32);
  const ik = inviteKeys(invite);
  const res = await fetch(`${relay.url.replace(/\/$/, '')}/workspaces/${workspace}/invites`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      id: ik.id,
      token_hash: createHash('sha256').update(ik.token).digest('hex'),
      expires_at: Date.now() + 1500,
      envelope: randomBytes(100).toString('hex'),
    }),
  });
  assert.equal(res.status, 201, await res.text());
  await sleep(2_000);
  const expired = `${relay.url.replace(/\/$/, '')}/#invite=${invite.toString('hex')}`;
  assert.match(await refusedInvite(s, browser, expired, 'holder of the expired invite'), /This invite has expired/);

  // the invite left the address bar, and the device still works on its own (new) workspace
  await a.page.reload();
});
