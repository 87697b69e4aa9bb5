// Prints the app shell's size: the JavaScript and CSS that dist/index.html loads, gzipped (level 9),
// against the 60 KB budget, the install element's module (dist/install-button.js) against its own
// 40 KB, plus everything else the service worker precaches. Exit 1 when either is over budget.
// Run after a build: npx tsx scripts/bundle-size.ts  (writes bench-results/bundle-size.json)
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = join(ROOT, 'dist');
/** 60 KB, in bytes as decimal kilobytes (the stricter reading of "KB"). */
const BUDGET = 60_000;
/** The embeddable <hexflash-install> module, on its own: a publisher's page loads nothing else of HexFlash. */
const INSTALL_FILE = 'install-button.js';
const INSTALL_BUDGET = 40_000;

function gz(file: string): { raw: number; gzip: number } {
  const data = readFileSync(file);
  return { raw: data.length, gzip: gzipSync(data, { level: 9 }).length };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const html = readFileSync(join(DIST, 'index.html'), 'utf8');
const shell = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="\/?([^"]+\.(?:js|css))"/g)].map((m) => join(DIST, m[1] as string));
if (shell.length === 0) {
  process.stderr.write('No scripts or styles found in dist/index.html: run `npm run build` first.\n');
  process.exit(1);
}
const kb = (n: number): string => `${(n / 1000).toFixed(1)} KB`;
let shellGzip = 0;
const rows: { file: string; raw: number; gzip: number; shell: boolean }[] = [];
for (const f of walk(DIST).filter((f) => /\.(js|css|html|webmanifest)$/.test(f))) {
  const s = gz(f);
  const inShell = shell.includes(f);
  if (inShell) shellGzip += s.gzip;
  rows.push({ file: relative(DIST, f), ...s, shell: inShell });
}
const install = rows.find((r) => r.file === INSTALL_FILE);
rows.sort((a, b) => Number(b.shell) - Number(a.shell) || b.gzip - a.gzip);
for (const r of rows) {
  const tag = r.shell ? 'shell' : r === install ? 'elem ' : '     ';
  process.stdout.write(`${tag}  ${r.file.padEnd(36)} ${kb(r.raw).padStart(9)} raw ${kb(r.gzip).padStart(9)} gzip\n`);
}
const shellOk = shellGzip <= BUDGET;
process.stdout.write(`App shell JS+CSS: ${kb(shellGzip)} gzipped (${shellGzip} bytes), budget ${kb(BUDGET)}: ${shellOk ? 'OK' : 'OVER BUDGET'}\n`);
const installOk = install !== undefined && install.gzip <= INSTALL_BUDGET;
process.stdout.write(
  install
    ? `Install element ${INSTALL_FILE}: ${kb(install.gzip)} gzipped (${install.gzip} bytes), budget ${kb(INSTALL_BUDGET)}: ${installOk ? 'OK' : 'OVER BUDGET'}\n`
    : `Install element: dist/${INSTALL_FILE} is missing (npm run build builds it).\n`,
);
const ok = shellOk && installOk;
mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
writeFileSync(
  join(ROOT, 'bench-results', 'bundle-size.json'),
  `${JSON.stringify({ shellGzipBytes: shellGzip, budgetBytes: BUDGET, installGzipBytes: install?.gzip ?? null, installBudgetBytes: INSTALL_BUDGET, files: rows }, null, 2)}\n`,
);
process.exit(ok ? 0 : 1);
