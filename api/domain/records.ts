// Emergency records: written only inside an active grant, which they are bound to.
import { and, desc, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { emergencyRecords, type EmergencyRecord } from '../../db/schema';
import { isAdmin, type Actor, type Ctx } from './context';
import { audit, auditFor } from './audit';
import { fail } from './errors';
import { NewRecordInput, parseInput } from './input';
import { activeGrant } from './grants';
import { toPage, type Page } from './pagination';

export function presentRecord(r: EmergencyRecord) {
  return { ...r, createdAt: r.createdAt.toISOString() };
}

export type NewRecord = z.input<typeof NewRecordInput>;

export async function createRecord(ctx: Ctx, actor: Actor, record: NewRecord) {
  const input = parseInput(NewRecordInput, record);
  return ctx.db.transaction(async (tx) => {
    // Locking the grant row orders this write against a concurrent "end session".
    const grant = await activeGrant(tx, actor.id, { lock: true });
    if (!grant) return fail('grant_required', 'An active emergency access session is required. Validate a token first.');
    const [record] = await tx
      .insert(emergencyRecords)
      .values({
        grantId: grant.id,
        userId: actor.id,
        patientName: input.patientName ?? null,
        patientRef: input.patientRef ?? grant.patientRef,
        complaint: input.complaint,
        triageLevel: input.triageLevel,
        notes: input.notes ?? null,
      })
      .returning();
    await audit(tx, { action: 'record.created', ...auditFor(actor), subjectUserId: actor.id, grantId: grant.id, tokenId: grant.tokenId, details: { recordId: record!.id, triageLevel: input.triageLevel } });
    return presentRecord(record!);
  });
}

export async function listRecords(ctx: Ctx, actor: Actor, page: Page) {
  const rows = await ctx.db
    .select()
    .from(emergencyRecords)
    .where(
      and(
        isAdmin(actor) ? undefined : eq(emergencyRecords.userId, actor.id),
        page.cursor ? sql`(${emergencyRecords.createdAt}, ${emergencyRecords.id}) < (select r2.created_at, r2.id from ${emergencyRecords} r2 where r2.id::text = ${page.cursor})` : undefined,
      ),
    )
    .orderBy(desc(emergencyRecords.createdAt), desc(emergencyRecords.id))
    .limit(page.limit + 1);
  const { items, nextCursor } = toPage(rows, page.limit);
  return { items: items.map(presentRecord), nextCursor };
}
