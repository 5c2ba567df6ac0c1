// Bulk generation: CSPRNG digits, keyed hashes, one INSERT ... SELECT per chunk, and the audited
// generate operation that hands an assignee's copies to delivery.
import { sql } from 'drizzle-orm';
import type { z } from 'zod';
import { rows, type Executor, type Tx } from '../../../db/client';
import type { Token } from '../../../db/schema';
import { requireAdmin, type Actor, type Ctx } from '../context';
import { audit, auditFor } from '../audit';
import { randomDigits, seal, tokenHash } from '../crypto';
import { fail } from '../errors';
import { DEFAULT_TOKEN_LENGTH, GenerateInput, parseInput } from '../input';
import { publish } from '../events';
import { enqueue } from '../outbox';
import { checkStock } from '../stock';
import { presentToken } from './present';

export { DEFAULT_TOKEN_LENGTH };

export interface IssueSpec {
  count: number;
  length: number;
  userId: string | null;
  generatedBy: string | null;
  notes?: string | null | undefined;
  expiresAt: Date;
  requestId?: string | null;
}

const INSERT_CHUNK = 5000;

/**
 * Insert `count` fresh tokens and return them with their plaintext. Uniqueness among available tokens is
 * the partial unique index's job: a code that collides is skipped by ON CONFLICT and drawn again. Each
 * chunk is one INSERT ... SELECT over a JSON array, so 10,000 tokens cost two statements, not 10,000
 * bound parameter sets.
 */
export async function issueTokens(ctx: Ctx, tx: Tx, spec: IssueSpec): Promise<Array<{ row: Token; plaintext: string }>> {
  const issued: Array<{ row: Token; plaintext: string }> = [];
  // Sealed copies wait for delivery to an assignee; unassigned tokens are shown once to the generator only.
  const sealFor = spec.userId !== null;
  for (let round = 0; issued.length < spec.count; round++) {
    if (round > 20) fail('conflict', `Could not find ${spec.count} unused ${spec.length}-digit codes; use a longer length.`);
    const want = spec.count - issued.length;
    const byHash = new Map<string, string>();
    while (byHash.size < want) {
      const code = randomDigits(spec.length);
      byHash.set(tokenHash(ctx.config.secret, code), code);
    }
    const batch = [...byHash];
    for (let i = 0; i < batch.length; i += INSERT_CHUNK) {
      const items = batch.slice(i, i + INSERT_CHUNK).map(([h, code]) => (sealFor ? { h, s: seal(ctx.config.secret, code) } : { h }));
      const inserted = await rows<{ id: string; hash: string; created_at: Date | string }>(
        tx,
        sql`insert into tokens (hash, length, user_id, generated_by, request_id, notes, expires_at, sealed)
            select t.h, ${spec.length}, ${spec.userId}::uuid, ${spec.generatedBy}::uuid, ${spec.requestId ?? null}::uuid, ${spec.notes ?? null}::text, ${spec.expiresAt.toISOString()}::timestamptz, t.s
            from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as t(h text, s text)
            on conflict (hash) where status = 'available' do nothing
            returning id, hash, created_at`,
      );
      for (const r of inserted) {
        issued.push({
          plaintext: byHash.get(r.hash)!,
          row: {
            id: r.id,
            hash: r.hash,
            length: spec.length,
            status: 'available',
            userId: spec.userId,
            generatedBy: spec.generatedBy,
            requestId: spec.requestId ?? null,
            usedBy: null,
            usedAt: null,
            revokedAt: null,
            expiresAt: spec.expiresAt,
            createdAt: new Date(r.created_at),
            notes: spec.notes ?? null,
            sealed: null,
          },
        });
      }
    }
  }
  return issued;
}

export async function generateTokens(ctx: Ctx, actor: Actor, requested: z.input<typeof GenerateInput>) {
  requireAdmin(actor);
  const input = parseInput(GenerateInput, requested);
  const length = input.length;
  if (input.count > ctx.config.maxGenerateCount) {
    fail('invalid_input', `count must be between 1 and ${ctx.config.maxGenerateCount}.`, { count: `1..${ctx.config.maxGenerateCount}` });
  }
  const expiresAt = new Date(Date.now() + (input.expiresInDays ?? ctx.config.tokenTtlDays) * 86_400_000);
  return ctx.db.transaction(async (tx) => {
    const userId = input.userId ?? null;
    if (userId) await requireActiveUser(tx, userId);
    const issued = await issueTokens(ctx, tx, { count: input.count, length, userId, generatedBy: actor.id, notes: input.notes, expiresAt });
    await audit(tx, {
      action: 'token.generated',
      ...auditFor(actor),
      subjectUserId: userId,
      tokenId: issued.length === 1 ? issued[0]!.row.id : null,
      details: { count: issued.length, length, expiresAt: expiresAt.toISOString(), notes: input.notes ?? null },
    });
    await publish(tx, { type: 'token.generated', userId, count: issued.length });
    if (userId) {
      await enqueue(ctx, tx, { kind: 'tokens.deliver', payload: { userId } });
      await checkStock(ctx, tx, userId, 'rose');
    }
    return issued.map(({ row, plaintext }) => ({ ...presentToken(row), token: plaintext }));
  });
}

async function requireActiveUser(ex: Executor, userId: string) {
  const [u] = await rows(ex, sql`select 1 from users where id = ${userId} and active`);
  if (!u) fail('not_found', 'No active user with that id.', { userId: 'unknown' });
}
