// Server-Sent Events: one LISTEN per process on the events channel, fanned out to this instance's open
// streams. Because the source is Postgres NOTIFY, clients of every instance see every event.
//
// Each stream belongs to a session and follows it: streams whose session stops being valid (logout,
// every session revoked, new password, deactivation) or whose user's role changed are ended. The check
// runs for all open streams at once, right after a NOTIFY on the sessions channel (migration 0010's
// triggers on sessions and users, so any way a session ends is seen) and every few seconds as a safety
// net. A session keeps at most a few streams; a new one ends the oldest.
import type { Database } from '../../db/client';
import type { Role } from '../../db/schema';
import { EVENTS_CHANNEL, parseEvent, SESSIONS_CHANNEL, type DomainEvent } from '../domain/events';

export type LiveEvent = DomainEvent;
export type EndReason = 'signed_out' | 'replaced' | 'shutdown';

export interface StreamOwner {
  /** sha256 of the session secret, as stored in sessions.id_hash. */
  sessionId: string;
  userId: string;
  role: Role;
}

export interface StreamSink {
  event(event: LiveEvent): void;
  /** The event listener was down and is back: events in between were lost, refetch. */
  resume(): void;
  end(reason: EndReason): void;
}

/** The sessions (by id) that are still valid now, with their user's id and current role. */
export type CheckSessions = (sessionIds: string[]) => Promise<Map<string, { userId: string; role: Role }>>;

export const MAX_STREAMS_PER_SESSION = 3;
const SESSION_CHECK_MS = 5000;

interface Entry extends StreamOwner {
  sink: StreamSink;
}

export class EventHub {
  private readonly streams = new Set<Entry>();
  private unlisten: Array<() => Promise<void>> = [];
  private stopResume: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private checkAgain = false;

  constructor(
    private readonly database: Database,
    private readonly checkSessions: CheckSessions,
    private readonly onCheckError: (err: unknown) => void = () => {},
  ) {}

  async start(): Promise<void> {
    this.unlisten.push(
      await this.database.listen(EVENTS_CHANNEL, (payload) => {
        // Every validation announces two or three events: with no one watching, none is parsed.
        if (this.streams.size === 0) return;
        const event = parseEvent(payload);
        if (event) for (const s of this.streams) s.sink.event(event);
      }),
    );
    this.unlisten.push(await this.database.listen(SESSIONS_CHANNEL, () => this.check()));
    this.stopResume = this.database.onResume(() => {
      for (const s of this.streams) s.sink.resume();
      // Session changes during the outage were not announced either.
      void this.check();
    });
    this.timer = setInterval(() => void this.check(), SESSION_CHECK_MS);
    this.timer.unref();
  }

  /** Register an open stream; returns its close function (call it when the client goes away). */
  open(owner: StreamOwner, sink: StreamSink): () => void {
    const entry: Entry = { ...owner, sink };
    const same = [...this.streams].filter((s) => s.sessionId === owner.sessionId);
    // Set iteration is insertion order: the first are the oldest.
    for (const old of same.slice(0, Math.max(0, same.length - MAX_STREAMS_PER_SESSION + 1))) this.end(old, 'replaced');
    this.streams.add(entry);
    return () => this.streams.delete(entry);
  }

  get size() {
    return this.streams.size;
  }

  /** Re-check every open stream's session now (coalesced: one check at a time, one more if asked meanwhile). */
  check(): Promise<void> {
    if (this.checking) {
      this.checkAgain = true;
      return this.checking;
    }
    this.checking = (async () => {
      do {
        this.checkAgain = false;
        await this.checkOnce();
      } while (this.checkAgain);
    })().finally(() => (this.checking = null));
    return this.checking;
  }

  private async checkOnce(): Promise<void> {
    if (this.streams.size === 0) return;
    const ids = [...new Set([...this.streams].map((s) => s.sessionId))];
    let valid: Map<string, { userId: string; role: Role }>;
    try {
      valid = await this.checkSessions(ids);
    } catch (err) {
      // Database unreachable: nothing is known, so nothing is ended; the next check decides.
      this.onCheckError(err);
      return;
    }
    for (const s of [...this.streams]) {
      const now = valid.get(s.sessionId);
      if (!now || now.userId !== s.userId || now.role !== s.role) this.end(s, 'signed_out');
    }
  }

  private end(entry: Entry, reason: EndReason) {
    if (!this.streams.delete(entry)) return;
    entry.sink.end(reason);
  }

  /** End every stream (graceful stop). */
  endAll(reason: EndReason = 'shutdown'): void {
    for (const s of [...this.streams]) this.end(s, reason);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.stopResume?.();
    this.endAll();
    await this.checking;
    for (const u of this.unlisten) await u();
    this.unlisten = [];
  }
}
