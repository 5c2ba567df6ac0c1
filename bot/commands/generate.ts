// `generate <count> [length] [@user]` (admins). Tokens for a user reach them by DM through the outbox;
// unassigned tokens are shown once, here, to the admin who generated them.
import { DEFAULT_TOKEN_LENGTH, generateTokens } from '../../api/domain/tokens';
import { findUserBySlackId } from '../../api/domain/users';
import { generatedMessages, TOKENS_PER_SECTION } from '../blocks/tokens';
import { explain } from '../errors';
import type { CommandHandler } from './types';

/** response_url takes five answers; each message holds 45 sections of tokens. */
const MAX_SHOWN = 5 * 45 * TOKENS_PER_SECTION;

export const generate: CommandHandler<'generate'> = async ({ deps, command, account, reply, t }) => {
  const length = command.length ?? DEFAULT_TOKEN_LENGTH;
  let assignee = null;
  if (command.assignee) {
    // An admin names an existing account; generating never creates one.
    const found = await findUserBySlackId(deps.ctx, command.assignee);
    if (!found?.active) {
      await reply(t.tokens.cannotGet(`<@${command.assignee}>`, found ? t.tokens.whyInactive : t.tokens.whyUnknown));
      return;
    }
    assignee = found;
  } else if (command.count > MAX_SHOWN) {
    await reply(t.tokens.tooManyShown(MAX_SHOWN));
    return;
  }
  try {
    const tokens = await generateTokens(deps.ctx, account.actor, { count: command.count, length, userId: assignee?.id ?? null });
    const messages = generatedMessages(t, {
      tokens: tokens.map((k) => k.token),
      length,
      assignee: assignee ? { name: assignee.name, slackUserId: assignee.slackUserId } : null,
      assigneeHasSlack: Boolean(assignee?.slackUserId),
    });
    for (const m of messages) await reply(m);
  } catch (err) {
    await reply(explain(t, err, deps.log, 'generate'));
  }
};
