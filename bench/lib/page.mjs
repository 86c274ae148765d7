// What the bench installs in a measured page, for our app and for the comparator's harness
// alike (they name their controls the same way): finding controls, timing until a frame is
// painted, and the cold-start probe. Functions passed to Playwright run in the page.

// Installed in every document of a measured page. Controls are found as docs/CONTRACTS.md
// names them; the list's count line ("N customers", "X of N customers match") is `p.count`.
export function pageHelpers() {
  if (window.__bench) return;
  const labelled = (text) => [...document.querySelectorAll('label')].find((l) => l.textContent.trim() === text)?.control ?? null;
  window.__bench = {
    labelled,
    list: () => document.querySelector('[role="list"][aria-label="Customer list"]'),
    count: () => document.querySelector('p.count')?.textContent.trim() ?? '',
    /** Runs `fn` once the frame being drawn has been painted (a task queued from rAF). */
    afterPaint(fn) {
      const ch = new MessageChannel();
      ch.port1.onmessage = fn;
      ch.port2.postMessage(0);
    },
    /** Types a whole value into an input as one `input` event. */
    setValue(el, value) {
      el.value = value;
      el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: value }));
    },
    /**
     * At the start of a frame, runs `act`; then after each painted frame checks `done`.
     * Resolves with ms from `act` to the end of the first painted frame where `done()` holds.
     */
    timeToPaint(act, done, timeoutMs = 10000) {
      return new Promise((resolve, reject) => {
        requestAnimationFrame(() => {
          const t0 = performance.now();
          act();
          const check = () => {
            const ok = done();
            const t = performance.now() - t0;
            if (ok) resolve(t);
            else if (t > timeoutMs) reject(new Error(`not done within ${timeoutMs} ms`));
            else requestAnimationFrame(() => window.__bench.afterPaint(check));
          };
          window.__bench.afterPaint(check);
        });
      });
    },
  };
}

// Cold start probe: from navigation start (performance.now() = 0) until the list shows rows,
// then type `query` and wait until the list shows just the customer named `name`.
export function coldStartProbe({ query, name }) {
  const t = { done: false };
  window.__cold = t;
  const tick = () => {
    const b = window.__bench;
    const list = b?.list();
    if (!t.listed) {
      const box = b?.labelled('Search customers');
      if (list && list.querySelector('a') && box) {
        t.listed = performance.now();
        b.setValue(box, query);
      }
    } else {
      const links = list ? list.querySelectorAll('a') : [];
      if (links.length === 1 && links[0].textContent.trim().startsWith(name)) {
        b.afterPaint(() => {
          t.searchable = performance.now();
          t.done = true;
        });
        return;
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

export async function installHelpers(page) {
  await page.addInitScript(pageHelpers);
  await page.evaluate(pageHelpers);
}
