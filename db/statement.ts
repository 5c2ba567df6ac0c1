// A statement run as a prepared statement (Database.prepared): its text, the name it is prepared under, and
// its bind values. The per-request hot paths (the session lookup, the validation with its stock check) are
// built and rendered once, with placeholders where their values go, and only bound per call: drizzle
// building and rendering a 1,800-character statement on every request was about a sixth of the server's
// CPU under validation load (bench/notes.md, "Issue 12: what a validation costs each process, and three
// cuts").
import { createHash } from 'node:crypto';
import { fillPlaceholders, is, Param, Placeholder, sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';

const dialect = new PgDialect();

/** Where a value goes in a statement rendered once; `with` fills it per call. */
export const param = (name: string): SQL => sql`${sql.placeholder(name)}`;

/** A statement with its bind values, ready to run. */
export interface BoundStatement {
  readonly key: string;
  readonly text: string;
  readonly values: unknown[];
}

/** A statement rendered to text; built per call it is bound already, with placeholders it is bound by `with`. */
export class Statement implements BoundStatement {
  /** The name it is prepared under: what it is, and a digest of its text (a name always means one text). */
  readonly key: string;
  readonly text: string;
  private readonly params: unknown[];
  private readonly placeholders: boolean;

  constructor(name: string, query: SQL) {
    const { sql: text, params } = dialect.sqlToQuery(query);
    this.text = text;
    this.params = params;
    this.placeholders = params.some((p) => is(p, Placeholder) || (is(p, Param) && is(p.value, Placeholder)));
    this.key = statementName(name, text);
  }

  get values(): unknown[] {
    // A placeholder sent as a value would reach the database as an object's text.
    if (this.placeholders) throw new Error(`statement ${this.key} has placeholders: bind it with .with(values)`);
    return this.params;
  }

  /** Bound to `values`: every placeholder filled from them (each one required), the rest as rendered. */
  with(values: Record<string, unknown>): BoundStatement {
    return { key: this.key, text: this.text, values: fillPlaceholders(this.params, values) };
  }
}

/**
 * A hot statement whose text depends on a few choices (whether Slack is on, ...): built and rendered on
 * first use per shape, every value a `param`.
 */
export function rendered<S extends string>(name: string, build: (shape: S) => SQL): (shape: S) => Statement {
  const byShape = new Map<S, Statement>();
  return (shape) => {
    let statement = byShape.get(shape);
    if (!statement) byShape.set(shape, (statement = new Statement(name, build(shape))));
    return statement;
  };
}

const statementNames = new Map<string, string>();

function statementName(name: string, text: string): string {
  let key = statementNames.get(text);
  if (!key) {
    key = `${name.replace(/[^a-z0-9_]/gi, '_')}_${createHash('sha1').update(text).digest('hex').slice(0, 12)}`;
    statementNames.set(text, key);
  }
  return key;
}
