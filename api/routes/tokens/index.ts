import type { App } from '../types';
import { registerGenerateTokens } from './generate';
import { registerListTokens } from './list';
import { registerMyTokens } from './mine';
import { registerRevealTokens } from './reveal';
import { registerRevokeToken } from './revoke';
import { registerValidateToken } from './validate';

export function registerTokens(app: App) {
  registerListTokens(app);
  registerMyTokens(app);
  registerGenerateTokens(app);
  registerValidateToken(app);
  registerRevealTokens(app);
  registerRevokeToken(app);
}
