// The one HTTP client: same-origin fetch with the session cookie, JSON in and out, one error type.
// Nothing here retries or queues: a validation must never be sent twice behind the user's back.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    /** seconds, from Retry-After or details.retryAfterSeconds (429) */
    readonly retryAfter: number | null = null,
    /** The server's clock when it answered (Date header), to read its absolute times on a phone whose clock is off. */
    readonly serverDate: number | null = null,
  ) {
    super(message);
  }
  get isNetwork(): boolean {
    return this.status === 0;
  }
}

export const API_BASE = '/api/v1';

type Listener = () => void;
const unauthListeners = new Set<Listener>();
/** Called on any 401 from a signed-in call, so the app can return to the sign-in screen. */
export function onUnauthenticated(fn: Listener): () => void {
  unauthListeners.add(fn);
  return () => unauthListeners.delete(fn);
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function qs(query: Query = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

async function request<T>(method: string, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (method !== 'GET') {
    // The server's CSRF defence wants a JSON content type on every cookie-authenticated change.
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  let res: Response;
  try {
    res = await fetch(API_BASE + path, init);
  } catch {
    throw new ApiError(0, 'network', 'network');
  }
  if (res.status === 204) return undefined as T;
  let data: unknown = null;
  const text = await res.text().catch(() => '');
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
    const details = err?.details ?? {};
    let retryAfter: number | null = null;
    const header = res.headers.get('Retry-After');
    if (header && /^\d+$/.test(header.trim())) retryAfter = Number(header);
    else if (typeof details.retryAfterSeconds === 'number') retryAfter = details.retryAfterSeconds;
    if (res.status === 401 && !opts.quiet401) unauthListeners.forEach((fn) => fn());
    const date = Date.parse(res.headers.get('Date') ?? '');
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? res.statusText, details, retryAfter, Number.isFinite(date) ? date : null);
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path + qs(query)),
  post: <T>(path: string, body?: unknown, opts?: { quiet401?: boolean }) => request<T>('POST', path, body, opts),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, body),
  del: <T>(path: string, body?: unknown) => request<T>('DELETE', path, body),
};
