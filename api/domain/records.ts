// Emergency records: written only inside an active grant, which they are bound to.
import { and, desc, eq } from 'drizzle-orm';
import type { z } from 'zod';
import { emergencyRecords, type EmergencyRecord } from '../../db/schema';
import { isAdmin, type Actor, type Ctx } from './context';
import { audit, auditFor } from './audit';
import { fail } from './errors';
import { NewRecordInput, parseInput } from './input';
import { activeGrant } from './grants';
import { toPage, uuidLike, type Page } from './pagination';
import { afterCursor } from './sql/page';

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
    await audit(tx, {
      action: 'record.created',
      ...auditFor(actor),
      subjectUserId: actor.id,
      grantId: grant.id,
      tokenId: grant.tokenId,
      details: { recordId: record!.id, triageLevel: input.triageLevel },
    });
    return presentRecord(record!);
  });
}

/**
 * Why a reader may see a record: an admin's oversight, or it is their own. Written on each read's audit
 * event beside the grant the reader held at the time (an access under a grant is break-the-glass).
 */
export type ReadBasis = 'admin' | 'own';

/**
 * A page of records, newest first (admins: all; staff: their own). The read and its audit event (who,
 * which records, on what basis, under which grant) are one transaction: no page is served unrecorded.
 */
export async function listRecords(ctx: Ctx, actor: Actor, page: Page) {
  return ctx.db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(emergencyRecords)
      .where(
        and(
          isAdmin(actor) ? undefined : eq(emergencyRecords.userId, actor.id),
          page.cursor
            ? afterCursor({ table: emergencyRecords, order: [emergencyRecords.createdAt, emergencyRecords.id], id: emergencyRecords.id }, page.cursor)
            : undefined,
        ),
      )
      .orderBy(desc(emergencyRecords.createdAt), desc(emergencyRecords.id))
      .limit(page.limit + 1);
    const { items, nextCursor } = toPage(rows, page.limit);
    const grant = await activeGrant(tx, actor.id);
    const basis: ReadBasis = isAdmin(actor) ? 'admin' : 'own';
    await audit(tx, {
      action: 'record.listed',
      ...auditFor(actor),
      grantId: grant?.id ?? null,
      tokenId: grant?.tokenId ?? null,
      details: { basis, shown: items.length, recordIds: items.map((r) => r.id) },
    });
    return { items: items.map(presentRecord), nextCursor };
  });
}

/** One record (admins: any; staff: their own). A refused attempt is audited too: who tried to read what. */
export async function getRecord(ctx: Ctx, actor: Actor, id: string) {
  if (!uuidLike.test(id)) return fail('not_found', 'No such record.');
  const read = await ctx.db.transaction(async (tx) => {
    const [record] = await tx.select().from(emergencyRecords).where(eq(emergencyRecords.id, id));
    if (!record) return { refused: 'not_found' } as const;
    const grant = await activeGrant(tx, actor.id);
    const own = record.userId === actor.id;
    const entry = {
      action: 'record.viewed',
      ...auditFor(actor),
      subjectUserId: record.userId,
      grantId: grant?.id ?? null,
      tokenId: grant?.tokenId ?? null,
    } as const;
    if (!own && !isAdmin(actor)) {
      await audit(tx, { ...entry, outcome: 'failure', details: { recordId: record.id, code: 'forbidden' } });
      return { refused: 'forbidden' } as const;
    }
    const basis: ReadBasis = own ? 'own' : 'admin';
    await audit(tx, { ...entry, details: { recordId: record.id, basis, patientRef: record.patientRef } });
    return { record };
  });
  if ('refused' in read) return read.refused === 'forbidden' ? fail('forbidden', 'You may only open your own records.') : fail('not_found', 'No such record.');
  return presentRecord(read.record);
}
