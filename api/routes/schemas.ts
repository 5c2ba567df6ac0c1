// Response and shared input schemas: they validate, type the handlers, and generate /openapi.json.
import { z } from '@hono/zod-openapi';
import { roles, tokenStatuses, requestStatuses, verdicts, outcomes, locales } from '../../db/schema';
import { auditActions } from '../domain/audit';
import { breakKinds } from '../domain/audit-verify';
import { Id, optionalText } from '../domain/input';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid_input' }),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi('Error');

const iso = z.string().openapi({ format: 'date-time' });
const isoOrNull = iso.nullable();
export { Id, optionalText };

export const UserSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    name: z.string(),
    role: z.enum(roles),
    active: z.boolean(),
    slackUserId: z.string().nullable(),
    // Optional for clients built against servers without it; this server always sends it.
    locale: z
      .enum(locales)
      .nullable()
      .optional()
      .openapi({ description: "the person's language for the app and the Slack bot; null: the browser's (app) or Slack's (bot)" }),
    createdAt: iso,
  })
  .openapi('User');

export const TokenSchema = z
  .object({
    id: z.string(),
    status: z.enum(tokenStatuses),
    length: z.number().int(),
    userId: z.string().nullable(),
    generatedBy: z.string().nullable(),
    usedBy: z.string().nullable(),
    usedAt: isoOrNull,
    expiresAt: iso,
    createdAt: iso,
    notes: z.string().nullable(),
  })
  .openapi('Token');

export const ReviewSchema = z
  .object({ verdict: z.enum(verdicts), reviewedBy: z.string(), reviewedAt: iso, note: z.string().nullable() })
  .nullable()
  .openapi('Review');

export const GrantSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    tokenId: z.string(),
    reason: z.string(),
    patientRef: z.string().nullable(),
    createdAt: iso,
    expiresAt: iso,
    clearedAt: isoOrNull,
    review: ReviewSchema,
  })
  .openapi('Grant');

export const RequestSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    quantity: z.number().int(),
    reason: z.string().nullable(),
    status: z.enum(requestStatuses),
    decidedBy: z.string().nullable(),
    decidedAt: isoOrNull,
    decisionNote: z.string().nullable(),
    createdAt: iso,
    expiresAt: iso,
  })
  .openapi('Request');

export const AuditEventSchema = z
  .object({
    id: z.string(),
    at: iso,
    action: z.string(),
    outcome: z.enum(outcomes),
    actorId: z.string().nullable(),
    subjectUserId: z.string().nullable(),
    tokenId: z.string().nullable(),
    requestId: z.string().nullable(),
    grantId: z.string().nullable(),
    ip: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEvent');

export const AuditCheckpointSchema = z
  .object({
    id: z.number().int(),
    at: iso,
    keyId: z.string().openapi({ description: 'a one-way name of the key that signed it' }),
    chains: z.number().int(),
    events: z.number().int().openapi({ description: 'events on all chains when it was taken' }),
    mac: z.string(),
  })
  .openapi('AuditCheckpoint');

export const AuditBreakSchema = z
  .object({
    kind: z.enum(breakKinds),
    eventId: z.string().nullable().openapi({ description: 'the event where the break shows; for a deletion, the one after the gap or the missing last one' }),
    chain: z.number().int().nullable(),
    seq: z.number().int().nullable(),
    checkpointId: z.number().int().nullable(),
    message: z.string(),
  })
  .openapi('AuditBreak');

export const AuditVerificationSchema = z
  .object({
    ok: z.boolean(),
    from: isoOrNull,
    to: isoOrNull,
    startedAt: iso,
    durationMs: z.number().int(),
    events: z.number().int(),
    chains: z.number().int(),
    checkpoints: z.number().int(),
    checkpointKeys: z.array(z.object({ keyId: z.string(), key: z.enum(['current', 'previous', 'unknown']), checkpoints: z.number().int() })).openapi({
      description: 'which keys signed the checkpoints: AUDIT_CHECKPOINT_KEY, one of AUDIT_CHECKPOINT_KEY_PREVIOUS, or one this server does not have',
    }),
    lastCheckpoint: AuditCheckpointSchema.nullable(),
    breaks: z.number().int(),
    firstBreak: AuditBreakSchema.nullable(),
    problems: z.array(AuditBreakSchema),
  })
  .openapi('AuditVerification');

export const RecordSchema = z
  .object({
    id: z.string(),
    grantId: z.string(),
    userId: z.string(),
    patientName: z.string().nullable(),
    patientRef: z.string().nullable(),
    complaint: z.string(),
    triageLevel: z.number().int(),
    notes: z.string().nullable(),
    createdAt: iso,
  })
  .openapi('EmergencyRecord');

export const DeadLetterSchema = z
  .object({
    id: z.number().int(),
    destination: z.string().openapi({ example: 'slack' }),
    kind: z.string().openapi({
      example: 'request.created',
      description:
        'what the message was: request.created (the request posted to the admin channel), request.updated, request.thread, request.notify (the requester told), tokens.deliver, grant.opened, grant.reviewed, lockout, stock.low',
    }),
    status: z.enum(['pending', 'sent', 'dead']),
    subject: z.object({ requestId: z.string().nullable(), grantId: z.string().nullable(), userId: z.string().nullable() }),
    reason: z.string().nullable().openapi({ example: 'not_in_channel', description: "the destination's error code that made it permanent" }),
    lastError: z.string().nullable(),
    attempts: z.number().int(),
    createdAt: iso,
    deadAt: isoOrNull,
  })
  .openapi('DeadLetter');

export const DeliveryStatusSchema = z
  .object({
    slack: z.object({
      state: z.enum(['off', 'connecting', 'up', 'down', 'revoked']),
      reason: z.string().nullable().openapi({ example: 'invalid_auth' }),
      since: isoOrNull,
    }),
    pending: z.number().int().openapi({ description: 'messages waiting to be delivered' }),
    oldestPendingSeconds: z.number().int().nullable().openapi({ description: 'age of the oldest message waiting (it may be waiting for a retry)' }),
    oldestDueSeconds: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'how long the longest-waiting message has been due and unclaimed: near 0 while the worker keeps up' }),
    dead: z.number().int().openapi({ description: 'messages that could not be delivered (dead letters)' }),
    worker: z
      .object({
        state: z.enum(['up', 'down']).openapi({
          description: "this instance's outbox worker: down while it is stopped, its steps fail, it did nothing for 60 s, or a message has been due for 300 s",
        }),
        running: z.boolean(),
        inFlight: z.number().int().openapi({ description: 'messages being delivered right now' }),
        lastSuccessAt: isoOrNull.openapi({ description: 'when the worker last did its job (claimed a message, found none due, or recorded an outcome)' }),
        lastDeliveredAt: isoOrNull,
        lastError: z.string().nullable().openapi({ description: 'why its last step failed, while it has not succeeded since' }),
        pausedUntil: isoOrNull.openapi({ description: 'Slack asked to wait (Retry-After) until then' }),
      })
      .nullable()
      .openapi({ description: "this instance's outbox worker; null when it runs none (Slack off, or background work off)" }),
  })
  .openapi('DeliveryStatus');
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: '1..200, default 50' }),
  cursor: z
    .string()
    // No regex flags: the document carries the pattern as text, and "/i" would be part of it.
    .regex(/^(\d{1,18}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/, 'not a cursor this list gave out')
    .optional()
    .openapi({ description: "the previous page's nextCursor" }),
};

export const pageOf = <T extends z.ZodTypeAny>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

// Dates the database can compare with: years 1900 to 9999 (year 0 and the far past or future are
// refused, as is anything that is not an ISO date or date-time).
const MIN_DATE = Date.UTC(1900, 0, 1);
const MAX_DATE = Date.UTC(10000, 0, 1) - 1;
export const queryDate = z.iso
  .datetime({ offset: true })
  .or(z.iso.date())
  .transform((v) => new Date(v))
  .refine((d) => d.getTime() >= MIN_DATE && d.getTime() <= MAX_DATE, 'a date between 1900-01-01 and 9999-12-31');
export const queryBool = z.enum(['true', 'false']).transform((v) => v === 'true');

export { auditActions, roles, tokenStatuses, requestStatuses, verdicts, outcomes };
