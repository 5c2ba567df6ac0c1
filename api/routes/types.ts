import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env';

export type App = OpenAPIHono<AppEnv>;
