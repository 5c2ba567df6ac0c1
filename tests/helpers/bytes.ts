/** Asserts two byte strings are equal; when not, names the first differing byte and shows the text around it. */
export function expectSameBytes(actual: Buffer, expected: Buffer, context = 120): void {
  if (actual.equals(expected)) return;
  let i = 0;
  while (i < actual.length && actual[i] === expected[i]) i++;
  const around = (b: Buffer) => JSON.stringify(b.subarray(Math.max(0, i - context), i + context).toString());
  throw new Error(`bytes differ at ${i} of ${actual.length} / ${expected.length}:\n  got      ${around(actual)}\n  expected ${around(expected)}`);
}
