// Fuzzing parseIntelHex with seeded mutations of valid files and random text (fuzz-inputs.ts): it
// either returns a well-formed image or throws a HexParseError naming a line of the input, never anything else.
import { expect, it } from 'vitest';
import { CHECKS, classify, fuzzInputs } from './fuzz-inputs.js';

it('parseIntelHex returns an image or throws a HexParseError naming a line for 12,000 mutated inputs', () => {
  const failures: string[] = [];
  const reasons = new Set<string>();
  let parsed = 0;
  const N = 12_000;
  for (const text of fuzzInputs(N)) {
    const o = classify(text);
    if (o.kind === 'parsed') {
      parsed++;
      if (o.problem) failures.push(`${o.problem}: ${JSON.stringify(text)}`);
    } else if (o.kind === 'line-error') reasons.add(o.detail);
    else failures.push(`${o.error}: ${JSON.stringify(text)}`);
    if (failures.length > 5) break;
  }
  expect(failures).toEqual([]);
  // The mutations reach every check, and many inputs still parse.
  expect(parsed).toBeGreaterThan(N / 20);
  const missed = CHECKS.filter((c) => ![...reasons].some((r) => c.test(r)));
  expect(missed).toEqual([]);
});
