// A small concurrency limit with a bounded queue, for work that takes the CPU for tens of milliseconds
// (password hashing). Bedside validation shares the process and the cores with it: a sign-in flood must
// queue here, holding nothing, rather than take every core.
import { fail } from './errors';

export class Limiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxQueue: number,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxQueue) fail('unavailable', 'Too many sign-ins at once. Try again in a moment.', { retryAfterSeconds: 1 });
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next in line (running stays the same), or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
