// The README's troubleshooting section is the error table, word for word.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ERROR_TEXT } from '../../src/core/errors.js';
import { troubleshootingMarkdown } from '../../scripts/troubleshooting.js';

it('README troubleshooting matches src/core/errors.ts (regenerate with npx tsx scripts/troubleshooting.ts)', () => {
  const readme = readFileSync('README.md', 'utf8');
  expect(readme).toContain(troubleshootingMarkdown());
  for (const t of Object.values(ERROR_TEXT)) expect(readme).toContain(t.hint);
});
