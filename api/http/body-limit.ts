// The request body limit (64 KiB on the API and the Slack endpoint). Hono's bodyLimit asks for
// `c.req.raw.body`, which makes @hono/node-server build a whole web Request (headers, an AbortSignal, a
// ReadableStream over the socket) for every request, GETs too, and the body is then read through web
// streams: about a tenth of the server's CPU under validation load. Under Node's HTTP server the framing
// is already known: a request that declares its length is judged by it (the parser never reads past
// Content-Length), and one that declares neither a length nor chunked transfer has no body. Only a chunked
// body, or a request that did not come through Node's parser (tests' app.request), is counted as it is read.
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as countedBodyLimit } from 'hono/body-limit';

export function bodyLimit(maxSize: number, onError: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  const counted = countedBodyLimit({ maxSize, onError });
  return async (c, next) => {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (!incoming || incoming.headers['transfer-encoding'] !== undefined) return counted(c, next);
    const length = incoming.headers['content-length'];
    if (length !== undefined && Number(length) > maxSize) return onError(c);
    await next();
  };
}
