// What every domain function is handed: the database, the configuration, and who is acting.
import type { Database, Db } from '../../db/client';
import type { Config } from '../config';
import type { Role } from '../../db/schema';
import { fail } from './errors';

export interface Ctx {
  db: Db;
  database: Database;
  config: Config;
  /**
   * The HTTP request this work serves (X-Request-Id), when there is one, so what it hands on (outbox
   * rows, their delivery logs) can be traced back to it.
   */
  requestId?: string | undefined;
}

export interface Actor {
  id: string;
  role: Role;
  ip?: string | null;
}

const rank: Record<Role, number> = { staff: 0, admin: 1, super_admin: 2 };

export const isAdmin = (actor: Pick<Actor, 'role'>) => rank[actor.role] >= rank.admin;
export const atLeast = (actor: Pick<Actor, 'role'>, role: Role) => rank[actor.role] >= rank[role];

export function requireAdmin(actor: Actor): void {
  if (!isAdmin(actor)) fail('forbidden', 'Only an admin may do this.');
}

/** Messages for Slack go through the outbox only when Slack is configured at all. */
export const slackEnabled = (ctx: Ctx) => ctx.config.slack !== undefined;
