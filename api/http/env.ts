// The Hono environment every route sees: the domain context, the logger, and who is signed in.
import type { Logger } from 'pino';
import type { SignedInUser } from '../../db/schema';
import type { Ctx } from '../domain/context';

export interface AppEnv {
  Variables: {
    ctx: Ctx;
    logger: Logger;
    user: SignedInUser | null;
    sessionSecret: string | null;
    ip: string | null;
    /** X-Request-Id of this request (http/request-id.ts); also on ctx and on the logger. */
    requestId: string;
  };
}
