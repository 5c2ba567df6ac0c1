// What the runtime under test warns about, kept in memory and shown only for a test that fails. The
// harness logged nothing (`silent`), so a 503 in a passing-elsewhere test could not say whether the
// cluster was out of connections or the pool timed out; printing every warning would bury passing runs
// under the warnings that resilience tests cause on purpose.
import type { DestinationStream } from 'pino';
import { beforeEach } from 'vitest';

const KEEP = 200;
const lines: string[] = [];
/** Lines written so far, kept or not: a test's start is a count, which the ring's dropping does not move. */
let written = 0;

/** The harness's log destination: the last KEEP lines at warn and above. */
export const testLogSink: DestinationStream = {
  write(line: string) {
    written++;
    lines.push(line.trimEnd());
    if (lines.length > KEEP) lines.shift();
  },
};

/** The last lines the runtime logged in this test file (its process), oldest first. */
export const loggedLines = (): readonly string[] => lines;

// Registered by vitest's setupFiles (vitest.config.ts), so every test file prints its runtime's warnings
// when one of its tests fails.
export function printLogsOnFailure() {
  beforeEach((ctx) => {
    const from = written;
    ctx.onTestFailed(() => {
      // What the test logged, and up to 20 lines before it (its file's hooks), of what is still kept.
      const during = lines.slice(-Math.min(lines.length, written - from + 20));
      if (during.length) console.error(`runtime warnings around "${ctx.task.name}":\n${during.join('\n')}`);
    });
  });
}
