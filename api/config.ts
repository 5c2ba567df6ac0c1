// Configuration: read once from the environment at start, validated, and passed in as one typed object.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { POOL_DEFAULTS } from '../db/client';
import { Password, Username } from './domain/input';

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const envSchema = z.object({
  PORT: int(3000, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: optional.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
  ),
  // The owner role's URL, for migrations only; the server then runs as DATABASE_URL (least privilege,
  // README "Audit and compliance"). Unset: migrations run as DATABASE_URL.
  DATABASE_MIGRATION_URL: optional.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
  ),
  DATA_DIR: z.string().default('./data'),
  DATABASE_POOL_SIZE: int(POOL_DEFAULTS.size, 1, 1000),
  DATABASE_ACQUIRE_TIMEOUT_MS: int(POOL_DEFAULTS.acquireTimeoutMs, 100, 120_000),
  APP_SECRET: optional.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  // Earlier APP_SECRETs, comma-separated, newest first: tokens made under them still validate and unseal.
  APP_SECRET_PREVIOUS: optional,
  // The first admin's account follows the same input rules as any account.
  ADMIN_USERNAME: optional.pipe(Username.optional()),
  ADMIN_PASSWORD: optional.pipe(Password.optional()),
  PUBLIC_URL: optional.pipe(z.url().optional()),
  GRANT_MINUTES: int(30, 1, 24 * 60),
  TOKEN_TTL_DAYS: int(90, 1, 3650),
  LOW_TOKEN_THRESHOLD: int(5, 0, 1000),
  MAX_REQUEST_QUANTITY: int(50, 1, 10_000),
  MAX_GENERATE_COUNT: int(1000, 1, 100_000),
  REQUEST_TTL_HOURS: int(72, 1, 24 * 365),
  // Reminders in a pending request's Slack thread, at these ages (hours, comma-separated; empty: none),
  // and a last call this many minutes before it expires (0: none).
  REQUEST_REMINDER_HOURS: z
    .string()
    .default('1,24')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map(Number),
    )
    .pipe(
      z
        .array(
          z
            .number()
            .positive('each must be a positive number of hours')
            .max(24 * 365),
        )
        .max(10),
    ),
  REQUEST_LAST_CALL_MINUTES: int(60, 0, 24 * 60),
  LOCKOUT_ATTEMPTS: int(5, 1, 100),
  LOCKOUT_MINUTES: int(15, 1, 24 * 60),
  LOGIN_CEILING: int(50, 1, 100_000),
  SESSION_HOURS: int(12, 1, 24 * 30),
  SLACK_BOT_TOKEN: optional,
  SLACK_SIGNING_SECRET: optional,
  SLACK_APP_TOKEN: optional,
  SLACK_ADMIN_CHANNEL: optional,
  SLACK_API_URL: optional.pipe(z.url().optional()),
  SLACK_AUTO_PROVISION: bool(true),
  // The admin channel's language, and that of people whose own is not known (account, then Slack's).
  SLACK_DEFAULT_LOCALE: z.enum(['en', 'id']).default('en'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool(false),
  // GET /metrics answers only with `Authorization: Bearer <this>` (unset: no /metrics at all).
  METRICS_TOKEN: optional.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  // Signs the audit checkpoints; keep it away from the database (unset: derived from APP_SECRET).
  AUDIT_CHECKPOINT_KEY: optional.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  // Earlier checkpoint keys, comma-separated: checkpoints signed before a rotation still verify.
  AUDIT_CHECKPOINT_KEY_PREVIOUS: optional,
  // A checkpoint of every chain head this often (0: only `npm run cli -- audit checkpoint`).
  AUDIT_CHECKPOINT_MINUTES: int(60, 0, 7 * 24 * 60),
  // Each checkpoint is also appended to this file as one JSON line (a copy outside the database).
  AUDIT_CHECKPOINT_FILE: optional,
  // Stream the audit trail to the hospital's collector as RFC 5424 syslog (unset: off).
  AUDIT_SYSLOG_URL: optional,
  AUDIT_SYSLOG_FORMAT: z.enum(['fhir', 'json']).default('fhir'),
  // tls:// only: PEM files of the CA(s) to trust (default: the system's), and a client certificate and
  // key for mutual TLS.
  AUDIT_SYSLOG_TLS_CA: optional,
  AUDIT_SYSLOG_TLS_CERT: optional,
  AUDIT_SYSLOG_TLS_KEY: optional,
});

/** The one typed configuration object, as loadConfig builds it (its shape is written once, there). */
export type Config = ReturnType<typeof loadConfig>;
export type SlackConfig = NonNullable<Config['slack']>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parse and check the environment; throws ConfigError naming every bad or missing variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const dataDir = resolve(e.DATA_DIR);

  let secret: Buffer | undefined;
  if (e.APP_SECRET) secret = Buffer.from(e.APP_SECRET, 'utf8');
  else if (e.DATABASE_URL) problems.push('APP_SECRET: required when DATABASE_URL is set (at least 32 characters, e.g. `openssl rand -hex 32`)');
  else secret = embeddedSecret(dataDir);

  const previousSecrets = (e.APP_SECRET_PREVIOUS ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p && p !== e.APP_SECRET)
    .map((p) => Buffer.from(p, 'utf8'));
  if (previousSecrets.some((p) => p.length < 32)) problems.push('APP_SECRET_PREVIOUS: each secret must be at least 32 characters');
  if ((e.AUDIT_CHECKPOINT_KEY_PREVIOUS ?? '').split(',').some((k) => k.trim() !== '' && k.trim().length < 32))
    problems.push('AUDIT_CHECKPOINT_KEY_PREVIOUS: each key must be at least 32 characters');

  if (e.DATABASE_MIGRATION_URL && !e.DATABASE_URL) problems.push('DATABASE_MIGRATION_URL: only with DATABASE_URL (the embedded database has one user)');

  if (e.SLACK_BOT_TOKEN || e.SLACK_SIGNING_SECRET) {
    if (!e.SLACK_BOT_TOKEN) problems.push('SLACK_BOT_TOKEN: required when SLACK_SIGNING_SECRET is set');
    if (!e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN)
      problems.push('SLACK_SIGNING_SECRET: required for the HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)');
  } else if (e.SLACK_APP_TOKEN) {
    problems.push('SLACK_BOT_TOKEN: required when SLACK_APP_TOKEN is set');
  }
  const slack = e.SLACK_BOT_TOKEN
    ? {
        botToken: e.SLACK_BOT_TOKEN,
        signingSecret: e.SLACK_SIGNING_SECRET ?? '',
        appToken: e.SLACK_APP_TOKEN,
        adminChannel: e.SLACK_ADMIN_CHANNEL,
        apiUrl: e.SLACK_API_URL,
        autoProvision: e.SLACK_AUTO_PROVISION,
        defaultLocale: e.SLACK_DEFAULT_LOCALE,
      }
    : undefined;
  const auditSyslog = syslogTarget(e, problems);
  if (problems.length || !secret) throw new ConfigError(problems);

  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    /** The owner role's URL for migrations (undefined: DATABASE_URL migrates). */
    migrationUrl: e.DATABASE_MIGRATION_URL,
    database: { poolSize: e.DATABASE_POOL_SIZE, acquireTimeoutMs: e.DATABASE_ACQUIRE_TIMEOUT_MS },
    dataDir,
    secret,
    /** Secrets of earlier rotations, still accepted to find and unseal tokens made under them. */
    previousSecrets,
    admin: { username: e.ADMIN_USERNAME, password: e.ADMIN_PASSWORD },
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    grantMinutes: e.GRANT_MINUTES,
    tokenTtlDays: e.TOKEN_TTL_DAYS,
    lowTokenThreshold: e.LOW_TOKEN_THRESHOLD,
    maxRequestQuantity: e.MAX_REQUEST_QUANTITY,
    maxGenerateCount: e.MAX_GENERATE_COUNT,
    requestTtlHours: e.REQUEST_TTL_HOURS,
    requestReminderHours: [...e.REQUEST_REMINDER_HOURS].sort((a, b) => a - b),
    requestLastCallMinutes: e.REQUEST_LAST_CALL_MINUTES,
    lockout: { attempts: e.LOCKOUT_ATTEMPTS, minutes: e.LOCKOUT_MINUTES, loginCeiling: Math.max(e.LOGIN_CEILING, e.LOCKOUT_ATTEMPTS) },
    sessionHours: e.SESSION_HOURS,
    slack,
    logLevel: e.LOG_LEVEL as string,
    /** Take the client address from X-Forwarded-For (only behind a proxy you control). */
    trustProxy: e.TRUST_PROXY,
    /** Bearer token for GET /metrics (Prometheus); undefined: the endpoint is off. */
    metricsToken: e.METRICS_TOKEN,
    auditCheckpoint: {
      /** HMAC-SHA256 key of the checkpoints; `derived` when it comes from APP_SECRET. */
      ...checkpointKey(e.AUDIT_CHECKPOINT_KEY, secret),
      /** Keys checkpoints signed before a rotation are checked with (AUDIT_CHECKPOINT_KEY_PREVIOUS, then derived ones). */
      previousKeys: previousCheckpointKeys(e, secret, previousSecrets),
      minutes: e.AUDIT_CHECKPOINT_MINUTES,
      file: e.AUDIT_CHECKPOINT_FILE ? resolve(e.AUDIT_CHECKPOINT_FILE) : undefined,
    },
    /** Where the audit trail is streamed as syslog; undefined: off. */
    auditSyslog,
  };
}

/**
 * The checkpoint key: AUDIT_CHECKPOINT_KEY, or else one derived from APP_SECRET under its own label (so it
 * is never the secret itself). A derived key lives where APP_SECRET lives; README says what that means.
 */
function checkpointKey(configured: string | undefined, secret: Buffer): { key: Buffer; derived: boolean } {
  if (configured) return { key: Buffer.from(configured, 'utf8'), derived: false };
  return { key: createHmac('sha256', secret).update('emergency-token audit checkpoint key v1').digest(), derived: true };
}

/**
 * AUDIT_CHECKPOINT_KEY_PREVIOUS, and the keys derived from APP_SECRET and APP_SECRET_PREVIOUS that signed
 * checkpoints before AUDIT_CHECKPOINT_KEY was set or APP_SECRET rotated (the current key left out).
 */
function previousCheckpointKeys(e: z.infer<typeof envSchema>, secret: Buffer, previousSecrets: Buffer[]): Buffer[] {
  const current = checkpointKey(e.AUDIT_CHECKPOINT_KEY, secret).key;
  const listed = (e.AUDIT_CHECKPOINT_KEY_PREVIOUS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => Buffer.from(k, 'utf8'));
  const derived = [secret, ...previousSecrets].map((s) => checkpointKey(undefined, s).key);
  const keys: Buffer[] = [];
  for (const k of [...listed, ...derived]) if (!k.equals(current) && !keys.some((x) => x.equals(k))) keys.push(k);
  return keys;
}

/** AUDIT_SYSLOG_URL (tcp://host:port or tls://host:port) and its TLS files, read once here. */
function syslogTarget(e: z.infer<typeof envSchema>, problems: string[]) {
  if (!e.AUDIT_SYSLOG_URL) {
    for (const k of ['AUDIT_SYSLOG_TLS_CA', 'AUDIT_SYSLOG_TLS_CERT', 'AUDIT_SYSLOG_TLS_KEY'] as const)
      if (e[k]) problems.push(`${k}: set only with AUDIT_SYSLOG_URL=tls://...`);
    return undefined;
  }
  let url: URL | undefined;
  try {
    url = new URL(e.AUDIT_SYSLOG_URL);
  } catch {
    // reported below
  }
  const protocol = url?.protocol === 'tcp:' ? 'tcp' : url?.protocol === 'tls:' ? 'tls' : undefined;
  if (!url || !protocol || !url.hostname || !url.port || (url.pathname !== '' && url.pathname !== '/') || url.search || url.username) {
    problems.push('AUDIT_SYSLOG_URL: must be tcp://host:port or tls://host:port');
    return undefined;
  }
  const file = (k: 'AUDIT_SYSLOG_TLS_CA' | 'AUDIT_SYSLOG_TLS_CERT' | 'AUDIT_SYSLOG_TLS_KEY') => {
    const path = e[k];
    if (!path) return undefined;
    if (protocol !== 'tls') {
      problems.push(`${k}: only used with tls://`);
      return undefined;
    }
    try {
      return readFileSync(path, 'utf8');
    } catch {
      problems.push(`${k}: cannot read ${path}`);
      return undefined;
    }
  };
  const ca = file('AUDIT_SYSLOG_TLS_CA');
  const cert = file('AUDIT_SYSLOG_TLS_CERT');
  const key = file('AUDIT_SYSLOG_TLS_KEY');
  if ((cert === undefined) !== (key === undefined)) problems.push('AUDIT_SYSLOG_TLS_CERT and AUDIT_SYSLOG_TLS_KEY: set both or neither');
  return { protocol, host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port), format: e.AUDIT_SYSLOG_FORMAT, ca, cert, key } as const;
}

/** On the embedded default the secret is generated once and kept beside the database (mode 0600). */
function embeddedSecret(dataDir: string): Buffer {
  const file = join(dataDir, 'app-secret');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
}
