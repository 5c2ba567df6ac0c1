// Server-Sent Events: one LISTEN per process on the events channel, fanned out to this instance's
// connected clients. Because the source is Postgres NOTIFY, clients of every instance see every event.
import type { Database } from '../../db/client';
import { EVENTS_CHANNEL, parseEvent, type DomainEvent } from '../domain/events';

type Listener = (event: DomainEvent & { at: string }) => void;

export class EventHub {
  private listeners = new Set<Listener>();
  private unlisten: (() => Promise<void>) | null = null;

  constructor(private readonly database: Database) {}

  async start(): Promise<void> {
    this.unlisten = await this.database.listen(EVENTS_CHANNEL, (payload) => {
      const event = parseEvent(payload);
      if (event) for (const l of this.listeners) l(event);
    });
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size() {
    return this.listeners.size;
  }

  async stop(): Promise<void> {
    this.listeners.clear();
    await this.unlisten?.();
  }
}
