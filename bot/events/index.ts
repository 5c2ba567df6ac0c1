import type { App } from '@slack/bolt';
import type { BotDeps } from '../deps';
import { registerAppHomeOpened } from './app-home-opened';

export function registerEvents(app: App, deps: BotDeps): void {
  registerAppHomeOpened(app, deps);
}
