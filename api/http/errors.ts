// The one place errors become responses: every error body has the contract's shape
// {"error": {"code", "message", "details?"}}, and nothing internal (stack, SQL, secrets) leaks out.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { DomainError, errorStatus, type ErrorCode } from '../domain/errors';
import { fieldDetails } from '../domain/input';
import type { AppEnv } from './env';

export function errorBody(code: ErrorCode, message: string, details?: Record<string, unknown>) {
  return { error: { code, message, ...(details && { details }) } };
}

export function errorResponse(c: Context, code: ErrorCode, message: string, details?: Record<string, unknown>) {
  const status = errorStatus[code];
  if (code === 'too_many_attempts' && typeof details?.retryAfterSeconds === 'number') {
    c.header('Retry-After', String(details.retryAfterSeconds));
  }
  return c.json(errorBody(code, message, details), status);
}

/** The zod-openapi hook: a schema failure is a 400 invalid_input naming the fields. */
export const validationHook = (result: { success: boolean; error?: ZodError }, c: Context) => {
  if (!result.success && result.error) {
    return errorResponse(c, 'invalid_input', 'Some fields are missing or invalid.', fieldDetails(result.error));
  }
  return undefined;
};

export function onError(err: Error, c: Context<AppEnv>) {
  if (err instanceof DomainError) return errorResponse(c, err.code, err.message, err.details);
  if (err instanceof HTTPException) {
    if (err.status === 413) return errorResponse(c, 'payload_too_large', 'The request body is too large.');
    if (err.status === 400) return errorResponse(c, 'invalid_input', err.message === 'Malformed JSON in request body' ? 'The request body is not valid JSON.' : 'The request is malformed.', { body: err.message });
    if (err.status === 401) return errorResponse(c, 'unauthenticated', 'Sign in first.');
  }
  c.get('logger')?.error({ err }, 'unhandled error');
  return errorResponse(c, 'internal', 'Something went wrong on our side. It has been logged.');
}
