// Lighthouse (npm `lighthouse`, Debian's Chromium) on the built app served on 127.0.0.1: saves the
// HTML and JSON reports to test-results/lighthouse/ and the scores to bench-results/lighthouse.json,
// prints them, and exits 1 when performance, accessibility or best practices is under 95.
// Run after a build: npx tsx scripts/lighthouse.ts [--desktop]
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/e2e/browser.js';
import { startStaticServer } from '../test/e2e/server.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, 'test-results', 'lighthouse');
const GATED = ['performance', 'accessibility', 'best-practices'] as const;
const MIN = 95;

interface LhReport {
  categories: Record<string, { score: number | null; title: string }>;
  audits: Record<string, { score: number | null; title: string; scoreDisplayMode: string }>;
}

async function main(): Promise<number> {
  mkdirSync(OUT, { recursive: true });
  const server = await startStaticServer(join(ROOT, 'dist'));
  const profile = mkdtempSync(join(tmpdir(), 'hexflash-lh-'));
  const desktop = process.argv.includes('--desktop');
  try {
    const flags = [...CHROMIUM_ARGS, '--headless=new', `--user-data-dir=${profile}`].join(' ');
    const args = [
      `${server.url}/`,
      '--output=json',
      '--output=html',
      `--output-path=${join(OUT, desktop ? 'desktop' : 'mobile')}`,
      '--only-categories=performance,accessibility,best-practices,seo',
      `--chrome-flags=${flags}`,
      '--quiet',
      ...(desktop ? ['--preset=desktop'] : []),
    ];
    await promisify(execFile)(join(ROOT, 'node_modules', '.bin', 'lighthouse'), args, {
      env: { ...process.env, CHROME_PATH: CHROMIUM_PATH },
      maxBuffer: 64 * 1024 * 1024,
    });
  } finally {
    await server.stop();
    rmSync(profile, { recursive: true, force: true });
  }
  const report = JSON.parse(readFileSync(join(OUT, `${desktop ? 'desktop' : 'mobile'}.report.json`), 'utf8')) as LhReport;
  const scores: Record<string, number> = {};
  for (const [id, c] of Object.entries(report.categories)) scores[id] = Math.round((c.score ?? 0) * 100);
  for (const [id, s] of Object.entries(scores)) process.stdout.write(`${id.padEnd(16)} ${s}\n`);
  const failing = Object.entries(report.audits)
    .filter(([, a]) => a.score !== null && a.score < 1 && (a.scoreDisplayMode === 'binary' || a.scoreDisplayMode === 'numeric'))
    .map(([id, a]) => `${id}: ${a.title} (${a.score})`);
  if (failing.length > 0) process.stdout.write(`audits below full score:\n  ${failing.join('\n  ')}\n`);
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench-results', `lighthouse${desktop ? '-desktop' : ''}.json`),
    `${JSON.stringify({ formFactor: desktop ? 'desktop' : 'mobile', scores, belowFull: failing }, null, 2)}\n`,
  );
  const low = GATED.filter((c) => (scores[c] ?? 0) < MIN);
  process.stdout.write(low.length === 0 ? `Lighthouse: all of ${GATED.join(', ')} >= ${MIN}\n` : `Lighthouse: under ${MIN}: ${low.join(', ')}\n`);
  process.stdout.write(`reports: ${OUT}\n`);
  return low.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`lighthouse failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
