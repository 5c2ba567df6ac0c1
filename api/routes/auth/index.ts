import type { App } from '../types';
import { registerLogin } from './login';
import { registerLogout } from './logout';
import { registerLogoutEverywhere } from './logout-everywhere';
import { registerMe } from './me';
import { registerUpdateMe } from './update-me';
import { registerSlackLink } from './slack-link';

export function registerAuth(app: App) {
  registerLogin(app);
  registerSlackLink(app);
  registerLogout(app);
  registerLogoutEverywhere(app);
  registerMe(app);
  registerUpdateMe(app);
}
