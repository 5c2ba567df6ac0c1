// Input rules: what a valid username, password, Slack id, name, quantity, reason or token code is. The
// domain applies them (parseInput) to whatever an adapter hands it, so the HTTP routes, the Slack bot and
// the CLI cannot differ; the routes build their request schemas (and so the OpenAPI document) from the
// same schemas. Bounds that depend on the configuration (MAX_REQUEST_QUANTITY, MAX_GENERATE_COUNT) are
// checked by the domain function that knows it.
import { z } from 'zod';
import { roles, verdicts } from '../../db/schema';
import { fail } from './errors';
import { isStorableText, STORABLE_TEXT_MESSAGE } from './text';

/** Free text: no NUL, no unpaired surrogate (text.ts); refused as invalid_input naming the field. */
export const text = () => z.string().refine(isStorableText, STORABLE_TEXT_MESSAGE);

// ---- accounts ----
export const Username = z
  .string()
  .trim()
  .min(2)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only');
export const Password = text().min(10, 'at least 10 characters').max(200);
export const SlackUserId = z
  .string()
  .trim()
  .regex(/^[UW][A-Z0-9]{2,30}$/, 'a Slack user id such as U012ABCDEF');
export const PersonName = text().trim().min(1).max(100);
export const RoleName = z.enum(roles);
/**
 * What sign-in accepts: loose on purpose (any text of a sane length), so a username or password that
 * breaks the account rules is simply wrong credentials, counted and audited like any other.
 */
export const LoginInput = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });

// ---- shared shapes ----
export const Id = z.string().uuid();

/** Optional trimmed text; an empty string means "not given". */
export const optionalText = (max: number) =>
  text()
    .max(max)
    .nullish()
    .transform((v) => (v === null || v === undefined || v.trim() === '' ? undefined : v.trim()));

/** Why something is done (a validation, a rejection): required, 3 to 500 characters. */
export const Reason = text().trim().min(3).max(500);
export const Note = optionalText(500);

// ---- tokens ----
/** Six digits is the advised length (20 bits, what OWASP ASVS asks of one-time codes). */
export const DEFAULT_TOKEN_LENGTH = 6;
export const TokenCode = z
  .string()
  .trim()
  .regex(/^\d{4,6}$/, 'a token is 4 to 6 digits');
export const TokenLength = z.number().int().min(4).max(6);
/** The upper bound here is the hard ceiling; MAX_GENERATE_COUNT is checked by generateTokens. */
export const TokenCount = z.number().int().min(1).max(100_000);
export const ExpiresInDays = z.number().int().min(1).max(365);

// ---- requests, records, reviews ----
/** The upper bound here is the hard ceiling; MAX_REQUEST_QUANTITY is checked by createRequest. */
export const Quantity = z.number().int().min(1).max(100_000);
export const TriageLevel = z.number().int().min(1).max(5);
export const Complaint = text().trim().min(3).max(500);
export const Verdict = z.enum(verdicts);

// ---- what each change takes ----
export const NewUserInput = z.object({
  username: Username,
  name: PersonName,
  role: RoleName.default('staff'),
  password: Password.optional(),
  slackUserId: SlackUserId.nullish(),
});
export const UserChangesInput = z
  .object({
    name: PersonName.optional(),
    role: RoleName.optional(),
    active: z.boolean().optional(),
    slackUserId: SlackUserId.nullable().optional(),
    password: Password.optional(),
  })
  .strict();
/** How long a request's (optional) reason may be; the bot says so before sending. */
export const REQUEST_REASON_MAX = 500;
export const NewRequestInput = z.object({ quantity: Quantity, reason: optionalText(REQUEST_REASON_MAX) });
export const RejectInput = z.object({ reason: Reason });
export const ApproveInput = z.object({ note: Note });
export const NewRecordInput = z.object({
  patientName: optionalText(200),
  patientRef: optionalText(100),
  complaint: Complaint,
  triageLevel: TriageLevel,
  notes: optionalText(5000),
});
export const ReviewInput = z.object({ verdict: Verdict, note: Note });
export const GenerateInput = z.object({
  count: TokenCount,
  length: TokenLength.default(DEFAULT_TOKEN_LENGTH),
  userId: Id.nullish(),
  notes: Note,
  expiresInDays: ExpiresInDays.optional(),
});
export const ValidateInput = z.object({ token: TokenCode, reason: Reason, patientRef: optionalText(100) });

/** zod issues → `details` naming each bad field (the contract's invalid_input details). */
export function fieldDetails(error: z.ZodError): Record<string, string> {
  const details: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? issue.path.join('.') : 'body';
    details[field] ??= issue.message;
  }
  return details;
}

/** The input as the rule reads it (trimmed, defaulted), or an invalid_input refusal naming each bad field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, message = 'Some fields are missing or invalid.'): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) return fail('invalid_input', message, fieldDetails(parsed.error));
  return parsed.data;
}
