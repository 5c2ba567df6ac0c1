// The house plan's import rules (../shared/architecture.md) are enforced by `npm run lint`: each case is an
// import a folder must not make (refused) or may make (allowed), linted as if it were a file there.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function problems(filePath: string, code: string) {
  const [result] = await eslint.lintText(`${code}\nexport const used = [x];\n`, { filePath });
  return result!.messages
    .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports' || m.ruleId === 'no-restricted-properties')
    .map((m) => m.message);
}

const refused: Array<[string, string]> = [
  ['api/domain/x.ts', "import { x } from 'hono';"],
  ['api/domain/x.ts', "import { x } from '@hono/zod-openapi';"],
  ['api/domain/x.ts', "import { x } from '@slack/bolt';"],
  ['api/domain/x.ts', "import { x } from '../http/errors';"],
  ['api/domain/x.ts', "import { x } from '../routes/schemas';"],
  ['api/domain/x.ts', "import { x } from '../../bot/index';"],
  ['api/domain/x.ts', "import { x } from '../app';"],
  ['api/domain/x.ts', 'const x = process.env.FOO;'],
  ['api/routes/tokens/x.ts', "import { x } from 'drizzle-orm';"],
  ['api/routes/tokens/x.ts', "import { x } from '../../../db/client';"],
  ['api/routes/tokens/x.ts', "import { x } from '../../../bot/cards';"],
  ['api/routes/tokens/x.ts', "import { createRoute } from '@hono/zod-openapi';"],
  ['api/http/x.ts', "import { x } from '../routes/schemas';"],
  ['bot/commands/x.ts', "import { x } from 'drizzle-orm';"],
  ['bot/commands/x.ts', "import { x } from '../../api/routes/schemas';"],
  ['bot/commands/x.ts', "import { x } from '../../api/http/session';"],
  ['cli/x.ts', "import { x } from 'drizzle-orm';"],
  ['cli/x.ts', "import { x } from '../api/routes/schemas';"],
  ['cli/x.ts', "import { users as x } from '../db/schema';"],
  ['db/schema/x.ts', "import { x } from '../../api/domain/audit';"],
  ['db/x.ts', "import { x } from 'hono';"],
  ['pwa/src/lib/x.ts', "import { x } from '../../../api/routes/schemas';"],
  ['pwa/src/lib/x.ts', "import { x } from '../../../db/schema';"],
  ['pwa/src/lib/x.ts', "import { x } from 'drizzle-orm';"],
];

const allowed: Array<[string, string]> = [
  ['api/domain/x.ts', "import { x } from '../../db/schema';"],
  ['api/domain/x.ts', "import { x } from './events';"],
  ['api/routes/tokens/x.ts', "import { x } from '../../domain/tokens';"],
  ['api/routes/x.ts', "import { x } from '../http/sse';"],
  ['api/routes/tokens/x.ts', "import { z as x } from '@hono/zod-openapi';"],
  ['bot/x.ts', "import { x } from '../api/domain/requests';"],
  ['bot/x.ts', "import type { x } from '../db/client';"],
  ['cli/x.ts', "import { x } from '../api/domain/users';"],
  ['pwa/src/lib/x.ts', "import type { x } from '../../../api/routes/schemas';"],
  ['pwa/src/lib/x.ts', "import { x } from './api';"],
  ['api/config.ts', 'const x = process.env.FOO;'],
];

describe('import rules per folder (eslint.config.js)', () => {
  for (const [file, code] of refused) {
    it(`refuses in ${file}: ${code}`, async () => {
      expect(await problems(file, code)).toHaveLength(1);
    });
  }
  for (const [file, code] of allowed) {
    it(`allows in ${file}: ${code}`, async () => {
      expect(await problems(file, code)).toEqual([]);
    });
  }
});
