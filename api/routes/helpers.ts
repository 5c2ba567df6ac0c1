// Small helpers that keep each route file about its operation: who may call it, JSON bodies and the
// standard error responses.
// eslint-disable-next-line @typescript-eslint/no-restricted-imports -- the one place routes are created
import { createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import { SESSION_COOKIE } from '../http/session';
import { ErrorSchema } from './schemas';
import type { App } from './types';

/**
 * Who may call an operation at all: anyone, any signed-in user, or at least an admin / a super_admin.
 * Some operations ask more for some inputs (e.g. creating an admin needs a super_admin); the domain
 * enforces every rule, this is the floor the document declares and tests/api/access.test.ts checks.
 */
export const requiredRoles = ['anyone', 'signed-in', 'admin', 'super_admin'] as const;
export type RequiredRole = (typeof requiredRoles)[number];

export const SESSION_SCHEME = 'session';

/** The OpenAPI fields that say who may call an operation: `security` and `x-required-role`. */
export const access = (role: RequiredRole) => ({
  security: role === 'anyone' ? [] : [{ [SESSION_SCHEME]: [] }],
  'x-required-role': role,
});

/**
 * Every route is declared through this (lint refuses createRoute elsewhere in api/routes): the role and
 * the operationId are required, so the document says who may call what and clients get method names.
 */
export function defineRoute<P extends string, R extends Omit<RouteConfig, 'path'> & { path: P; operationId: string }>(role: RequiredRole, config: R) {
  return createRoute({ ...config, ...access(role) });
}

/** The session cookie as the document's security scheme. */
export function registerSecurityScheme(app: App) {
  app.openAPIRegistry.registerComponent('securitySchemes', SESSION_SCHEME, {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'Set by POST /auth/login or /auth/slack-link; HttpOnly, SameSite=Lax.',
  });
}

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
