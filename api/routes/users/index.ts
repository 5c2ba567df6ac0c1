import type { App } from '../types';
import { registerCreateUser } from './create';
import { registerListUsers } from './list';
import { registerUserProfile } from './profile';
import { registerUpdateUser } from './update';

export function registerUsers(app: App) {
  registerListUsers(app);
  registerCreateUser(app);
  registerUpdateUser(app);
  registerUserProfile(app);
}
