// Browser steps for the boards of issue 12: an ATmega32U4 Leonardo through the 1200-baud touch (the
// bootloader's port granted before: picked up without a chooser; not granted: chosen in one step;
// not chosen: a missed window with its message) running Caterina's own command loop, and the
// 19200-baud ATmegaBOOT boards (ATmega168 Diecimila, ATmega8) with "Detect automatically".
import { loadBootloader } from '../emulator/bootloaders.js';
import { randomBytes } from '../helpers/random.js';
import type { AppPage } from './app-page.js';
import type { PlugSpec } from './fake-serial-entry.js';
import { assert, type Steps } from './harness.js';
import { makeHexFixture, sameBytes, type HexFixture } from './hex-file.js';

export interface MoreBoardsContext {
  readonly steps: Steps;
  readonly app: () => AppPage;
  readonly shot: (name: string) => Promise<void>;
  readonly work: string;
}

const LEONARDO = { vid: 0x2341, sketchPid: 0x8036, bootloaderPid: 0x0036 };
const hexOf = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export async function moreBoardSteps(c: MoreBoardsContext): Promise<void> {
  const [caterina, diecimila, m8] = await Promise.all([
    loadBootloader('caterina-atmega32u4'),
    loadBootloader('atmegaboot-diecimila-atmega168'),
    loadBootloader('atmegaboot-atmega8'),
  ]);
  // An old sketch in flash: Caterina then starts it at power-on and keeps its 8 s timeout.
  const leonardo = (grantBootloader: boolean): PlugSpec => ({
    mcu: 'atmega32u4',
    bootloaderHex: caterina.hexText,
    bootloaderStart: caterina.start,
    usb: { ...LEONARDO, grantBootloader },
    applicationHex: hexOf(randomBytes(1024, 31)),
  });
  const sketch = makeHexFixture(c.work, 'leonardo-blink.hex', 20_000, 32);
  const waitSketchBack = async (app: AppPage): Promise<void> => {
    await app.page.waitForFunction(() => window.__hexflashTest.usbProductId() === 0x8036, undefined, { timeout: 10_000 });
  };
  const checkFlash = async (app: AppPage, fx: HexFixture, what: string): Promise<void> => {
    const diff = sameBytes(await app.readFlash(0, fx.bytes.length), fx.bytes);
    assert(diff === null, `${what}: emulated flash differs from the image: ${diff}`);
  };

  await c.steps.run('Leonardo preset: the 1200-baud touch, the granted bootloader port picked up without a chooser, flash verified, the sketch port back', async () => {
    const app = c.app();
    await app.plug(leonardo(true));
    await app.page.waitForFunction(() => window.__hexflashTest.usbProductId() === 0x8036, undefined, { timeout: 10_000 });
    await app.loadFile(sketch.path, sketch.name);
    await app.chooseBoard('arduino-leonardo');
    const before = await app.portRequests();
    await app.flashButton().click();
    const o = await app.expectOk('Leonardo (granted)');
    assert((await app.signatureShown()) === '1e 95 87', 'the 32U4 signature is not shown');
    assert(/AVR109/.test(o.text), `the result does not name AVR109: ${o.text}`);
    assert((await app.portRequests()) === before + 1, 'a second chooser was opened although the bootloader port was granted');
    await checkFlash(app, sketch, 'Leonardo (granted)');
    await waitSketchBack(app);
    const history = await app.page.evaluate(() => window.__hexflashTest.usbHistory());
    assert(history.join(' > ') === 'sketch 8036 > touch > bootloader 0036 > sketch 8036', `USB history: ${history.join(' > ')}`);
    await c.shot('leonardo-success');
  });

  await c.steps.run('Leonardo preset, bootloader port not granted: one "choose the bootloader port" step, filtered to 2341:0036, flash verified', async () => {
    const app = c.app();
    await app.plug(leonardo(false));
    await app.page.waitForFunction(() => window.__hexflashTest.usbProductId() === 0x8036, undefined, { timeout: 10_000 });
    const before = await app.portRequests();
    await app.flashButton().click();
    const prompt = app.page.locator('hexflash-bootloader-prompt [data-testid="bootloader-prompt"]');
    await prompt.waitFor({ timeout: 10_000 });
    const text = (await prompt.innerText()).replace(/\s+/g, ' ');
    assert(/Arduino Leonardo bootloader \(USB 2341:0036\)/.test(text), `the prompt does not name the bootloader port: ${text}`);
    assert(/twice quickly on a Pro Micro/.test(text), `the prompt does not say what to do when missed: ${text}`);
    await c.shot('leonardo-choose-bootloader');
    await app.page.getByRole('button', { name: 'Choose the bootloader port' }).click();
    await app.expectOk('Leonardo (chosen)');
    const filters = await app.page.evaluate(() => window.__hexflashTest.lastFilters());
    assert(JSON.stringify(filters) === JSON.stringify([{ usbVendorId: 0x2341, usbProductId: 0x0036 }]), `chooser filters: ${JSON.stringify(filters)}`);
    assert((await app.portRequests()) === before + 2, 'expected exactly two choosers: the board, then its bootloader');
    await checkFlash(app, sketch, 'Leonardo (chosen)');
    await waitSketchBack(app);
  });

  await c.steps.run('Leonardo: a missed 8-second window says what to do, writes nothing, and the next flash works', async () => {
    const app = c.app();
    await app.plug(leonardo(false));
    await app.page.waitForFunction(() => window.__hexflashTest.usbProductId() === 0x8036, undefined, { timeout: 10_000 });
    const old = await app.readFlash(0, 1024);
    await app.flashButton().click();
    await app.page.locator('hexflash-bootloader-prompt [data-testid="bootloader-prompt"]').waitFor({ timeout: 10_000 });
    const o = await app.expectError('bootloader-window-missed', 'missed window');
    assert(/reset button/.test(o.text) && /twice quickly on a Pro Micro/.test(o.text), `the message does not say what to do: ${o.text}`);
    assert(sameBytes(await app.readFlash(0, 1024), old) === null, 'the flash changed although the window was missed');
    await c.shot('leonardo-missed');
    await waitSketchBack(app);
    await app.plug(leonardo(true));
    await app.page.waitForFunction(() => window.__hexflashTest.usbProductId() === 0x8036, undefined, { timeout: 10_000 });
    await app.flashButton().click();
    await app.expectOk('after the missed window');
    await checkFlash(app, sketch, 'after the missed window');
  });

  const small = makeHexFixture(c.work, 'diecimila-blink.hex', 6_000, 33);
  for (const [what, spec, signature] of [
    ['ATmega168 (Diecimila ATmegaBOOT, 19200 baud)', { mcu: 'atmega168', bootloaderHex: diecimila.hexText, bootloaderStart: diecimila.start }, '1e 94 06'],
    ['ATmega8 (ATmegaBOOT, 19200 baud)', { mcu: 'atmega8', bootloaderHex: m8.hexText, bootloaderStart: m8.start }, '1e 93 07'],
  ] as const) {
    await c.steps.run(`${what} with "Detect automatically"`, async () => {
      const app = c.app();
      await app.loadFile(small.path, small.name);
      await app.chooseBoard('auto');
      await app.plug(spec);
      await app.flashButton().click();
      const o = await app.expectOk(what);
      assert((await app.signatureShown()) === signature, `${what}: the signature shown is not ${signature}`);
      assert(/19200/.test(o.text) && /STK500V1/.test(o.text), `${what}: the result lacks protocol/baud: ${o.text}`);
      await checkFlash(app, small, what);
    });
  }
}
