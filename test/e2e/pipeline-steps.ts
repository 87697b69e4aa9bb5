// Browser steps for issue 14: a flash through an emulated FTDI adapter sends pages ahead of their
// answers (as its log says) and ends verified with no byte lost in the bootloader's UART; the same flash with the page
// hidden (document.visibilityState 'hidden', and the page's timers throttled to one-second wake-ups
// as Chrome does in a background tab: headless Chromium keeps every tab visible, so the throttling is
// put in the page) ends verified too, never sending early.
import type { AppPage } from './app-page.js';
import type { PlugSpec } from './fake-serial-entry.js';
import { assert, type Steps } from './harness.js';
import { makeHexFixture, sameBytes } from './hex-file.js';

export interface PipelineStepsContext {
  readonly steps: Steps;
  readonly app: () => AppPage;
  readonly shot: (name: string) => Promise<void>;
  readonly work: string;
  /** The 328p with optiboot, as run.ts plugs it. */
  readonly uno: PlugSpec;
}

/** Plain script text (no named functions: tsx would wrap them in a helper the page lacks). */
const HIDE_AND_THROTTLE = `(() => {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
  document.dispatchEvent(new Event('visibilitychange'));
  const real = window.setTimeout.bind(window);
  window.__throttled = 0;
  window.setTimeout = (fn, ms, ...args) => {
    const now = performance.now();
    const due = now + Math.max(0, Number(ms) || 0);
    const wake = Math.ceil(due / 1000) * 1000;
    if (wake - due > 1) window.__throttled++;
    return real(fn, wake - now, ...args);
  };
})();`;

export async function pipelineSteps(c: PipelineStepsContext): Promise<void> {
  const fx = makeHexFixture(c.work, 'uno-pipelined.hex', 16_000, 41);
  // Real time: a board that runs faster while busy would finish its pages sooner than it learnt. Locked
  // to the wall clock: a board that stretched its time whenever the page's thread kept it waiting would
  // fall behind the pages timed for it, as no real MCU does (test/emulator/board.ts, Speed).
  const ftdiUno: PlugSpec = { ...c.uno, link: 'ftdi', speed: 'locked' };
  const flash = async (app: AppPage, what: string): Promise<{ bytesLost: number; writesAhead: number; behindMs: number }> => {
    await openLog(app);
    await app.page.locator('hexflash-log-panel button', { hasText: 'Clear' }).click();
    await app.plug(ftdiUno);
    await app.loadFile(fx.path, fx.name);
    await app.chooseBoard('arduino-uno');
    await app.flashButton().click();
    await app.expectOk(what);
    const diff = sameBytes(await app.readFlash(0, fx.bytes.length), fx.bytes);
    assert(diff === null, `${what}: emulated flash differs from the image: ${diff}`);
    return app.page.evaluate(() => window.__hexflashTest.uartStats());
  };

  const openLog = async (app: AppPage): Promise<void> => {
    const details = app.page.locator('hexflash-log-panel details');
    if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
  };
  const logText = async (app: AppPage): Promise<string> => {
    await openLog(app);
    return app.page.locator('hexflash-log-panel [data-testid="log"]').innerText();
  };
  /** Pages the log says went ahead of the answer before them (writes and reads), and why it dropped back, if it did. */
  const pipelinedIn = (log: string): { pages: number; droppedBack: string | null } => ({
    pages: [...log.matchAll(/(\d+) page (?:write|read)s sent before the answer to the one before/g)].reduce((n, m) => n + Number(m[1]), 0),
    droppedBack: /one command at a time from now on, after (.*?)\.?$/m.exec(log)?.[1] ?? null,
  });

  await c.steps.run('flash the 328p through an emulated FTDI adapter: pages sent ahead of their answers, verified, no byte lost', async () => {
    const app = c.app();
    // A fresh page's engine runs the emulator behind real time at first (test/emulator/warm-up.ts).
    await app.page.evaluate((s) => window.__hexflashTest.warmUp('arduino-uno', s), ftdiUno);
    let s = await flash(app, 'through FTDI');
    let p = pipelinedIn(await logText(app));
    if (p.pages === 0) {
      // A loaded machine can stall the page's emulator while the session learns: the Pacer then learns
      // that stall as the link's spread and rightly sends nothing ahead. Such a flash must still lose nothing.
      assert(s.bytesLost === 0, `${s.bytesLost} bytes reached the bootloader while it could not take them`);
      process.stdout.write(`    (no page went ahead, the board was up to ${s.behindMs.toFixed(0)} ms behind the clock: once more)\n`);
      s = await flash(app, 'through FTDI, again');
      p = pipelinedIn(await logText(app));
    }
    assert(p.pages > 0, `no page was sent ahead of the answer before it (the board saw ${s.writesAhead} writes ahead)`);
    assert(s.writesAhead > 0, `the log says ${p.pages} pages went ahead, but the board never got a write while its answer was on the way`);
    assert(s.bytesLost === 0, `${s.bytesLost} bytes reached the bootloader while it could not take them`);
    process.stdout.write(`    (${p.pages} pages sent ahead of an answer, ${p.droppedBack ? `dropped back after ${p.droppedBack}` : 'no drop back'}; board at most ${s.behindMs.toFixed(0)} ms behind)\n`);
  });

  await c.steps.run('the same flash with the page hidden and its timers throttled: verified, never early', async () => {
    const app = c.app();
    await app.page.evaluate(HIDE_AND_THROTTLE);
    assert((await app.page.evaluate(() => document.visibilityState)) === 'hidden', 'the page is not hidden');
    const s = await flash(app, 'hidden tab');
    const throttled = await app.page.evaluate(() => (window as unknown as { __throttled: number }).__throttled);
    assert(throttled > 0, 'no timer of the page was throttled');
    assert(s.bytesLost === 0, `${s.bytesLost} bytes reached the bootloader while it could not take them`);
    const p = pipelinedIn(await logText(app));
    process.stdout.write(`    (${p.droppedBack ? `dropped back after ${p.droppedBack}` : 'did not drop back'}; ${p.pages} pages sent ahead)\n`);
    await c.shot('hidden-tab-flash');
    // The next steps need a visible page with real timers again.
    await app.page.reload();
    await app.ready();
  });
}
