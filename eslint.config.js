// Lint rules: typescript-eslint's recommended set; type errors are tsc's job (npm run typecheck).
// Below it, the house plan of ../shared/architecture.md as import rules per folder, so a layer that reaches
// past its neighbours fails `npm run lint` instead of waiting for a reviewer to notice.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** A relative import that climbs out of its folder into one of these, e.g. '../../bot/index' for 'bot'. */
const up = (...names) => `^(\\.\\./)+(${names.join('|')})(/|$)`;
const packages = (...names) => `^(${names.join('|')})(/|$)`;
const TRANSPORT = packages('hono', '@hono/[^/]+', '@slack/[^/]+', 'preact', 'workbox-window');
const QUERIES = packages('drizzle-orm', 'pg', '@electric-sql/[^/]+');

/** One `no-restricted-imports` per folder: flat config replaces (does not merge) a rule's options. */
const layer = (files, message, patterns) => ({
  files,
  rules: {
    '@typescript-eslint/no-restricted-imports': ['error', { patterns: patterns.map((p) => ({ message, ...p })) }],
  },
});

const READS_CONFIG = 'Config is read once (api/config.ts) and passed in: use ctx.config.';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'pwa/dist', 'data', 'bench-results', 'tests/e2e/screenshots', 'db/migrations'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Tests read JSON bodies whose shape the assertions themselves check.
    files: ['tests/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },

  // ---- The house plan (../shared/architecture.md) ----
  layer(['db/**/*.ts'], 'db/ is the bottom layer: it imports nothing from api/, bot/, cli/ or pwa/.', [
    { regex: up('api', 'bot', 'cli', 'pwa') },
    { regex: TRANSPORT },
  ]),
  layer(
    ['api/domain/**/*.ts'],
    'The domain knows no transport (Hono, Bolt, Preact) and never imports an adapter: routes, http, bot, cli and pwa call it, not the other way round.',
    [{ regex: TRANSPORT }, { regex: up('http', 'routes', 'app', 'runtime', 'main', 'bot', 'cli', 'pwa') }],
  ),
  layer(['api/http/**/*.ts'], 'api/http holds request plumbing (errors, session, guards, SSE); it calls the domain and never a route or another adapter.', [
    { regex: up('routes', 'app', 'runtime', 'main', 'bot', 'cli', 'pwa') },
    { regex: packages('@slack/[^/]+', 'preact') },
  ]),
  layer(['api/routes/**/*.ts'], 'A route is a thin adapter: parse input, call one domain function, shape the answer. Queries belong in api/domain.', [
    { regex: up('app', 'runtime', 'main', 'bot', 'cli', 'pwa') },
    { regex: packages('@slack/[^/]+', 'preact') },
    { regex: QUERIES },
    { regex: '(^|/)db/client$' },
    {
      regex: '^@hono/zod-openapi$',
      importNames: ['createRoute'],
      message: 'Declare routes with defineRoute(role, { operationId, ... }) from api/routes/helpers.ts, so the document says who may call them.',
    },
  ]),
  layer(['bot/**/*.ts'], 'The bot is a thin adapter over the domain: no queries of its own, no routes, no other adapter.', [
    { regex: up('api/routes', 'api/http', 'api/app', 'api/runtime', 'api/main', 'cli', 'pwa') },
    { regex: packages('preact') },
    { regex: QUERIES },
    { regex: '(^|/)db/client$', allowTypeImports: true },
  ]),
  layer(['cli/**/*.ts'], 'The CLI does only what the domain offers: put queries in api/domain (whole-database tools in db/) and call them.', [
    { regex: up('api/routes', 'api/http', 'api/app', 'bot', 'pwa') },
    { regex: TRANSPORT },
    { regex: QUERIES },
    { regex: '(^|/)db/schema(/|$)', allowTypeImports: true },
  ]),
  layer(['pwa/**/*.{ts,tsx}'], 'The PWA speaks HTTP only: it may import types from the API (import type), never runtime code from api/, db/, bot/ or cli/.', [
    { regex: up('api', 'db', 'bot', 'cli'), allowTypeImports: true },
    { regex: packages('hono', '@hono/[^/]+', '@slack/[^/]+', 'drizzle-orm', 'pg', '@electric-sql/[^/]+', 'pino', 'zod'), allowTypeImports: true },
  ]),
  {
    files: ['api/**/*.ts', 'bot/**/*.ts', 'cli/**/*.ts', 'db/**/*.ts', 'pwa/src/**/*.{ts,tsx}'],
    ignores: ['api/config.ts'],
    rules: { 'no-restricted-properties': ['error', { object: 'process', property: 'env', message: READS_CONFIG }] },
  },
);
