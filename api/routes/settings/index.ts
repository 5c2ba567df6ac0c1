import type { App } from '../types';
import { registerGetSettings } from './get';
import { registerUpdateSettings } from './update';

export function registerSettings(app: App) {
  registerGetSettings(app);
  registerUpdateSettings(app);
}
