// Browser steps for issue 10's port parts: "Flash again on <port>" from a remembered port without the
// chooser (the fake serial counts the choosers opened), the offer leaving on unplug and coming back on
// replug; and each help panel, driven by what the SerialPort look-alike does: an empty chooser
// (NotFoundError), open() refused with NetworkError on Linux and on Windows, a port already open
// (InvalidStateError), a USB ID not in the table. The platform comes from navigator.userAgentData,
// overridden in the page for Windows. No request may leave the page's origin meanwhile.
import { loadBootloader } from '../emulator/bootloaders.js';
import type { AppPage } from './app-page.js';
import type { PlugSpec } from './fake-serial-entry.js';
import { assert } from './harness.js';
import { makeHexFixture, sameBytes, type HexFixture } from './hex-file.js';
import type { MoreBoardsContext as StepsContext } from './more-boards.js';

const CH340 = 'CH340 USB-serial adapter (USB 1a86:7523)';

export async function portSteps(c: StepsContext): Promise<void> {
  const optiboot = await loadBootloader('optiboot-atmega328p');
  const UNO: PlugSpec = { mcu: 'atmega328p', bootloaderHex: optiboot.hexText, bootloaderStart: optiboot.start };
  const first = makeHexFixture(c.work, 'ports-first.hex', 4_000, 41);
  const second = makeHexFixture(c.work, 'ports-second.hex', 5_000, 42);
  const third = makeHexFixture(c.work, 'ports-third.hex', 3_000, 43);

  const app = c.app();
  const origin = new URL(app.page.url()).origin;
  const foreign: string[] = [];
  app.page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !/^(data|blob):/.test(r.url())) foreign.push(r.url());
  });

  const offer = (a: AppPage, label: string) => a.page.locator('hexflash-port-offers button.offer', { hasText: `Flash again on ${label}` });
  const offers = (a: AppPage) => a.page.locator('hexflash-port-offers button.offer');
  const help = (a: AppPage) => a.page.locator('hexflash-port-help [data-testid="port-help"]');
  const helpText = async (a: AppPage): Promise<string> => (await help(a).innerText()).replace(/\s+/g, ' ');
  const expectHelp = async (a: AppPage, id: string, platform: string): Promise<string> => {
    const want = a.page.locator(`hexflash-port-help [data-testid="port-help"][data-help="${id}"][data-platform="${platform}"]`);
    try {
      await want.waitFor({ timeout: 10_000 });
    } catch {
      const shown = (await help(a).count()) > 0 ? `${await help(a).getAttribute('data-help')} for ${await help(a).getAttribute('data-platform')}` : 'none';
      throw new Error(`expected the ${id} help for ${platform}; shown: ${shown}`);
    }
    return helpText(a);
  };
  /** Client Hints as a Windows Chrome reports them; null restores the browser's own. */
  const setPlatform = async (a: AppPage, platform: string | null): Promise<void> => {
    await a.page.evaluate((p) => {
      if (p === null) Reflect.deleteProperty(navigator, 'userAgentData');
      else Object.defineProperty(navigator, 'userAgentData', { configurable: true, value: { platform: p, brands: [], mobile: false } });
    }, platform);
  };
  const checkFlash = async (a: AppPage, fx: HexFixture, what: string): Promise<void> => {
    const diff = sameBytes(await a.readFlash(0, fx.bytes.length), fx.bytes);
    assert(diff === null, `${what}: emulated flash differs from the image: ${diff}`);
  };

  await c.steps.run('Flash again on a remembered port: no chooser; unplugging removes the offer, plugging back restores it', async () => {
    await app.loadFile(first.path, first.name);
    await app.chooseBoard('arduino-uno');
    await app.plug({ ...UNO, grant: false });
    // A port never chosen is not offered.
    await app.page.waitForTimeout(300);
    assert((await offers(app).count()) === 0, 'a port the page was never given is offered');
    const before = await app.portRequests();
    await app.flashButton().click();
    await app.expectOk('first flash through the chooser');
    assert((await app.portRequests()) === before + 1, 'the first flash did not go through the chooser');
    await offer(app, CH340).waitFor({ timeout: 10_000 });
    assert((await offers(app).count()) === 1, `expected one offer, got ${await offers(app).count()}`);
    await app.loadFile(second.path, second.name);
    await c.shot('port-offer');
    await offer(app, CH340).click();
    await app.expectOk('Flash again on the remembered port');
    assert((await app.portRequests()) === before + 1, 'Flash again opened the chooser');
    await checkFlash(app, second, 'Flash again');

    await app.page.evaluate(() => window.__hexflashTest.unplugPort());
    await offer(app, CH340).waitFor({ state: 'detached', timeout: 5_000 });
    await app.page.evaluate(() => window.__hexflashTest.replugPort());
    await offer(app, CH340).waitFor({ timeout: 5_000 });
    await app.loadFile(third.path, third.name);
    await offer(app, CH340).focus();
    await app.page.keyboard.press('Enter');
    await app.expectOk('Flash again after plugging back in');
    assert((await app.portRequests()) === before + 1, 'Flash again after the replug opened the chooser');
    await checkFlash(app, third, 'Flash again after the replug');
  });

  await c.steps.run('help: the chooser closes with no board listed (NotFoundError), on Linux and on Windows', async () => {
    await app.page.evaluate(() => window.__hexflashTest.unplug());
    await offers(app).first().waitFor({ state: 'detached', timeout: 5_000 });
    await app.flashButton().click();
    const linux = await expectHelp(app, 'empty-chooser', 'linux');
    for (const want of [/only charge/, /brltty/, /sudo apt remove brltty/]) assert(want.test(linux), `the Linux empty-chooser help lacks ${want}: ${linux}`);
    assert(!/Device Manager|driver for Windows/.test(linux), `the Linux help talks of Windows drivers: ${linux}`);
    await c.shot('help-empty-chooser-linux');
    await setPlatform(app, 'Windows');
    try {
      await app.flashButton().click();
      const win = await expectHelp(app, 'empty-chooser', 'windows');
      for (const chip of ['CH340/CH341', 'CH9102', 'CP210x', 'FTDI']) assert(win.includes(`${chip} driver for Windows`), `no ${chip} driver link: ${win}`);
      assert(!/brltty|dialout/.test(win), `the Windows help talks of Linux: ${win}`);
      const href = await help(app).locator('a', { hasText: 'CH340/CH341 driver for Windows' }).getAttribute('href');
      assert(href === 'https://www.wch-ic.com/downloads/CH341SER_EXE.html', `CH340 driver link: ${href}`);
      await c.shot('help-empty-chooser-windows');
    } finally {
      await setPlatform(app, null);
    }
  });

  await c.steps.run('help: NetworkError on open, Linux: the dialout group, brltty for this CH340, the programs that hold ports', async () => {
    await app.plug({ ...UNO, fault: { kind: 'busy' } });
    await app.flashButton().click();
    await app.expectError('port-busy', 'NetworkError on Linux');
    const t = await expectHelp(app, 'open-failed', 'linux');
    for (const want of [/sudo usermod -a -G dialout \$USER/, /brltty/, /OctoPrint/, /PrusaSlicer/]) assert(want.test(t), `the Linux open help lacks ${want}: ${t}`);
    await c.shot('help-open-failed-linux');
    await app.page.emulateMedia({ colorScheme: 'dark' });
    await c.shot('help-open-failed-linux-dark');
    await app.page.emulateMedia({ colorScheme: 'light' });
  });

  await c.steps.run('help: a busy port: open in this browser (InvalidStateError), held by another program (NetworkError on Windows)', async () => {
    await app.plug({ ...UNO, fault: { kind: 'busy', error: 'InvalidStateError' } });
    await app.flashButton().click();
    await app.expectError('port-busy', 'InvalidStateError');
    const here = await expectHelp(app, 'port-busy', 'linux');
    assert(/Close it in this browser/.test(here) && /OctoPrint/.test(here), `the in-use help: ${here}`);
    await c.shot('help-busy-in-browser');
    await setPlatform(app, 'Windows');
    try {
      await app.plug({ ...UNO, fault: { kind: 'busy' } });
      await app.flashButton().click();
      await app.expectError('port-busy', 'NetworkError on Windows');
      const t = await expectHelp(app, 'port-busy', 'windows');
      for (const p of ['OctoPrint', 'Cura', 'PrusaSlicer', 'Arduino IDE']) assert(t.includes(p), `the busy help does not name ${p}: ${t}`);
      assert(!/dialout/.test(t) && /Reinstall the CH340\/CH341 driver/.test(t), `the Windows busy help: ${t}`);
      await c.shot('help-busy-windows');
    } finally {
      await setPlatform(app, null);
    }
  });

  await c.steps.run('help: an adapter whose USB ID is not in the table, then the next flash works without help', async () => {
    await app.plug({ ...UNO, bootloaderHex: null, usbIds: { vid: 0x1234, pid: 0x5678 } });
    await app.flashButton().click();
    await app.expectError('no-bootloader', 'unknown adapter');
    const t = await expectHelp(app, 'unknown-adapter', 'linux');
    assert(/USB 1234:5678/.test(t) && /not in HexFlash's table/.test(t) && /Check the board choice/.test(t), `the unknown-adapter help: ${t}`);
    await c.shot('help-unknown-adapter');
    await app.plug(UNO);
    await offer(app, CH340).click();
    await app.expectOk('after the unknown adapter');
    assert((await help(app).count()) === 0, 'help is still shown after a successful flash');
    assert(foreign.length === 0, `the page requested other origins: ${foreign.join(', ')}`);
  });
}
