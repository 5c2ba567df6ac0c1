import type { Delivery, OutboxKind } from '../../api/domain/outbox';

/** One delivery per outbox kind; throwing fails the attempt (the outbox classifies and retries). */
export type Handlers = Partial<Record<OutboxKind, (d: Delivery) => Promise<void>>>;
