// `tokens generate`: tokens from a shell, shown once, with the same limits as the API.
import { generateTokens } from '../api/domain/tokens';
import { findUserByUsername } from '../api/domain/users';
import { int, text, UsageError, type CommandGroup } from './command';

export const tokens: CommandGroup = {
  options: {
    count: { type: 'string' },
    length: { type: 'string' },
    user: { type: 'string' },
    'expires-days': { type: 'string' },
    notes: { type: 'string' },
  },
  commands: {
    generate: {
      usage: 'tokens generate --count N [--length 4-6] [--user USERNAME] [--expires-days D] [--notes TEXT]',
      async run({ ctx, operator, values, io }) {
        const count = int(values.count, 'count');
        if (!count) throw new UsageError('--count N is required');
        const username = text(values.user);
        const assignee = username ? await findUserByUsername(ctx.db, username) : undefined;
        if (username && !assignee) throw new UsageError(`no user named "${username}"`);
        const generated = await generateTokens(ctx, await operator(), {
          count,
          length: int(values.length, 'length'),
          userId: assignee?.id ?? null,
          notes: text(values.notes),
          expiresInDays: int(values['expires-days'], 'expires-days'),
        });
        if ((generated[0]?.length ?? 6) < 6) io.err('note: codes shorter than 6 digits fall below the 20 bits of entropy OWASP ASVS asks of one-time codes');
        io.out(
          `# ${generated.length} token(s)${assignee ? ` for ${assignee.username}` : ' (unassigned)'}, expiring ${generated[0]?.expiresAt}. Shown once: hand them over now.`,
        );
        for (const t of generated) io.out(t.token);
      },
    },
  },
};
