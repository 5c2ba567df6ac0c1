// The audit trail: one event per state change or attempt, written in the change's transaction;
// filtered keyset queries and a streamed, formula-safe CSV export.
import { and, desc, eq, gte, lte, or, sql, type SQL } from 'drizzle-orm';
import { rows, type Executor } from '../../db/client';
import { auditEvents, tokens, type AuditEvent, type Outcome, type TokenStatus } from '../../db/schema';
import type { Actor, Ctx } from './context';
import { requireAdmin } from './context';
import { fail } from './errors';
import { toPage, type Page } from './pagination';
import { auditInsert, type AuditEntry } from './sql/audit';
import { afterCursor } from './sql/page';

export const auditActions = [
  'auth.login',
  'auth.logout',
  'token.generated',
  'token.validated',
  'token.revoked',
  'token.expired',
  'grant.cleared',
  'grant.reviewed',
  'request.created',
  'request.approved',
  'request.rejected',
  'request.expired',
  'record.created',
  // Reads of what break-the-glass protects: a page of emergency records, one record, someone's profile.
  'record.listed',
  'record.viewed',
  'user.viewed',
  'user.created',
  'user.updated',
  'lockout',
  'audit.exported',
  'audit.verified',
  'settings.updated',
  'outbox.retried',
] as const;
export type AuditAction = (typeof auditActions)[number];

export type { AuditEntry };

export async function audit(tx: Executor, entry: AuditEntry): Promise<void> {
  await tx.execute(auditInsert(entry));
}

export const auditFor = (actor: Actor | null | undefined) => ({ actorId: actor?.id ?? null, ip: actor?.ip ?? null });

export interface AuditFilter {
  from?: Date | undefined;
  to?: Date | undefined;
  action?: AuditAction | undefined;
  outcome?: Outcome | undefined;
  tokenStatus?: TokenStatus | undefined;
  userId?: string | undefined;
}

export function auditWhere(f: AuditFilter, opts: { user?: boolean } = {}): SQL | undefined {
  return and(
    f.from ? gte(auditEvents.at, f.from) : undefined,
    f.to ? lte(auditEvents.at, f.to) : undefined,
    f.action ? eq(auditEvents.action, f.action) : undefined,
    f.outcome ? eq(auditEvents.outcome, f.outcome) : undefined,
    f.userId && opts.user !== false ? or(eq(auditEvents.actorId, f.userId), eq(auditEvents.subjectUserId, f.userId)) : undefined,
    f.tokenStatus ? sql`exists (select 1 from ${tokens} where ${tokens.id} = ${auditEvents.tokenId} and ${tokens.status} = ${f.tokenStatus})` : undefined,
  );
}

/** Rows strictly older, in (at, id) order, than the event `cursor` names. */
const before = (cursor: bigint) => afterCursor({ table: auditEvents, order: [auditEvents.at, auditEvents.id], id: auditEvents.id }, cursor);

export function parseAuditCursor(cursor: string | undefined): bigint | undefined {
  if (cursor === undefined) return undefined;
  if (!/^\d{1,18}$/.test(cursor)) fail('invalid_input', 'This cursor is not one this list gave out.', { cursor: 'invalid' });
  return BigInt(cursor);
}

export async function listAudit(ctx: Ctx, actor: Actor, filter: AuditFilter, page: Page) {
  requireAdmin(actor);
  const cursor = parseAuditCursor(page.cursor);
  let condition = and(auditWhere(filter), cursor !== undefined ? before(cursor) : undefined);
  if (filter.userId) {
    // "Events of this user" means actor or subject. An OR over two indexes would sort every match;
    // instead each side takes its own first page from its own index and the outer query merges them.
    const rest = and(auditWhere(filter, { user: false }), cursor !== undefined ? before(cursor) : undefined) ?? sql`true`;
    const side = (column: typeof auditEvents.actorId | typeof auditEvents.subjectUserId) =>
      sql`(select ${auditEvents.id} from ${auditEvents} where ${column} = ${filter.userId} and ${rest} order by ${auditEvents.at} desc, ${auditEvents.id} desc limit ${page.limit + 1})`;
    condition = sql`${auditEvents.id} in (${side(auditEvents.actorId)} union ${side(auditEvents.subjectUserId)})`;
  }
  const rows = await ctx.db
    .select()
    .from(auditEvents)
    .where(condition)
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(page.limit + 1);
  const { items, nextCursor } = toPage(rows, page.limit);
  return { items: items.map(presentAudit), nextCursor };
}

export async function recentActivity(ex: Executor, limit = 20, userId?: string) {
  const rows = await ex
    .select()
    .from(auditEvents)
    .where(userId ? or(eq(auditEvents.actorId, userId), eq(auditEvents.subjectUserId, userId)) : undefined)
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(limit);
  return rows.map(presentAudit);
}

export function presentAudit(e: AuditEvent) {
  return {
    id: String(e.id),
    at: e.at.toISOString(),
    action: e.action,
    outcome: e.outcome,
    actorId: e.actorId,
    subjectUserId: e.subjectUserId,
    tokenId: e.tokenId,
    requestId: e.requestId,
    grantId: e.grantId,
    ip: e.ip,
    details: e.details,
  };
}

const CSV_COLUMNS = ['id', 'at', 'action', 'outcome', 'actorId', 'subjectUserId', 'tokenId', 'requestId', 'grantId', 'ip', 'details'] as const;

/**
 * One event as one CSV line (without its CRLF), rendered by Postgres: csv_cell (migration 0004) quotes
 * and neutralises formula triggers in the free-text columns; the others cannot hold a quote or a comma.
 */
const csvLine = sql`concat_ws(',', ${auditEvents.id}::text,
                     to_char(${auditEvents.at} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                     csv_cell(${auditEvents.action}), ${auditEvents.outcome}::text,
                     coalesce(${auditEvents.actorId}::text, ''), coalesce(${auditEvents.subjectUserId}::text, ''),
                     coalesce(${auditEvents.tokenId}::text, ''), coalesce(${auditEvents.requestId}::text, ''),
                     coalesce(${auditEvents.grantId}::text, ''), coalesce(host(${auditEvents.ip}), ''),
                     csv_cell(case when jsonb_typeof(${auditEvents.details}) = 'string' then ${auditEvents.details} #>> '{}' else ${auditEvents.details}::text end))`;

/**
 * The filtered trail as CSV, newest first, with memory flat at any size. The export itself is audited
 * before the first line. On Postgres the lines come from one `COPY ... TO STDOUT` streamed straight
 * through (on a connection of its own, see Database.copyOut); on PGlite, or while every COPY connection
 * is taken, from keyset batches on the ordinary pool. Both send the same bytes.
 */
export async function* exportAuditCsv(ctx: Ctx, actor: Actor, filter: AuditFilter, batchSize = 5_000): AsyncGenerator<string | Buffer> {
  requireAdmin(actor);
  await audit(ctx.db, { action: 'audit.exported', ...auditFor(actor), details: { format: 'csv', filter: filterDetails(filter) } });
  yield CSV_COLUMNS.join(',') + '\r\n';
  const condition = auditWhere(filter) ?? sql`true`;
  const copied = await ctx.database.copyOut?.(
    sql`select ${csvLine} || E'\r\n' from ${auditEvents} where ${condition} order by ${auditEvents.at} desc, ${auditEvents.id} desc`,
  );
  if (copied) yield* copied;
  else yield* csvBatches(ctx.db, condition, batchSize);
}

/**
 * The lines in keyset batches of `batchSize`. Postgres renders each batch as one string, so the server
 * handles one string per batch instead of thousands of row objects.
 */
async function* csvBatches(ex: Executor, condition: SQL, batchSize: number): AsyncGenerator<string> {
  // The cursor is the last row's timestamp as text (exact to the microsecond) and id.
  let cursor: { at: string; id: string } | undefined;
  for (;;) {
    const [batch] = await rows<{ chunk: string | null; n: number; last_at: string | null; last_id: string | null }>(
      ex,
      sql`with page as (
            select ${auditEvents.id} as id, ${auditEvents.at} as at, ${csvLine} as line
            from ${auditEvents}
            where ${condition} ${cursor ? sql`and (${auditEvents.at}, ${auditEvents.id}) < (${cursor.at}::timestamptz, ${cursor.id}::bigint)` : sql``}
            order by ${auditEvents.at} desc, ${auditEvents.id} desc
            limit ${batchSize}
          )
          select string_agg(line, E'\r\n' order by at desc, id desc) || E'\r\n' as chunk, count(*)::int as n,
                 (array_agg(at::text order by at, id))[1] as last_at, (array_agg(id::text order by at, id))[1] as last_id
          from page`,
    );
    if (!batch?.chunk || batch.n === 0) return;
    yield batch.chunk;
    cursor = { at: batch.last_at!, id: batch.last_id! };
    if (batch.n < batchSize) return;
  }
}

export function filterDetails(f: AuditFilter) {
  return Object.fromEntries(
    Object.entries(f)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
  );
}
