// The manifest an admin pastes into Slack: one URL for commands, events and interactivity (our
// /slack/events), the command with escaped mentions, the scopes the bot's calls need, and App Home.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const manifest = readFileSync(new URL('../../bot/manifest.yaml', import.meta.url), 'utf8');
const lines = manifest.split('\n').filter((l) => !l.trim().startsWith('#'));
const body = lines.join('\n');

describe('bot/manifest.yaml', () => {
  it('sends commands, events and interactivity to /slack/events', () => {
    const urls = [...body.matchAll(/(?:url|request_url):\s*(\S+)/g)].map((m) => m[1]);
    expect(urls).toHaveLength(3);
    for (const u of urls) expect(u).toMatch(/^https:\/\/[^/]+\/slack\/events$/);
    expect(body).toMatch(/interactivity:\s*\n\s+is_enabled: true/);
  });

  it('declares the command with escaping, App Home and the app_home_opened event', () => {
    expect(body).toMatch(/- command: \/emergency-token/);
    expect(body).toMatch(/should_escape: true/);
    expect(body).toMatch(/home_tab_enabled: true/);
    expect(body).toMatch(/bot_events:\s*\n\s+- app_home_opened/);
  });

  it('asks for exactly the scopes the bot uses', () => {
    const scopes = [...body.matchAll(/^\s+- ([a-z]+:?[a-z.]*)\s*$/gm)].map((m) => m[1]).filter((s) => s !== 'app_home_opened');
    expect(scopes.sort()).toEqual(['chat:write', 'commands', 'im:write', 'users:read']);
  });

  it('has no tabs (YAML) and no real secrets', () => {
    expect(manifest).not.toMatch(/\t/);
    expect(manifest).not.toMatch(/xox[bpa]-|xapp-/);
  });
});
