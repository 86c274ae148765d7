// Time limits for the bench's steps: every measurement of ours and of the comparator runs
// inside one, so a run always stops by itself.

/** Runs `body(ms)` within `ms`; rejects with a message naming `what` when it takes longer. */
export async function within(what, ms, body) {
  let timer;
  try {
    return await Promise.race([
      body(ms),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: took longer than ${(ms / 1000).toFixed(0)} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
