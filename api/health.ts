// Readiness as the sum of its parts: each part of the running service (database, event listener, outbox,
// later Slack) reports its own state, and /readyz shows them all. Only a critical part being down makes
// the instance unready (503): a load balancer should stop sending nurses to an instance without a
// database, not to one whose Slack delivery is lagging.
export type PartState = 'up' | 'down' | 'off';

export interface HealthPart {
  name: string;
  critical: boolean;
  status(): PartState | Promise<PartState>;
}

export interface HealthReport {
  /** Ready while every critical part is up; the parts say what else is down. */
  status: 'ready' | 'unavailable';
  parts: Record<string, PartState>;
}

/** A part's check may not hang /readyz: after this long it counts as down. */
const CHECK_TIMEOUT_MS = 2000;

export class Health {
  private readonly parts = new Map<string, HealthPart>();

  /** Add or replace a part (by name). */
  add(part: HealthPart): void {
    this.parts.set(part.name, part);
  }

  async report(): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.parts.values()].map(async (p) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<PartState>((resolve) => (timer = setTimeout(() => resolve('down'), CHECK_TIMEOUT_MS)));
        const state = await Promise.race([
          Promise.resolve()
            .then(() => p.status())
            .catch((): PartState => 'down'),
          timeout,
        ]);
        clearTimeout(timer);
        return [p, state] as const;
      }),
    );
    const parts = Object.fromEntries(entries.map(([p, s]) => [p.name, s]));
    const status = entries.some(([p, s]) => p.critical && s === 'down') ? 'unavailable' : 'ready';
    return { status, parts };
  }
}
