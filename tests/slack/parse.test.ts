// The slash command's text parser: every subcommand, and a specific sentence for each bad input.
import { describe, expect, it } from 'vitest';
import { parseCommandText } from '../../bot/commands/parse';

const limits = { maxRequestQuantity: 50, maxGenerateCount: 1000 };
const parse = (text: string) => parseCommandText(text, limits);

describe('parseCommandText', () => {
  it('parses every subcommand', () => {
    expect(parse('')).toEqual({ ok: true, command: { name: 'help' } });
    expect(parse('  HELP ')).toEqual({ ok: true, command: { name: 'help' } });
    expect(parse('request')).toEqual({ ok: true, command: { name: 'request' } });
    expect(parse('request 10 night shift   ICU')).toEqual({ ok: true, command: { name: 'request', quantity: 10, reason: 'night shift   ICU' } });
    expect(parse('request 50')).toEqual({ ok: true, command: { name: 'request', quantity: 50, reason: undefined } });
    for (const name of ['status', 'login', 'pending', 'monitor']) expect(parse(name)).toEqual({ ok: true, command: { name } });
    expect(parse('generate 20')).toEqual({ ok: true, command: { name: 'generate', count: 20, length: undefined, assignee: undefined } });
    expect(parse('generate 20 4')).toEqual({ ok: true, command: { name: 'generate', count: 20, length: 4, assignee: undefined } });
    expect(parse('generate 20 6 <@U123ABC|jane>')).toEqual({ ok: true, command: { name: 'generate', count: 20, length: 6, assignee: 'U123ABC' } });
    expect(parse('generate 20 <@W0XYZ>')).toEqual({ ok: true, command: { name: 'generate', count: 20, length: undefined, assignee: 'W0XYZ' } });
  });

  it.each([
    ['request -3', /from 1 to 50; you gave `-3`/],
    ['request abc', /whole number from 1 to 50; `abc` is not one/],
    ['request 100000', /from 1 to 50; you gave `100000`/],
    ['request 1e3', /whole number/],
    ['request 99999999999999999999', /from 1 to 50/],
    [`request 5 ${'r'.repeat(501)}`, /501 characters long; keep it to 500/],
    ['generate', /Give the count/],
    ['generate 0', /from 1 to 1000/],
    ['generate 5 3', /token length must be from 4 to 6/],
    ['generate 5 6 7', /did not understand `7`/],
    ['generate 5 <@U1AAA> <@U2BBB>', /at most one user/],
    ['generate 5 <@U1AAA> 6', /did not understand `6`/],
    ['generate 5 @jane', /could not tell which Slack user `@jane` is/],
    ['pending now', /takes no arguments/],
    ['approve 5', /Unknown subcommand `approve`/],
    ['<!channel>', /Unknown subcommand `&lt;!channel&gt;`/],
  ])('%s → a specific error', (text, message) => {
    const r = parse(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
});
