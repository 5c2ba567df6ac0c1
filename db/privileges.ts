// Least privilege on Postgres. Migrations run as the role that owns the tables (DATABASE_MIGRATION_URL);
// the server runs as another role (DATABASE_URL) that may read and write the application's tables but may
// only add to the audit trail: INSERT and SELECT on audit_events and audit_checkpoints, SELECT on the chain
// heads (the chain trigger moves them as their owner), never UPDATE, DELETE or TRUNCATE there, and, not
// being the owner, it cannot ALTER the tables or switch their triggers off.
import pg from 'pg';
import type { Queryable } from './fingerprint';

/** Tables the runtime role may only read and add to. */
export const APPEND_ONLY_TABLES = ['audit_events', 'audit_checkpoints'] as const;
/** Tables the runtime role may only read (written by SECURITY DEFINER triggers). */
export const READ_ONLY_TABLES = ['audit_chain_heads'] as const;

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The statements that give `role` exactly the runtime's rights on this database (idempotent). */
export function runtimeGrants(role: string, database: string): string[] {
  const r = ident(role);
  return [
    `grant connect on database ${ident(database)} to ${r}`,
    `grant usage on schema public to ${r}`,
    `grant select, insert, update, delete on all tables in schema public to ${r}`,
    `revoke truncate, references, trigger on all tables in schema public from ${r}`,
    `revoke insert, update, delete on ${READ_ONLY_TABLES.join(', ')} from ${r}`,
    `revoke update, delete on ${APPEND_ONLY_TABLES.join(', ')} from ${r}`,
    `grant usage, select on all sequences in schema public to ${r}`,
    // The server checks at start that no migration is pending (it reads drizzle's journal table).
    `grant usage on schema drizzle to ${r}`,
    `grant select on all tables in schema drizzle to ${r}`,
  ];
}

/** Grant the runtime role its rights; run as the owner (after every upgrade: new tables need grants too). */
export async function grantRuntime(owner: Queryable, role: string): Promise<string[]> {
  const { rows: exists } = await owner.query<{ ok: boolean }>('select exists (select 1 from pg_roles where rolname = $1) as ok', [role]);
  if (!exists[0]?.ok) throw new Error(`no role named "${role}": create it first, e.g. CREATE ROLE ${ident(role)} LOGIN PASSWORD '...'`);
  const { rows: me } = await owner.query<{ db: string; owns: boolean; same: boolean }>(
    `select current_database() as db, pg_get_userbyid(relowner) = current_user as owns, current_user = $1 as same from pg_class where oid = 'public.audit_events'::regclass`,
    [role],
  );
  if (!me[0]?.owns) throw new Error('run this as the role that owns the tables (DATABASE_MIGRATION_URL, or DATABASE_URL in a single-role setup)');
  if (me[0].same) throw new Error(`"${role}" owns the tables: the runtime role must be another role`);
  const statements = runtimeGrants(role, me[0].db);
  for (const s of statements) await owner.query(s);
  return statements;
}

/**
 * Why the connected role has more rights than the runtime needs (empty: least privilege holds): it owns
 * the audit tables, is a superuser, or may change or empty the audit trail.
 */
export async function excessPrivileges(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ role: string; owner: string; superuser: boolean; change: boolean; heads: boolean }>(
    `select current_user as role, pg_get_userbyid(c.relowner) as owner,
            (select rolsuper from pg_roles where rolname = current_user) as superuser,
            has_table_privilege('public.audit_events', 'UPDATE, DELETE, TRUNCATE') as change,
            has_table_privilege('public.audit_chain_heads', 'UPDATE') as heads
     from pg_class c where c.oid = 'public.audit_events'::regclass`,
  );
  const r = rows[0];
  if (!r) return [];
  const problems: string[] = [];
  if (r.owner === r.role) problems.push(`runs as the table owner: "${r.role}" owns audit_events, so it could switch the audit triggers off`);
  if (r.superuser) problems.push(`runs as a superuser ("${r.role}")`);
  if (r.change && r.owner !== r.role && !r.superuser) problems.push(`"${r.role}" may UPDATE, DELETE or TRUNCATE audit_events`);
  if (r.heads && r.owner !== r.role && !r.superuser) problems.push(`"${r.role}" may UPDATE audit_chain_heads`);
  return problems;
}

/** Run fn on one connection to `url` (the CLI's commands connect as a given role, not through the pool). */
export async function connectedAs<T>(url: string, fn: (q: Queryable) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
