// App Home publishing: built from the domain's reads, in the person's language, published when the user
// opens the tab and again whenever a domain event (Postgres NOTIFY on et_events, from any instance) changes
// what it shows. Events arriving close together are coalesced, so a burst of validations is one
// views.publish per person. A Home button that could not do its work publishes a notice on top.
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { User } from '../db/schema';
import { isAdmin, type Ctx } from '../api/domain/context';
import { parseEvent, EVENTS_CHANNEL } from '../api/domain/events';
import { activeGrant, listGrants } from '../api/domain/grants';
import { monitoringSummary } from '../api/domain/monitoring';
import { listDeadLetters, outboxSummary } from '../api/domain/outbox';
import { listRequests } from '../api/domain/requests';
import { availableCount } from '../api/domain/stock';
import { findUserBySlackId, getUser, slackLinkedAdmins } from '../api/domain/users';
import { homeView, type HomeInput } from './blocks/home';
import type { RequestCard } from './blocks/requests';
import { grantCard, requestCard } from './cards';
import type { People } from './people';
import { toAccount } from './people';

const COALESCE_MS = 250;

export class HomePublisher {
  private readonly queued = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly client: webApi.WebClient,
    private readonly log: Logger,
    private readonly people: People,
  ) {}

  async start(): Promise<void> {
    this.unlisten = await this.ctx.database.listen(EVENTS_CHANNEL, (payload) => {
      const event = parseEvent(payload);
      if (event) void this.onEvent(event.userId ?? null).catch((err: unknown) => this.log.warn({ err }, 'slack: App Home refresh failed'));
    });
  }

  async stop(): Promise<void> {
    await this.unlisten?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queued.clear();
    await this.running;
  }

  /** Publishes now (the user just opened the tab, or a Home button has news for them). */
  async publish(user: User, notice?: string): Promise<void> {
    const t = await this.people.textsFor(user);
    const view = homeView(t, await this.build(user, notice));
    await this.client.views.publish({ user_id: user.slackUserId!, view });
  }

  /** Waits until every queued refresh is published (tests call this instead of sleeping). */
  async idle(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.flush();
    }
    await this.running;
  }

  /** Something about `userId` changed: their Home and every linked admin's (stats, lists) are stale. */
  private async onEvent(userId: string | null): Promise<void> {
    const admins = await slackLinkedAdmins(this.ctx);
    const subject = userId ? await getUser(this.ctx.db, userId) : undefined;
    for (const id of [subject?.slackUserId, ...admins.map((a) => a.slackUserId)]) if (id) this.queued.add(id);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, COALESCE_MS);
  }

  private flush(): void {
    const ids = [...this.queued];
    this.queued.clear();
    this.running = this.running.then(async () => {
      for (const slackUserId of ids) {
        try {
          const user = await findUserBySlackId(this.ctx, slackUserId);
          if (user?.active) await this.publish(user);
        } catch (err) {
          this.log.warn({ err: String(err), slackUserId }, 'slack: views.publish failed');
        }
      }
    });
  }

  private async build(user: User, notice: string | undefined): Promise<HomeInput> {
    const { ctx } = this;
    const { actor } = toAccount(user);
    const grant = await activeGrant(ctx.db, user.id);
    const mine = await listRequests(ctx, actor, { userId: user.id }, { limit: 5 });
    const recentRequests: RequestCard[] = mine.items.map((r) => ({
      ...r,
      requester: { name: user.name, slackUserId: user.slackUserId },
      decider: null,
      stock: 0,
    }));
    const input: HomeInput = {
      name: user.name,
      available: await availableCount(ctx.db, user.id),
      threshold: ctx.config.lowTokenThreshold,
      grant: grant ? { reason: grant.reason, expiresAt: grant.expiresAt } : null,
      recentRequests,
      notice,
      publicUrl: ctx.config.publicUrl,
    };
    if (isAdmin(actor)) {
      const stats = await monitoringSummary(ctx, actor, { lowStockLimit: 20 });
      const pending = await listRequests(ctx, actor, { status: 'pending' }, { limit: 10 });
      const unreviewed = await listGrants(ctx, actor, { reviewed: false }, { limit: 10 });
      const dead = await listDeadLetters(ctx, actor, { limit: 5 });
      input.admin = {
        stats: { ...stats, lowStockUsers: stats.lowStockUsers.map((u) => ({ name: u.name, slackUserId: u.slackUserId, available: u.available })) },
        pending: (await Promise.all(pending.items.map((r) => requestCard(ctx.db, r.id)))).filter((c) => c !== undefined),
        unreviewed: (await Promise.all(unreviewed.items.map((g) => grantCard(ctx.db, g.id)))).filter((c) => c !== undefined),
        undelivered: {
          total: (await outboxSummary(ctx.db)).slack?.dead ?? 0,
          items: dead.items.map((d) => ({ id: d.id, kind: d.kind, reason: d.reason, deadAt: d.deadAt })),
        },
      };
    }
    return input;
  }
}
