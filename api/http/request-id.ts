// A request id for every request: the caller's X-Request-Id when it looks like one (so a proxy's or a
// client's id follows the request through our logs), else a fresh UUID. It is answered in the
// X-Request-Id header of every response (errors included), bound to the request's logger so every log
// line carries it, and put on the domain context (ctx.requestId) for work the request hands on.
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Ctx } from '../domain/context';
import type { Logger } from '../logger';
import type { AppEnv } from './env';

export const REQUEST_ID_HEADER = 'X-Request-Id';
// Printable, no spaces or separators that could split a header or a log line; long enough for a UUID,
// a W3C trace id or a load balancer's id.
const SANE = /^[\w.:+/=-]{1,128}$/;

export const requestIdOf = (incoming: string | undefined): string => (incoming && SANE.test(incoming) ? incoming : randomUUID());

export function requestContext(deps: { ctx: Ctx; logger: Logger }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = requestIdOf(c.req.header(REQUEST_ID_HEADER));
    c.set('requestId', requestId);
    c.set('ctx', { ...deps.ctx, requestId });
    c.set('logger', deps.logger.child({ requestId }));
    c.set('user', null);
    c.set('sessionSecret', null);
    c.header(REQUEST_ID_HEADER, requestId);
    await next();
    // Responses built outside c (static files, streams) get it too.
    if (!c.res.headers.has(REQUEST_ID_HEADER)) c.res.headers.set(REQUEST_ID_HEADER, requestId);
  };
}
