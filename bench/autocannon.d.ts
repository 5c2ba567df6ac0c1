// autocannon ships no types; the bench uses its promise API and the per-response event.
declare module 'autocannon' {
  /** A run: a promise of its results that also reports each response (its latency in fractions of a millisecond). */
  interface Tracker extends PromiseLike<unknown> {
    on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): this;
  }
  function autocannon(opts: Record<string, unknown>): Tracker;
  export default autocannon;
}
