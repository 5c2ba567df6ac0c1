// GET /events: Server-Sent Events fed by Postgres LISTEN/NOTIFY (see http/sse.ts). Admins get every
// event; staff only those about themselves.
import { streamSSE } from 'hono/streaming';
import { isAdmin } from '../domain/context';
import { eventTypes } from '../domain/events';
import { actorOf } from '../http/session';
import type { EventHub } from '../http/sse';
import { access } from './helpers';
import type { App } from './types';

export function registerEvents(app: App, hub: EventHub) {
  // Streaming responses are outside zod-openapi's request/response model: documented by hand.
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/events',
    operationId: 'streamEvents',
    ...access('signed-in'),
    tags: ['events'],
    summary: `Server-Sent Events (${eventTypes.join(', ')}); admins get all, staff only their own`,
    responses: { 200: { description: 'text/event-stream; each data line is the event as JSON', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 401: { description: 'unauthenticated' } },
  });
  app.get('/events', (c) => {
    const actor = actorOf(c);
    const admin = isAdmin(actor);
    c.header('Cache-Control', 'no-store');
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (s) => {
      let closed = false;
      const unsubscribe = hub.subscribe((event) => {
        if (!admin && event.userId !== actor.id) return;
        void s.writeSSE({ event: event.type, data: JSON.stringify(event) });
      });
      s.onAbort(() => {
        closed = true;
        unsubscribe();
      });
      await s.writeSSE({ event: 'ready', data: JSON.stringify({ role: actor.role }) });
      // Comments keep proxies from timing the connection out.
      while (!closed) {
        await s.sleep(25_000);
        if (!closed) await s.write(': keep-alive\n\n');
      }
    });
  });
}
