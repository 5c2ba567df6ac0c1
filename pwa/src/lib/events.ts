// One EventSource per signed-in tab. Screens subscribe and refetch what they show; EventSource
// reconnects by itself after a drop. Whether the stream is up is state too: "live" is only claimed
// while it is.
import { useEffect, useRef, useState } from 'preact/hooks';
import { API_BASE } from './api';
import type { EventType, LiveEvent } from './types';

export const EVENT_TYPES = [
  'token.generated',
  'token.used',
  'token.revoked',
  'grant.opened',
  'grant.reviewed',
  'request.created',
  'request.decided',
  'stock.low',
  'lockout',
] as const satisfies readonly EventType[];

type Handler = (e: LiveEvent) => void;
const handlers = new Set<Handler>();
let source: EventSource | null = null;

export type StreamState = 'connecting' | 'live' | 'down';
let streamState: StreamState = 'connecting';
const stateListeners = new Set<(s: StreamState) => void>();
function setStreamState(s: StreamState): void {
  if (s === streamState) return;
  streamState = s;
  stateListeners.forEach((fn) => fn(s));
}
if (typeof window !== 'undefined') window.addEventListener('offline', () => setStreamState('down'));

/** 'live' while the event stream is open; 'down' after an error or going offline, until it reopens. */
export function useStreamState(): StreamState {
  const [s, set] = useState(streamState);
  useEffect(() => {
    stateListeners.add(set);
    set(streamState);
    return () => {
      stateListeners.delete(set);
    };
  }, []);
  return s;
}

function dispatch(type: EventType, raw: string): void {
  let data: LiveEvent = { type };
  try {
    data = { type, ...(JSON.parse(raw) as object) };
  } catch {
    /* an event without JSON still means "something changed" */
  }
  handlers.forEach((h) => h(data));
}

export function startEvents(): void {
  if (source || typeof EventSource === 'undefined') return;
  setStreamState('connecting');
  source = new EventSource(`${API_BASE}/events`);
  // Events sent while we were not connected are lost: on every (re)connect, subscribers that asked
  // for 'open' refetch what they show.
  source.onopen = () => {
    setStreamState('live');
    handlers.forEach((h) => h({ type: 'open' }));
  };
  // EventSource retries by itself; until it is open again, nothing here is live.
  source.onerror = () => setStreamState('down');
  // The server's event listener was down and is back: same as a reconnect.
  source.addEventListener('resume', () => handlers.forEach((h) => h({ type: 'open' })));
  // The server ended the stream (signed out, replaced by a newer tab, shutting down). Signed out or
  // replaced: stay closed; shutting down: reconnect (to another instance) after the retry delay.
  source.addEventListener('end', (e) => {
    let reason = '';
    try {
      reason = String((JSON.parse((e as MessageEvent<string>).data) as { reason?: unknown }).reason ?? '');
    } catch {
      /* no reason given */
    }
    if (reason !== 'shutdown') stopEvents();
  });
  for (const t of EVENT_TYPES) source.addEventListener(t, (e) => dispatch(t, (e as MessageEvent<string>).data));
  source.onmessage = (e) => {
    try {
      const d = JSON.parse(e.data as string) as { type?: unknown };
      const type = EVENT_TYPES.find((t) => t === d?.type);
      if (type) dispatch(type, e.data as string);
    } catch {
      /* keep-alive or comment */
    }
  };
}

export function stopEvents(): void {
  source?.close();
  source = null;
  setStreamState('down');
}

/** Calls `fn` for live events whose type is in `types` (all when omitted); 'open' means (re)connected. */
export function useLiveEvents(fn: Handler, types?: readonly string[]): void {
  const ref = useRef(fn);
  ref.current = fn;
  const key = types?.join(',') ?? '*';
  useEffect(() => {
    const h: Handler = (e) => {
      if (!types || types.includes(e.type)) ref.current(e);
    };
    handlers.add(h);
    return () => {
      handlers.delete(h);
    };
  }, [key]);
}

/** For tests: the stream's state as if the connection had changed. */
export function setStreamStateForTest(s: StreamState): void {
  setStreamState(s);
}

/** For tests: feed an event as if the server had sent it. */
export function emitForTest(e: LiveEvent): void {
  handlers.forEach((h) => h(e));
}
