// Every Block Kit builder stays inside Slack's limits (50 blocks per message, 100 per view, 3000 characters
// per section text, 150 per header, 75 per button...) whatever the input: long reasons, many tokens,
// long lists, hostile text.
import { describe, expect, it } from 'vitest';
import { helpMessage, loginDm, monitorMessage, statusMessage } from '../../bot/blocks/account';
import { grantNotice, lockoutNotice, type GrantCard } from '../../bot/blocks/grants';
import { homeView } from '../../bot/blocks/home';
import { blockKitProblems, clip, LIMITS } from '../../bot/blocks/limits';
import { approveModal, rejectModal, requestModal } from '../../bot/blocks/modals';
import { pendingList, requestMessage, requestOutcomeDm, threadMessage, type RequestCard } from '../../bot/blocks/requests';
import { escapeMrkdwn, type Message } from '../../bot/blocks/text';
import { en, id, type Texts } from '../../bot/i18n';
import { houseRuleProblems } from './fake-slack';
import { generatedMessages, lowStockDm, tokensDm, tokensMaybeLostDm, topUpQuantity } from '../../bot/blocks/tokens';

const long = (n: number) => 'x'.repeat(n);
const URL = 'https://emergency.example.org';
const LINKS = { appUrl: URL, permalink: 'https://fake.slack.test/archives/C1/p1' };
const hostile = '<!channel> *bold* <https://evil.example|click> & `code` ```fence``` '.repeat(40);
const person = (i = 0) => ({ name: `${hostile}${i}`, slackUserId: i % 2 ? `U${i}` : null });
const tokens = (n: number, len = 6) => Array.from({ length: n }, (_, i) => String(i).padStart(len, '0').slice(-len));

const request = (i: number, status: RequestCard['status'] = 'pending'): RequestCard => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  quantity: 10_000,
  reason: long(5000) + hostile,
  status,
  createdAt: new Date(),
  expiresAt: new Date(),
  decidedAt: status === 'pending' ? null : new Date(),
  decisionNote: status === 'rejected' ? long(5000) : null,
  requester: person(i),
  decider: status === 'pending' ? null : person(i + 1),
  stock: 99_999,
});

const grant = (i: number, reviewed = false): GrantCard => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  holder: person(i),
  reason: long(5000) + hostile,
  patientRef: long(5000),
  createdAt: new Date(),
  expiresAt: new Date(),
  review: reviewed ? { verdict: 'flagged', reviewer: person(i + 1), reviewedAt: new Date(), note: long(5000) } : null,
});

const stats = {
  threshold: 5,
  tokens: { available: 1e9, used: 1e9, expired: 1e9, revoked: 1e9, total: 4e9 },
  usedLast24h: 1e9,
  pendingRequests: 10_000,
  unreviewedGrants: 10_000,
  lowStockUsers: Array.from({ length: 500 }, (_, i) => ({ ...person(i), available: i % 5 })),
};

/** Inside Slack's limits, and our house rules: every button labelled for screen readers, no empty value. */
function expectWithinLimits(payload: Message | object) {
  expect(blockKitProblems(payload as Record<string, unknown>)).toEqual([]);
  expect(houseRuleProblems(payload as Record<string, unknown>)).toEqual([]);
}

describe('Block Kit limits', () => {
  it('clip never exceeds the limit', () => {
    expect(clip(long(10), 5)).toHaveLength(5);
    expect(clip('short', 5)).toBe('short');
  });

  it('the checker itself catches oversize payloads, unlabelled buttons and empty values', () => {
    const tooMany = { text: 't', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) };
    expect(blockKitProblems(tooMany)).toEqual([expect.stringMatching(/51 blocks, limit 50/)]);
    const tooLong = { text: 't', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: long(3001) } }] };
    expect(blockKitProblems(tooLong)).toEqual([expect.stringMatching(/3001 characters, limit 3000/)]);
    const bare = { blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'Go' }, value: '' }] }] };
    expect(blockKitProblems(bare)).toEqual([expect.stringMatching(/empty value/)]);
    expect(houseRuleProblems(bare)).toEqual([expect.stringMatching(/accessibility_label/), expect.stringMatching(/empty value/)]);
  });
});

describe.each([
  ['English', en],
  ['Bahasa Indonesia', id],
] as Array<[string, Texts]>)('every builder in %s stays inside the limits', (_lang, t) => {
  it('request cards, in every state, with huge reasons', () => {
    for (const status of ['pending', 'approved', 'rejected', 'expired'] as const) expectWithinLimits(requestMessage(t, request(1, status), URL));
  });

  it('the pending list with many requests', () => {
    const m = pendingList(
      t,
      Array.from({ length: 200 }, (_, i) => request(i)),
      true,
    );
    expectWithinLimits(m);
    expect(m.blocks.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
  });

  it('outcome DMs and token DMs, up to tens of thousands of tokens, split into several messages', () => {
    for (const n of [0, 1, 50, 1000, 20_000]) {
      const approved = requestOutcomeDm(t, request(1, 'approved'), tokens(n), LINKS);
      approved.forEach(expectWithinLimits);
      const dms = tokensDm(t, tokens(n));
      dms.forEach(expectWithinLimits);
      const shown = dms
        .flatMap((m) => m.blocks as Array<{ text?: { text?: string } }>)
        .flatMap((b) => (b.text?.text?.startsWith('```') ? b.text.text.replace(/```/g, '').split(/\s+/).filter(Boolean) : []));
      expect(shown).toHaveLength(n);
      for (const m of [...dms, ...approved]) expect(m.text).not.toMatch(/\d{6}/);
    }
    requestOutcomeDm(t, request(1, 'rejected'), [], LINKS).forEach(expectWithinLimits);
    requestOutcomeDm(t, request(1, 'expired'), [], LINKS).forEach(expectWithinLimits);
  });

  it('generate answers, assigned and not, at every length', () => {
    for (const length of [4, 5, 6]) {
      generatedMessages(t, { tokens: tokens(1000, length), length, assignee: null, assigneeHasSlack: false }).forEach(expectWithinLimits);
      generatedMessages(t, { tokens: tokens(1000, length), length, assignee: person(3), assigneeHasSlack: true }).forEach(expectWithinLimits);
    }
  });

  it('the decision thread, every event, with huge notes and hostile names', () => {
    for (const event of ['approved', 'rejected', 'expired', 'refused', 'reminder', 'last_call'] as const) {
      const m = threadMessage(t, request(1), { event, actor: person(2), note: long(5000), code: 'self_approval' });
      expectWithinLimits(m);
      expect(m.text).not.toMatch(/<@/);
    }
    expectWithinLimits(tokensMaybeLostDm(t, { count: 20_000, appUrl: URL }));
  });

  it('break-the-glass and lockout notices', () => {
    expectWithinLimits(grantNotice(t, grant(1), URL));
    expectWithinLimits(grantNotice(t, grant(2, true), URL));
    expectWithinLimits(lockoutNotice(t, { user: person(1), lockedUntil: new Date() }));
  });

  it('help, status, login, monitor and the low-stock DM', () => {
    expectWithinLimits(helpMessage(t, { isAdmin: true, maxRequestQuantity: 10_000, maxGenerateCount: 100_000 }));
    expectWithinLimits(
      statusMessage(t, {
        available: 3,
        threshold: 5,
        pending: Array.from({ length: 100 }, (_, i) => request(i)),
        grant: { reason: long(5000), patientRef: long(500), expiresAt: new Date() },
      }),
    );
    expectWithinLimits(loginDm(t, { url: `https://example.org/login?code=${long(40)}`, expiresAt: new Date() }));
    expectWithinLimits(monitorMessage(t, stats));
    expectWithinLimits(lowStockDm(t, { available: 0, threshold: 1000, topUp: 10_000 }));
  });

  it('the modals', () => {
    expectWithinLimits(requestModal(t, { maxQuantity: 10_000, quantity: 99_999, meta: { responseUrl: `https://hooks.slack.com/${long(200)}` } }));
    const decision = {
      meta: { requestId: request(1).id, responseUrl: `https://hooks.slack.com/${long(200)}`, ephemeral: true },
      requesterName: hostile,
      quantity: 3,
    };
    expectWithinLimits(rejectModal(t, decision));
    expectWithinLimits(approveModal(t, decision));
  });

  it('App Home for a busy admin and for staff', () => {
    const undelivered = {
      total: 500,
      items: Array.from({ length: 50 }, (_, i) => ({
        id: i + 1,
        kind: i % 2 ? 'request.created' : 'something.else',
        reason: long(300),
        deadAt: new Date().toISOString(),
      })),
    };
    const admin = homeView(t, {
      name: hostile,
      available: 2,
      threshold: 5,
      grant: { reason: long(5000), expiresAt: new Date() },
      recentRequests: Array.from({ length: 50 }, (_, i) => request(i, 'approved')),
      notice: long(5000),
      publicUrl: URL,
      admin: { stats, pending: Array.from({ length: 100 }, (_, i) => request(i)), unreviewed: Array.from({ length: 100 }, (_, i) => grant(i)), undelivered },
    });
    expectWithinLimits(admin);
    const staff = homeView(t, { name: 'n', available: 9, threshold: 5, grant: null, recentRequests: [], publicUrl: URL });
    expectWithinLimits(staff);
  });
});

describe('escaping', () => {
  it('neutralises mentions and links in user text', () => {
    expect(escapeMrkdwn('<!channel> & <https://x|y>')).toBe('&lt;!channel&gt; &amp; &lt;https://x|y&gt;');
    const m = requestMessage(en, { ...request(1), reason: '<!channel> urgent', requester: { name: '<!here>' } }, URL);
    const text = JSON.stringify(m);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<!here>');
  });
});

describe('top-up quantity', () => {
  it('refills to twice the alert level, within the request limit', () => {
    expect(topUpQuantity(4, 5, 50)).toBe(6);
    expect(topUpQuantity(0, 5, 50)).toBe(10);
    expect(topUpQuantity(0, 100, 50)).toBe(50);
    expect(topUpQuantity(0, 0, 50)).toBe(1);
  });
});
