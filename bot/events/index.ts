import type { App } from '@slack/bolt';
import type { BotDeps } from '../deps';
import { registerAppHomeOpened } from './app-home-opened';
import { registerWorkspaceEvents } from './workspace';

export function registerEvents(app: App, deps: BotDeps): void {
  registerAppHomeOpened(app, deps);
  registerWorkspaceEvents(app, deps);
}
