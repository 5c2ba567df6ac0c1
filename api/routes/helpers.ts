// Small helpers that keep each route file about its operation: JSON bodies and the standard error responses.
import { z } from '@hono/zod-openapi';
import { ErrorSchema } from './schemas';

export const jsonBody = <T extends z.ZodTypeAny>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

export const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const err = (description: string) => ({ content: { 'application/json': { schema: ErrorSchema } }, description });

export const errors = {
  400: err('invalid_input: a field is missing or invalid (details name each)'),
  401: err('unauthenticated'),
  403: err('forbidden'),
  404: err('not_found'),
  409: err('conflict'),
  422: err('token outcome'),
  429: err('too_many_attempts (Retry-After header)'),
} as const;

export function pick<K extends keyof typeof errors>(...codes: K[]) {
  return Object.fromEntries(codes.map((k) => [k, errors[k]])) as Pick<typeof errors, K>;
}
