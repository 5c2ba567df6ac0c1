// `login`: a one-time PWA sign-in link, by DM only (never in a channel, even ephemerally).
import { createSignInCode } from '../../api/domain/auth';
import { loginDm } from '../blocks/account';
import { dm } from '../reply';
import type { CommandHandler } from './types';

export const login: CommandHandler<'login'> = async ({ deps, account, client, slash, reply }) => {
  const { url, expiresAt } = await createSignInCode(deps.ctx, account.user.id);
  try {
    await dm(client, slash.user_id, loginDm({ url, expiresAt }));
  } catch (err) {
    deps.log.warn({ err: String(err) }, 'slack: could not DM a sign-in link');
    await reply(':warning: I could not send you a DM. Open a DM with the Emergency Token app and try again.');
    return;
  }
  await reply(':envelope_with_arrow: I sent you a DM with a one-time sign-in link (valid for 10 minutes).');
};
