// Request guards that run before any route: client address, JSON-only bodies, and the cross-site check
// that protects cookie sessions (CSRF).
import type { MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { errorResponse } from './errors';
import type { AppEnv } from './env';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_MEDIA_TYPE = /^application\/json(;\s*[a-zA-Z0-9-]+=[^;]+)*$/i;

export const clientIp: MiddlewareHandler<AppEnv> = async (c, next) => {
  let ip: string | null = null;
  if (c.get('ctx').config.trustProxy) ip = c.req.header('x-forwarded-for')?.split(',')[0]?.trim() || null;
  if (!ip) {
    try {
      ip = getConnInfo(c).remote.address ?? null;
    } catch {
      ip = null; // in-process requests (tests) have no socket
    }
  }
  // inet column: keep only something that looks like an address.
  c.set('ip', ip && /^[0-9a-fA-F:.]{2,45}$/.test(ip) ? ip.replace(/^::ffff:/, '') : null);
  await next();
};

/**
 * State-changing API calls must carry JSON (or no body at all), and a browser request must come from our
 * own origin. Together with SameSite=Lax cookies this stops cross-site forms and fetches from acting with
 * a nurse's session.
 */
export const jsonAndSameOrigin: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!STATE_CHANGING.has(c.req.method)) return next();
  const origin = c.req.header('origin');
  if (origin && origin !== 'null') {
    const own = new URL(c.req.url);
    const allowed = new Set([own.origin, c.get('ctx').config.publicUrl]);
    const host = c.req.header('host');
    if (host) allowed.add(`${own.protocol}//${host}`);
    if (!allowed.has(origin)) return errorResponse(c, 'forbidden', 'Cross-site request refused.', { origin });
  } else if (origin === 'null') {
    return errorResponse(c, 'forbidden', 'Cross-site request refused.');
  }
  const length = Number(c.req.header('content-length') ?? 0);
  const hasBody = length > 0 || c.req.header('transfer-encoding') !== undefined;
  const contentType = (c.req.header('content-type') ?? '').trim();
  // application/json, optionally with well-formed name=value parameters (charset=utf-8): the same rule
  // the route validators apply, so a type they would refuse is a clear 415 here.
  if (hasBody && !JSON_MEDIA_TYPE.test(contentType)) {
    return errorResponse(c, 'unsupported_media_type', 'Send the body as application/json.', {
      contentType: contentType.split(';')[0]!.trim().toLowerCase().slice(0, 100) || null,
    });
  }
  return next();
};
