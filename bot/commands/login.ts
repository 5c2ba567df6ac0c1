// `login`: a one-time PWA sign-in link, by DM only (never in a channel, even ephemerally).
import { createSignInCode } from '../../api/domain/auth';
import { loginDm } from '../blocks/account';
import { dm } from '../reply';
import type { CommandHandler } from './types';

export const login: CommandHandler<'login'> = async ({ deps, account, client, slash, reply, t }) => {
  const { url, expiresAt } = await createSignInCode(deps.ctx, account.user.id);
  try {
    await dm(client, slash.user_id, loginDm(t, { url, expiresAt }));
  } catch (err) {
    deps.log.warn({ err: String(err) }, 'slack: could not DM a sign-in link');
    await reply(t.login.dmFailed);
    return;
  }
  await reply(t.login.sent);
};
