// For the export suites that hold the COPY path and the batched path to the same bytes.
import type { Ctx } from '../../api/domain/context';

/** Asserts two byte strings are equal; when not, names the first differing byte and shows the text around it. */
export function expectSameBytes(actual: Buffer, expected: Buffer, context = 120): void {
  if (actual.equals(expected)) return;
  let i = 0;
  while (i < actual.length && actual[i] === expected[i]) i++;
  const around = (b: Buffer) => JSON.stringify(b.subarray(Math.max(0, i - context), i + context).toString());
  throw new Error(`bytes differ at ${i} of ${actual.length} / ${expected.length}:\n  got      ${around(actual)}\n  expected ${around(expected)}`);
}

/**
 * The context an export runs with: `copy: false` takes away copyOut (the batched path, PGlite's); with
 * `copy: true`, `copied()` tells afterwards whether COPY was in fact taken (it declines when busy).
 */
function exportContext(base: Ctx, copy: boolean): { ctx: Ctx; copied: () => boolean } {
  const database = base.database;
  let copied = false;
  const copyOut: NonNullable<Ctx['database']['copyOut']> = async (...args) => {
    const out = await database.copyOut!(...args);
    copied = out !== null;
    return out;
  };
  return { ctx: { ...base, database: { ...database, copyOut: copy ? copyOut : undefined } }, copied: () => copied };
}

/** Every chunk of an export, as one Buffer. */
async function allBytes(chunks: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(parts);
}

/** Every byte of an export run through `run`, with COPY offered or not, and whether COPY was taken. */
export async function exportBytes(base: Ctx, copy: boolean, run: (ctx: Ctx) => AsyncIterable<Buffer | string>): Promise<{ bytes: Buffer; copied: boolean }> {
  const { ctx, copied } = exportContext(base, copy);
  const bytes = await allBytes(run(ctx));
  return { bytes, copied: copied() };
}
