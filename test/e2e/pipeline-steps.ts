// Browser steps for issue 14: a flash through an emulated FTDI adapter ends verified with no byte lost
// in the bootloader's UART (pages sent ahead of their answers only as its log says); the same flash with the page
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
  // Real time: a board that runs faster while busy would finish its pages sooner than it learnt.
  const ftdiUno: PlugSpec = { ...c.uno, link: 'ftdi', speed: 'realtime' };
  const flash = async (app: AppPage, what: string): Promise<{ bytesLost: number; writesAhead: number }> => {
    await app.plug(ftdiUno);
    await app.loadFile(fx.path, fx.name);
    await app.chooseBoard('arduino-uno');
    await app.flashButton().click();
    await app.expectOk(what);
    const diff = sameBytes(await app.readFlash(0, fx.bytes.length), fx.bytes);
    assert(diff === null, `${what}: emulated flash differs from the image: ${diff}`);
    return app.page.evaluate(() => window.__hexflashTest.uartStats());
  };

  const logText = async (app: AppPage): Promise<string> => {
    const details = app.page.locator('hexflash-log-panel details');
    if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
    return app.page.locator('hexflash-log-panel [data-testid="log"]').innerText();
  };

  await c.steps.run('flash the 328p through an emulated FTDI adapter: verified, no byte lost, pages sent ahead only as the log says', async () => {
    const app = c.app();
    const s = await flash(app, 'through FTDI');
    const log = await logText(app);
    // Whether pages go ahead here depends on the machine (a learning wait that fires far too late keeps
    // the session one at a time); what must hold either way: nothing early, and the log tells the truth.
    assert(s.writesAhead === 0 || /sent before the answer to the one before/.test(log), `${s.writesAhead} writes went out ahead of an answer but the log does not say so`);
    assert(s.bytesLost === 0, `${s.bytesLost} bytes reached the bootloader while it could not take them`);
    process.stdout.write(`    (${s.writesAhead} writes ahead of an answer)\n`);
  });

  await c.steps.run('the same flash with the page hidden and its timers throttled: verified, never early', async () => {
    const app = c.app();
    await app.page.evaluate(HIDE_AND_THROTTLE);
    assert((await app.page.evaluate(() => document.visibilityState)) === 'hidden', 'the page is not hidden');
    const s = await flash(app, 'hidden tab');
    const throttled = await app.page.evaluate(() => (window as unknown as { __throttled: number }).__throttled);
    assert(throttled > 0, 'no timer of the page was throttled');
    assert(s.bytesLost === 0, `${s.bytesLost} bytes reached the bootloader while it could not take them`);
    await c.shot('hidden-tab-flash');
    // The next steps need a visible page with real timers again.
    await app.page.reload();
    await app.ready();
  });
}
