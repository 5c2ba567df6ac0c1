// Request signing: the HMAC over `v0:<ts>:<body>`, the five-minute window, constant-time comparison.
import { describe, expect, it } from 'vitest';
import { checkSlackSignature, signSlackBody } from '../../bot/verify';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const now = 1_700_000_000;

describe('checkSlackSignature', () => {
  it("matches Slack's documented example", () => {
    // https://api.slack.com/authentication/verifying-requests-from-slack
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackBody(secret, 1531420618, body)).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
    expect(
      checkSlackSignature({
        signingSecret: secret,
        rawBody: body,
        timestamp: '1531420618',
        signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
        nowSeconds: 1531420618 + 60,
      }),
    ).toBeNull();
  });

  it('names what is wrong', () => {
    const sig = signSlackBody(secret, now, 'a=1');
    const check = (o: Partial<Parameters<typeof checkSlackSignature>[0]>) =>
      checkSlackSignature({ signingSecret: secret, rawBody: 'a=1', timestamp: String(now), signature: sig, nowSeconds: now, ...o });
    expect(check({})).toBeNull();
    expect(check({ signature: undefined })).toBe('missing_headers');
    expect(check({ timestamp: '' })).toBe('missing_headers');
    expect(check({ timestamp: '12ab' })).toBe('bad_timestamp');
    expect(check({ nowSeconds: now + 301 })).toBe('stale_timestamp');
    expect(check({ nowSeconds: now - 301 })).toBe('stale_timestamp');
    expect(check({ nowSeconds: now + 300 })).toBeNull();
    expect(check({ rawBody: 'a=2' })).toBe('bad_signature');
    expect(check({ signature: 'v0=short' })).toBe('bad_signature');
    expect(check({ signingSecret: 'other' })).toBe('bad_signature');
  });
});
