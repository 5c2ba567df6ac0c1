// Which outbox row the Slack calls being made right now serve. Every delivery shares the bot's Web API
// clients, so the row travels with the async call chain (AsyncLocalStorage) rather than through every
// handler and helper; the clients' fetch reads it to log each Slack call with the HTTP request
// (X-Request-Id) that caused the message.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { OutboxRow } from '../../db/schema';

export interface DeliveryTrace {
  outboxId: number;
  kind: string;
  /** The request that queued the row, or null when no request did (sweep, the bot's own work). */
  requestId: string | null;
}

const current = new AsyncLocalStorage<DeliveryTrace>();

export const traced = <T>(row: OutboxRow, work: () => Promise<T>): Promise<T> =>
  current.run({ outboxId: row.id, kind: row.kind, requestId: row.requestId }, work);

/** The row whose delivery is making the current call, if any. */
export const deliveryTrace = (): DeliveryTrace | undefined => current.getStore();
