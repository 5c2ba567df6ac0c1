// Before a section that judges a difference of a few percent: let the cluster finish the background work
// that earlier sections left it (autovacuum of the million-row tables they wrote, dirty buffers), so that
// it does not fall on some runs of one side and not of the other. Bounded: a cluster that stays busy is
// measured anyway, and the wait says so.
import type pg from 'pg';

export interface QuietWait {
  seconds: number;
  /** Autovacuum workers running when the wait began, and when it ended. */
  autovacuumBefore: number;
  autovacuumAfter: number;
}

const busy = async (admin: pg.Client) =>
  Number((await admin.query<{ n: string }>(`select count(*) as n from pg_stat_activity where backend_type = 'autovacuum worker'`)).rows[0]!.n);

export async function waitForQuietCluster(admin: pg.Client, maxSeconds = 180): Promise<QuietWait> {
  const t0 = performance.now();
  const autovacuumBefore = await busy(admin);
  let now = autovacuumBefore;
  while (now > 0 && performance.now() - t0 < maxSeconds * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    now = await busy(admin);
  }
  // Writes the buffers the earlier sections dirtied now rather than in a checkpoint during the runs.
  await admin.query('checkpoint').catch(() => {});
  return { seconds: (performance.now() - t0) / 1000, autovacuumBefore, autovacuumAfter: now };
}

/** How many autovacuum workers run, sampled while `run` runs: the most seen. */
export async function autovacuumDuring<T>(admin: pg.Client, run: () => Promise<T>): Promise<{ result: T; autovacuum: number }> {
  let most = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      most = Math.max(most, await busy(admin).catch(() => 0));
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  try {
    return { result: await run(), autovacuum: most };
  } finally {
    sampling = false;
    await sampler;
  }
}
