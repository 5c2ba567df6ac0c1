// GET /events: Server-Sent Events fed by Postgres LISTEN/NOTIFY (see http/sse.ts). Admins get every
// event; staff only those about themselves. The stream ends when its session does.
import { streamSSE } from 'hono/streaming';
import { sessionId } from '../domain/auth';
import { isAdmin } from '../domain/context';
import { eventTypes } from '../domain/events';
import { actorOf } from '../http/session';
import type { EventHub } from '../http/sse';
import { access } from './helpers';
import type { App } from './types';

const KEEP_ALIVE_MS = 25_000;

export function registerEvents(app: App, hub: EventHub) {
  // Streaming responses are outside zod-openapi's request/response model: documented by hand.
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/events',
    operationId: 'streamEvents',
    ...access('signed-in'),
    tags: ['events'],
    summary: `Server-Sent Events (${eventTypes.join(', ')}); admins get all, staff only their own. Also: ready (on open), resume (events may have been missed: refetch), end (the stream closes: signed_out, replaced, shutdown)`,
    responses: {
      200: { description: 'text/event-stream; each data line is the event as JSON', content: { 'text/event-stream': { schema: { type: 'string' } } } },
      401: { description: 'unauthenticated' },
    },
  });
  app.get('/events', (c) => {
    const actor = actorOf(c);
    const admin = isAdmin(actor);
    const owner = { sessionId: sessionId(c.get('sessionSecret')!), userId: actor.id, role: actor.role };
    c.header('Cache-Control', 'no-store');
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (s) => {
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const close = hub.open(owner, {
        event(event) {
          if (admin || event.userId === actor.id) void s.writeSSE({ event: event.type, data: JSON.stringify(event) });
        },
        resume() {
          void s.writeSSE({ event: 'resume', data: '{}' });
        },
        end(reason) {
          // A client that was replaced by a newer stream should not come straight back.
          void s.writeSSE({ event: 'end', data: JSON.stringify({ reason }), ...(reason === 'replaced' && { retry: 60_000 }) }).finally(finish);
        },
      });
      s.onAbort(() => {
        close();
        finish();
      });
      // Comments keep proxies from timing the connection out.
      const keepAlive = setInterval(() => void s.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      try {
        await s.writeSSE({ event: 'ready', data: JSON.stringify({ role: actor.role }) });
        await finished;
      } finally {
        clearInterval(keepAlive);
        close();
      }
    });
  });
}
