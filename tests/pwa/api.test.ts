// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, onUnauthenticated, qs } from '../../pwa/src/lib/api';
import { fakeFetch } from './helpers';

afterEach(() => vi.unstubAllGlobals());

describe('api client', () => {
  it('sends a JSON body ({} when empty) with a JSON content type on every change', async () => {
    const { calls } = fakeFetch({ 'POST /api/v1/x': { body: { ok: 1 } }, 'DELETE /api/v1/y': { body: {} }, 'PATCH /api/v1/z': { body: {} } });
    expect(await api.post('/x')).toEqual({ ok: 1 });
    await api.del('/y');
    await api.patch('/z', { a: 1 });
    expect(calls.map((c) => [c.method, c.headers['Content-Type'], c.body])).toEqual([
      ['POST', 'application/json', {}],
      ['DELETE', 'application/json', {}],
      ['PATCH', 'application/json', { a: 1 }],
    ]);
  });

  it('GET carries no body and drops empty query values', async () => {
    const { calls } = fakeFetch({ 'GET /api/v1/tokens': { body: { items: [] } } });
    await api.get('/tokens', { status: 'used', userId: '', cursor: null, limit: 5 });
    expect(calls[0]).toMatchObject({ method: 'GET', path: '/api/v1/tokens?status=used&limit=5', body: undefined });
    expect(qs({})).toBe('');
  });

  it('turns the error shape into an ApiError with code, details and Retry-After', async () => {
    fakeFetch({
      'POST /api/v1/tokens/validate': {
        status: 429,
        headers: { 'Retry-After': '120' },
        body: { error: { code: 'too_many_attempts', message: 'slow down', details: { retryAfterSeconds: 120 } } },
      },
    });
    const err = await api.post('/tokens/validate', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 429, code: 'too_many_attempts', message: 'slow down', retryAfter: 120 });
  });

  it('falls back to details.retryAfterSeconds when the header is absent', async () => {
    fakeFetch({ 'POST /api/v1/a': { status: 429, body: { error: { code: 'too_many_attempts', message: 'x', details: { retryAfterSeconds: 42 } } } } });
    await expect(api.post('/a')).rejects.toMatchObject({ retryAfter: 42 });
  });

  it('reports a network failure as status 0 and never retries', async () => {
    const { fn } = fakeFetch({});
    fn.mockRejectedValue(new TypeError('offline'));
    const err = (await api.post('/tokens/validate', { token: '1234' }).catch((e: unknown) => e)) as ApiError;
    expect(err.isNetwork).toBe(true);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('tells listeners about a 401, unless asked to stay quiet', async () => {
    fakeFetch({
      'GET /api/v1/me': { status: 401, body: { error: { code: 'unauthenticated', message: 'x' } } },
      'POST /api/v1/auth/login': { status: 401, body: {} },
    });
    const seen = vi.fn();
    const off = onUnauthenticated(seen);
    await api.get('/me').catch(() => {});
    await api.post('/auth/login', {}, { quiet401: true }).catch(() => {});
    off();
    expect(seen).toHaveBeenCalledTimes(1);
  });
});
