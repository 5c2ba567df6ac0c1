// Slack requests already handled (slack_receipts), keyed by a digest of the signed body: the first
// delivery inserts the key and acts; a retry or a replay finds it and does nothing. Keys are kept a day,
// far beyond Slack's retry schedule and the five-minute signature window.
import { sql } from 'drizzle-orm';
import { rows } from '../../db/client';
import type { Ctx } from './context';

export async function claimSlackReceipt(ctx: Ctx, key: string): Promise<boolean> {
  const inserted = await rows<{ key: string }>(ctx.db, sql`insert into slack_receipts (key) values (${key}) on conflict (key) do nothing returning key`);
  return inserted.length === 1;
}

export async function pruneSlackReceipts(ctx: Ctx): Promise<void> {
  await ctx.db.execute(sql`delete from slack_receipts where received_at < now() - interval '1 day'`);
}
