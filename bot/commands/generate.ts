// `generate <count> [length] [@user]` (admins). Tokens for a user reach them by DM through the outbox;
// unassigned tokens are shown once, here, to the admin who generated them.
import { DEFAULT_TOKEN_LENGTH, generateTokens } from '../../api/domain/tokens';
import { generatedMessages, TOKENS_PER_SECTION } from '../blocks/tokens';
import { explain } from '../errors';
import type { CommandHandler } from './types';

/** response_url takes five answers; each message holds 45 sections of tokens. */
const MAX_SHOWN = 5 * 45 * TOKENS_PER_SECTION;

export const generate: CommandHandler<'generate'> = async ({ deps, command, account, reply }) => {
  const length = command.length ?? DEFAULT_TOKEN_LENGTH;
  let assignee = null;
  if (command.assignee) {
    const r = await deps.people.resolve({ id: command.assignee });
    if (!r.ok) {
      const why = r.reason === 'inactive' ? 'their account is deactivated' : 'they have no Emergency Token account yet (add them in the web app first)';
      await reply(`:no_entry: <@${command.assignee}> cannot get tokens: ${why}.`);
      return;
    }
    assignee = r.account.user;
  } else if (command.count > MAX_SHOWN) {
    await reply(`:no_entry: Slack can show at most ${MAX_SHOWN} unassigned tokens at once. Generate fewer, or use the web app.`);
    return;
  }
  try {
    const tokens = await generateTokens(deps.ctx, account.actor, { count: command.count, length, userId: assignee?.id ?? null });
    const messages = generatedMessages({
      tokens: tokens.map((t) => t.token),
      length,
      assignee: assignee ? { name: assignee.name, slackUserId: assignee.slackUserId } : null,
      assigneeHasSlack: Boolean(assignee?.slackUserId),
    });
    for (const m of messages) await reply(m);
  } catch (err) {
    await reply(explain(err, deps.log, 'generate'));
  }
};
