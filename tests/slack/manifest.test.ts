// The manifests an admin pastes into Slack. HTTP mode: one URL for commands, events and interactivity
// (our /slack/events). Socket Mode: socket_mode_enabled and no URL at all. Both: the command with escaped
// mentions, only the scopes the bot's calls need, the events it handles, App Home, and no reference to a
// file that does not exist.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (name: string) => readFileSync(new URL(`../../bot/${name}`, import.meta.url), 'utf8');
const bodyOf = (manifest: string) =>
  manifest
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n');
const manifests = { http: read('manifest.yaml'), socket: read('manifest.socket.yaml') };

describe.each(Object.entries(manifests))('bot/manifest (%s)', (mode, manifest) => {
  const body = bodyOf(manifest);

  it(mode === 'http' ? 'sends commands, events and interactivity to /slack/events' : 'uses Socket Mode and names no URL', () => {
    const urls = [...body.matchAll(/(?:url|request_url):\s*(\S+)/g)].map((m) => m[1]);
    if (mode === 'http') {
      expect(urls).toHaveLength(3);
      for (const u of urls) expect(u).toMatch(/^https:\/\/[^/]+\/slack\/events$/);
      expect(body).toMatch(/socket_mode_enabled: false/);
    } else {
      expect(urls).toHaveLength(0);
      expect(body).toMatch(/socket_mode_enabled: true/);
    }
    expect(body).toMatch(/interactivity:\s*\n\s+is_enabled: true/);
  });

  it('declares the command with escaping, App Home and the events the bot handles', () => {
    expect(body).toMatch(/- command: \/emergency-token/);
    expect(body).toMatch(/should_escape: true/);
    expect(body).toMatch(/home_tab_enabled: true/);
    const events = /bot_events:\s*\n((?:\s+- \S+\n?)+)/
      .exec(body)![1]!
      .trim()
      .split(/\s*-\s+/)
      .filter(Boolean);
    expect(events.sort()).toEqual(['app_home_opened', 'app_uninstalled', 'tokens_revoked', 'user_change']);
  });

  it('asks for exactly the scopes the bot uses (DMs go to the user id: no im:write)', () => {
    const scopes = /bot:\s*\n((?:\s+(?:#.*|- \S+)\n)+)/
      .exec(manifest)![1]!
      .split('\n')
      .filter((l) => /^\s+- /.test(l))
      .map((l) => l.trim().slice(2));
    expect(scopes.sort()).toEqual(['chat:write', 'commands', 'users:read']);
  });

  it('points only at files that exist, has no tabs and no real secrets', () => {
    for (const ref of manifest.matchAll(/\b((?:bot\/)?[\w.-]+\.(?:md|yaml))\b/g)) {
      const path = ref[1]!.startsWith('bot/') ? ref[1]! : `bot/${ref[1]}`;
      expect(existsSync(new URL(`../../${path}`, import.meta.url)), path).toBe(true);
    }
    expect(manifest).not.toMatch(/\t/);
    expect(manifest).not.toMatch(/xox[bpa]-|xapp-/);
  });
});
