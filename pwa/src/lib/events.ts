// One EventSource per signed-in tab. Screens subscribe and refetch what they show; EventSource
// reconnects by itself after a drop.
import { useEffect, useRef } from 'preact/hooks';
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
  source = new EventSource(`${API_BASE}/events`);
  // Events sent while we were not connected are lost: on every (re)connect, subscribers that asked
  // for 'open' refetch what they show.
  source.onopen = () => handlers.forEach((h) => h({ type: 'open' }));
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

/** For tests: feed an event as if the server had sent it. */
export function emitForTest(e: LiveEvent): void {
  handlers.forEach((h) => h(e));
}
