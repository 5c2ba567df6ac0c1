// The one place errors become responses: every error body has the contract's shape
// {"error": {"code", "message", "details?"}}, and nothing internal (stack, SQL, secrets) leaks out.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { isDatabaseUnavailable } from '../../db/client';
import { DomainError, errorStatus, type ErrorCode } from '../domain/errors';
import { fieldDetails } from '../domain/input';
import type { AppEnv } from './env';

/** What a client is told to wait when the database is unreachable (a restart or failover takes seconds). */
export const UNAVAILABLE_RETRY_SECONDS = 5;

export function errorBody(code: ErrorCode, message: string, details?: Record<string, unknown>) {
  return { error: { code, message, ...(details && { details }) } };
}

export function errorResponse(c: Context, code: ErrorCode, message: string, details?: Record<string, unknown>) {
  const status = errorStatus[code];
  if ((code === 'too_many_attempts' || code === 'unavailable') && typeof details?.retryAfterSeconds === 'number') {
    c.header('Retry-After', String(details.retryAfterSeconds));
  }
  // The rest of an oversized body may still be on its way: the connection cannot carry another request.
  if (code === 'payload_too_large') c.header('Connection', 'close');
  return c.json(errorBody(code, message, details), status);
}

/** The zod-openapi hook: a schema failure is a 400 invalid_input naming the fields. */
export const validationHook = (result: { success: boolean; error?: ZodError }, c: Context) => {
  if (!result.success && result.error) {
    return errorResponse(c, 'invalid_input', 'Some fields are missing or invalid.', fieldDetails(result.error));
  }
  return undefined;
};

export const unavailableResponse = (c: Context) =>
  errorResponse(c, 'unavailable', 'The database is unreachable for a moment. Try again in a few seconds.', { retryAfterSeconds: UNAVAILABLE_RETRY_SECONDS });

export function onError(err: Error, c: Context<AppEnv>) {
  if (err instanceof DomainError) return errorResponse(c, err.code, err.message, err.details);
  if (err instanceof HTTPException && err.status < 500) return httpExceptionResponse(err, c);
  if (isDatabaseUnavailable(err)) {
    c.get('logger')?.warn({ err }, 'database unavailable');
    return unavailableResponse(c);
  }
  c.get('logger')?.error({ err }, 'unhandled error');
  return errorResponse(c, 'internal', 'Something went wrong on our side. It has been logged.');
}

/** Hono and its middleware signal bad requests with HTTPException: each becomes its contract code. */
function httpExceptionResponse(err: HTTPException, c: Context<AppEnv>) {
  switch (err.status) {
    case 401:
      return errorResponse(c, 'unauthenticated', 'Sign in first.');
    case 403:
      return errorResponse(c, 'forbidden', 'This request is not allowed.');
    case 404:
      return errorResponse(c, 'not_found', 'Not found.');
    case 413:
      return errorResponse(c, 'payload_too_large', 'The request body is too large.');
    case 415:
      return errorResponse(c, 'unsupported_media_type', 'Send the body as application/json.', {
        contentType: c.req.header('content-type')?.slice(0, 100) ?? null,
      });
    default:
      return errorResponse(
        c,
        'invalid_input',
        err.message === 'Malformed JSON in request body' ? 'The request body is not valid JSON.' : 'The request is malformed.',
        { body: 'malformed' },
      );
  }
}
