// npm run bench:console: ten minutes of continuous output at 250000 baud (15,000,000 bytes: 25,000
// bytes a second, 8N1) through the serial console of the built app in headless Chromium, in fast
// time (console-stream-entry.ts feeds the page as fast as it reads). Prints and writes to
// bench-results/console.md: long tasks over 50 ms (PerformanceObserver 'longtask'), the peak JS heap
// (CDP Runtime.getHeapUsage, sampled every ~20 ms), the lines the ring keeps, and the heap after a
// forced GC at points along the way, which stays flat once the ring is full.
// Run: npx tsx test/bench/console.ts [--bytes N] [--no-build]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../e2e/browser.js';
import { buildApp, buildFakeSerial } from '../e2e/build.js';
import { startStaticServer } from '../e2e/server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const arg = (name: string): string | undefined => process.argv[process.argv.indexOf(name) + 1];
const BYTES = Number(process.argv.includes('--bytes') ? arg('--bytes') : 15_000_000);
/** The stream runs in this many steps, the heap sampled after each tenth of them. */
const STEPS = 30;
const MB = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

/** Reads the console's ring from the page (a string, not a function: see the e2e notes on __name). */
const RING = `(() => {
  const dock = document.querySelector('hexflash-app')?.shadowRoot?.querySelector('hexflash-console-dock');
  const c = dock?.shadowRoot?.querySelector('hexflash-serial-console');
  const r = c?.job.ring;
  return r ? { bytes: r.bytes, lines: r.length, dropped: r.dropped, capacity: r.capacity, delivered: window.__streamBench.delivered() } : null;
})()`;

interface RingState {
  bytes: number;
  lines: number;
  dropped: number;
  capacity: number;
  delivered: number;
}

interface Pass {
  readonly seconds: number;
  readonly peak: number;
  readonly idleHeap: number;
  readonly state: RingState;
  readonly filledAt: number | null;
  readonly longTasks: number[];
  readonly before: number[];
  readonly gcSamples: { at: number; heap: number; lines: number }[];
}

/**
 * One fresh page, the console open at 250000 baud, the stream let go in STEPS steps; each step waits
 * until the console has taken it all, sampling the heap meanwhile. With `gc`, the heap after a forced
 * GC is noted after every tenth of the way (that pass's long tasks are not reported: a forced GC is one).
 */
async function pass(url: string, stream: string, gc: boolean): Promise<Pass> {
  const work = mkdtempSync(join(tmpdir(), 'hexflash-bench-console-'));
  const ctx = await launchChromium(join(work, 'profile'));
  try {
    await ctx.addInitScript({ content: stream });
    await ctx.addInitScript({
      content: `window.__longTasks = [];
        new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push({ at: e.startTime, ms: Math.round(e.duration) }); }).observe({ type: 'longtask', buffered: true });
        localStorage.setItem('hexflash.console.baud', '250000');`,
    });
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    const cdp = await ctx.newCDPSession(page);
    const heap = async (collect: boolean): Promise<number> => {
      if (collect) await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    };
    await page.goto(url);
    await page.locator('hexflash-app h1').waitFor({ timeout: 30_000 });
    const idleHeap = await heap(true);
    await page.locator('hexflash-console-dock button#open-console').click();
    await page.locator('hexflash-serial-console [data-testid="console-status"]', { hasText: 'Open at 250000' }).waitFor({ timeout: 30_000 });
    const streamStart = (await page.evaluate('performance.now()')) as number;
    let peak = 0;
    let state: RingState | null = null;
    let filledAt: number | null = null;
    let busyMs = 0;
    const gcSamples: { at: number; heap: number; lines: number }[] = [];
    for (let step = 1; step <= STEPS; step++) {
      const target = Math.round((step / STEPS) * BYTES);
      const t = Date.now();
      await page.evaluate((n) => (window as unknown as { __streamBench: { allow(n: number): void } }).__streamBench.allow(n), target);
      for (;;) {
        state = (await page.evaluate(RING)) as RingState | null;
        peak = Math.max(peak, await heap(false));
        if (state && filledAt === null && state.dropped > 0) filledAt = state.bytes;
        if ((state?.bytes ?? 0) >= target) break;
        if (Date.now() - t > 120_000) throw new Error(`the console stalled at ${state?.bytes ?? 0} bytes`);
        await page.waitForTimeout(20);
      }
      busyMs += Date.now() - t;
      if (gc && (step % (STEPS / 10) === 0 || step === 1)) gcSamples.push({ at: state?.bytes ?? 0, heap: await heap(true), lines: state?.lines ?? 0 });
    }
    if (!state || state.bytes !== BYTES) throw new Error(`the console took ${state?.bytes ?? 0} of ${BYTES} bytes`);
    const all = (await page.evaluate('window.__longTasks')) as { at: number; ms: number }[];
    if (!gc) await page.screenshot({ path: join(ROOT, 'test-results', 'screenshots', 'console-bench.png'), fullPage: true });
    return {
      seconds: busyMs / 1000,
      peak,
      idleHeap,
      state,
      filledAt,
      longTasks: all.filter((l) => l.at >= streamStart).map((l) => l.ms),
      before: all.filter((l) => l.at < streamStart).map((l) => l.ms),
      gcSamples,
    };
  } finally {
    await ctx.close().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

const list = (ms: number[]): string => `${ms.length}${ms.length ? ` (${ms.join(', ')} ms)` : ''}`;

async function main(): Promise<void> {
  const dist = process.argv.includes('--no-build') ? join(ROOT, 'dist') : await buildApp();
  const stream = await buildFakeSerial(join(ROOT, 'test/bench/console-stream-entry.ts'));
  const server = await startStaticServer(dist);
  mkdirSync(join(ROOT, 'test-results', 'screenshots'), { recursive: true });
  try {
    process.stdout.write(`console bench: ${BYTES.toLocaleString('en')} bytes (${(BYTES / 25_000 / 60).toFixed(1)} min at 250000 baud), two passes\n`);
    const url = `${server.url}?bytes=${BYTES}`;
    const run = await pass(url, stream, false);
    const sampled = await pass(url, stream, true);
    const { state } = run;
    const rows = [
      `| Bytes through the console | ${BYTES.toLocaleString('en')} (${(BYTES / 25_000 / 60).toFixed(1)} min of 250000 baud, 8N1) |`,
      `| Wall time in fast time (the sampling pauses left out) | ${run.seconds.toFixed(1)} s (${MB(BYTES / run.seconds)}/s, ${Math.round(BYTES / run.seconds / 25_000)}x real time) |`,
      `| Long tasks over 50 ms while streaming | ${list(run.longTasks)} |`,
      `| Long tasks over 50 ms before (page load, opening the console) | ${list(run.before)} |`,
      `| Peak JS heap (CDP, sampled every ~20 ms while streaming) | ${MB(run.peak)} |`,
      `| JS heap of the idle page, after GC | ${MB(run.idleHeap)} |`,
      `| Lines kept at the end | ${state.lines.toLocaleString('en')} (ring of ${state.capacity.toLocaleString('en')} plus the open line; ${state.dropped.toLocaleString('en')} older lines let go) |`,
      `| Ring full after | ${run.filledAt === null ? 'never' : `${run.filledAt.toLocaleString('en')} bytes`} |`,
    ];
    const heapRows = sampled.gcSamples.map((s) => `| ${s.at.toLocaleString('en')} | ${s.lines.toLocaleString('en')} | ${MB(s.heap)} |`);
    const md = [
      '# Serial console under continuous output',
      '',
      'Written by `npm run bench:console` (test/bench/console.ts): the built app in headless Chromium, its console',
      'open at 250000 baud on a port that streams seeded printer-like output (temperature reports, echo lines, `ok`,',
      'now and then 16 raw bytes) as fast as the page reads it, in 16 KiB chunks. Two passes on fresh pages: the',
      'first gives the long tasks and the peak heap; the second forces a GC after every tenth of the bytes to show',
      'what stays (its forced GCs are long tasks of their own, so its long tasks are not counted).',
      '',
      '| Figure | Value |',
      '|---|---|',
      ...rows,
      '',
      'JS heap after a forced GC, as the bytes go through (second pass; flat once the ring is full):',
      '',
      '| Bytes so far | Lines kept | Heap after GC |',
      '|---|---|---|',
      ...heapRows,
      '',
    ].join('\n');
    process.stdout.write(`${md}\n`);
    mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench-results', 'console.md'), md);
  } finally {
    await server.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`console bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
