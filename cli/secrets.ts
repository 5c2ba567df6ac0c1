// `secrets`: which APP_SECRETs the available tokens depend on, to know when an old secret can leave
// APP_SECRET_PREVIOUS (README, "Rotate APP_SECRET").
import { secretStatus } from '../api/domain/secrets';
import { printTable, type CommandGroup } from './command';

export const secrets: CommandGroup = {
  options: {},
  commands: {
    '': {
      usage: 'secrets    (the APP_SECRETs the available tokens need, by key id)',
      async run({ ctx, io }) {
        const keys = await secretStatus(ctx);
        const table = [['key id', 'configured', 'first seen', 'last seen', 'available tokens that need it']];
        for (const k of keys) table.push([k.keyId, k.configured, k.firstSeenAt, k.lastSeenAt, String(k.availableTokens)]);
        printTable(table, io.out);
        const missing = keys.filter((k) => k.configured === 'missing' && k.availableTokens > 0);
        if (missing.length)
          io.err(
            `${missing.reduce((n, k) => n + k.availableTokens, 0)} available token(s) were made under a secret that is not configured: they cannot be validated until it is in APP_SECRET_PREVIOUS.`,
          );
        const droppable = keys.filter((k) => k.configured === 'previous' && k.availableTokens === 0);
        for (const k of droppable) io.err(`key ${k.keyId}: no available token needs it any more; it can leave APP_SECRET_PREVIOUS.`);
      },
    },
  },
};
