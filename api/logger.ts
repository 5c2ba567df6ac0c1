// Structured logs (pino). Nothing should log a token, password, cookie or secret in the first place;
// redaction and the error serializer below are the second line of defence.
import pino from 'pino';

export function createLogger(level: string, destination?: pino.DestinationStream) {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: [
          'password',
          '*.password',
          'passwordHash',
          '*.passwordHash',
          'token',
          '*.token',
          'code',
          '*.code',
          'cookie',
          '*.cookie',
          'headers.cookie',
          'secret',
          '*.secret',
          'authorization',
          '*.authorization',
        ],
        censor: '[redacted]',
      },
      // Every `{ err }` logged anywhere goes through safeError.
      serializers: { err: safeError, error: safeError },
    },
    destination,
  );
}
export type { Logger } from 'pino';

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  stack?: unknown;
  code?: unknown;
  cause?: unknown;
  constraint?: unknown;
  table?: unknown;
  column?: unknown;
  schema?: unknown;
  routine?: unknown;
  severity?: unknown;
  query?: unknown;
  params?: unknown;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * What may be logged of an error. A database error is described by its SQLSTATE code, constraint, table
 * and column only: its message and detail quote values ('Key (username)=(...)', 'invalid input syntax
 * for type uuid: "..."'), and drizzle's wrapper carries the query and every bound parameter (password and
 * token hashes, sealed tokens, patient names). Other errors keep their message and stack, except parse
 * errors, whose message quotes the input.
 */
export function safeError(value: unknown): Record<string, unknown> | string {
  if (typeof value === 'string') return /failed query|params:/i.test(value) ? 'database query failed (details withheld)' : value.slice(0, 500);
  if (!value || typeof value !== 'object') return { message: String(value) };
  const chain: ErrorLike[] = [];
  for (let e = value as ErrorLike | undefined; e && typeof e === 'object' && chain.length < 5; e = e.cause as ErrorLike | undefined) chain.push(e);
  const pgError = chain.find(
    (e) => typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && (e.severity !== undefined || e.routine !== undefined || e.constraint !== undefined),
  );
  const wrapped = chain.some((e) => e.query !== undefined || e.params !== undefined);
  if (pgError || wrapped) {
    return {
      type: 'DatabaseError',
      // Not `code`: that key is redacted everywhere (one-time sign-in codes).
      sqlState: str(pgError?.code) ?? str(chain.find((e) => typeof e.code === 'string')?.code),
      constraint: str(pgError?.constraint),
      table: str(pgError?.table),
      column: str(pgError?.column),
      routine: str(pgError?.routine),
      // A connection-level failure (no server error) is told by the driver's own message, which names no value.
      ...(!pgError && { reason: connectionReason(chain) }),
    };
  }
  const top = chain[0]!;
  const name = str(top.name) ?? 'Error';
  if (name === 'SyntaxError') return { type: name };
  return { type: name, errorCode: str(top.code), message: str(top.message)?.slice(0, 500), stack: str(top.stack)?.split('\n').slice(1, 8).join('\n') };
}

function connectionReason(chain: ErrorLike[]): string | undefined {
  const known = /timeout exceeded when trying to connect|Connection terminated( unexpectedly)?|ECONNREFUSED|ECONNRESET|not queryable/i;
  for (const e of chain) {
    const m = typeof e.message === 'string' ? known.exec(e.message) : null;
    if (m) return m[0];
    if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) return e.code;
  }
  return undefined;
}
