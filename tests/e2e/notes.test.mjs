// Notes are collaborative text: two people typing into the same note on two devices at the
// same time (online, or both offline and reconnecting later) both keep every character.
import assert from 'node:assert/strict';
import { scenario } from './lib/harness.mjs';
import {
  createCustomer, eventually, noteBox, openCustomer, region, sleep, twoDevices, waitCustomerListed, waitState, waitSynced,
} from './lib/ui.mjs';

/** Two devices of one workspace, both on the same customer's "Note 1" holding `text`. */
async function twoDevicesOnOneNote(s, text) {
  const { relay, a, b } = await twoDevices(s);
  await createCustomer(a.page, 'Harbour Hotel');
  await region(a.page, 'Notes').getByRole('button', { name: 'Add note', exact: true }).click();
  const noteA = noteBox(a.page, 1);
  await eventually(async () => noteA.evaluate((el) => el === document.activeElement), { what: 'the new note focused' });
  await a.page.keyboard.type(text);
  await waitCustomerListed(b.page, 'Harbour Hotel');
  await openCustomer(b.page, 'Harbour Hotel');
  const noteB = noteBox(b.page, 1);
  await eventually(async () => (await noteB.inputValue()) === text, { timeout: 20_000, what: `B's note to read ${JSON.stringify(text)}` });
  await waitSynced(a.page, { label: 'A' });
  await waitSynced(b.page, { label: 'B' });
  return { relay, a, b, noteA, noteB };
}

/** Type `text` at the end (`where` = 'end') or the start of a note, key by key. */
async function typeInto(page, box, where, text) {
  await box.click();
  await page.keyboard.press(where === 'end' ? 'Control+End' : 'Control+Home');
  await page.keyboard.type(text, { delay: 35 });
}

async function waitBothRead(noteA, noteB, expected) {
  for (const [box, label] of [[noteA, 'A'], [noteB, 'B']]) {
    let seen;
    await eventually(
      async () => {
        seen = await box.inputValue();
        return seen === expected;
      },
      { timeout: 30_000, what: `${label}'s note to read ${JSON.stringify(expected)} (seen ${JSON.stringify(seen)})` },
    );
  }
}

scenario('two devices typing into one note at the same time keep every character', async (s) => {
  const { a, b, noteA, noteB } = await twoDevicesOnOneNote(s, 'Wants the sea-view rooms.');

  // A types at the end while B types at the start, at the same time
  await Promise.all([
    typeInto(a.page, noteA, 'end', ' Check in 3 May, late arrival.'),
    typeInto(b.page, noteB, 'start', 'VIP: '),
  ]);
  await waitBothRead(noteA, noteB, 'VIP: Wants the sea-view rooms. Check in 3 May, late arrival.');
  // and once more, the other way round
  await Promise.all([
    typeInto(a.page, noteA, 'start', '[A] '),
    typeInto(b.page, noteB, 'end', ' [B]'),
  ]);
  await waitBothRead(noteA, noteB, '[A] VIP: Wants the sea-view rooms. Check in 3 May, late arrival. [B]');

  // and it is stored: a reload shows the same text
  await sleep(800);
  await waitSynced(a.page, { label: 'A' });
  await b.page.reload();
  await eventually(async () => (await noteBox(b.page, 1).inputValue()).startsWith('[A] VIP:'), {
    timeout: 30_000,
    what: 'the merged note after a reload',
  });
});

scenario('two devices typing into one note while offline keep every character after reconnecting', async (s) => {
  const { relay, a, b, noteA, noteB } = await twoDevicesOnOneNote(s, 'Prefers green tea.');

  // both cut off: A's browser goes offline and the relay stops
  await a.context.setOffline(true);
  await relay.stop();
  await waitState(a.page, ['offline', 'connecting'], { label: 'A' });
  await waitState(b.page, ['offline', 'connecting'], { label: 'B' });

  await Promise.all([
    typeInto(a.page, noteA, 'end', ' Allergic to peanuts.'),
    typeInto(b.page, noteB, 'start', 'Chef Liu: '),
  ]);
  await sleep(800); // past the save debounce: both are stored locally, unsent
  for (const [d, label] of [[a, 'A'], [b, 'B']]) {
    await eventually(async () => Number(await d.page.getByRole('status', { name: 'Sync status' }).getAttribute('data-pending')) > 0, {
      what: `${label} to count its note typing as unsent`,
    });
  }

  await relay.start();
  await a.context.setOffline(false);
  await waitSynced(a.page, { label: 'A', timeout: 60_000 });
  await waitSynced(b.page, { label: 'B', timeout: 60_000 });
  await waitBothRead(noteA, noteB, 'Chef Liu: Prefers green tea. Allergic to peanuts.');
  assert.equal(await noteA.inputValue(), await noteB.inputValue());
});
