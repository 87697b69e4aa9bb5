// Browser steps for the serial console (issue 10): the console test firmware (avr-gcc, built at test
// time) is flashed to the emulated ATmega2560 through the UI, "Open console" reopens that port and
// Auto finds 250000 baud from the banner; a line sent by keyboard comes back, history recalls it,
// "bin" shows its raw bytes escaped, "Reset board" brings the banner again, a flash releases the
// port; then a 328P at 115200 opened on its own through the chooser, where Auto first hears garbage
// at 250000 and moves on.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBootloader } from '../emulator/bootloaders.js';
import { loadConsoleFirmware } from '../emulator/test-firmware.js';
import type { AppPage } from './app-page.js';
import { assert } from './harness.js';
import type { MoreBoardsContext } from './more-boards.js';

const hexOf = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const OUT = 'hexflash-serial-console [data-testid="console-output"]';
const STATUS = 'hexflash-serial-console [data-testid="console-status"]';

async function outputText(app: AppPage): Promise<string> {
  return app.page.locator(OUT).innerText();
}

/** Waits until the console output matches `want` (the rows in sight, which with autoscroll are the newest). */
async function waitOutput(app: AppPage, want: RegExp, what: string, timeoutMs = 20_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < end) {
    text = await outputText(app);
    if (want.test(text)) return text;
    await app.page.waitForTimeout(100);
  }
  throw new Error(`${what}: the console never showed ${want}; it shows:\n${text}`);
}

async function waitStatus(app: AppPage, want: RegExp, what: string, timeoutMs = 30_000): Promise<string> {
  await app.page.locator(STATUS, { hasText: want }).waitFor({ timeout: timeoutMs }).catch(async () => {
    throw new Error(`${what}: the console status never matched ${want}: ${await app.page.locator(STATUS).innerText()}`);
  });
  return app.page.locator(STATUS).innerText();
}

const count = (text: string, s: string): number => text.split(s).length - 1;

export async function consoleSteps(c: MoreBoardsContext): Promise<void> {
  const [bl2560, bl328, fw250, fw115] = await Promise.all([
    loadBootloader('stk500v2-atmega2560'),
    loadBootloader('optiboot-atmega328p'),
    loadConsoleFirmware('atmega2560', 250000),
    loadConsoleFirmware('atmega328p', 115200),
  ]);
  const hexPath = join(c.work, 'console-echo-2560.hex');
  writeFileSync(hexPath, fw250.hexText);
  const M2560 = { mcu: 'atmega2560', bootloaderHex: bl2560.hexText, bootloaderStart: bl2560.start } as const;

  await c.steps.run('console: flash the echo firmware, "Open console" reopens the same port, Auto finds 250000 baud and shows the banner', async () => {
    const app = c.app();
    await app.page.evaluate(() => localStorage.removeItem('hexflash.console.baud'));
    await app.plug(M2560);
    await app.loadFile(hexPath, 'console-echo-2560.hex');
    await app.chooseBoard('arduino-mega2560');
    await app.flashButton().click();
    await app.expectOk('console firmware flash');
    const before = await app.portRequests();
    const open = app.page.locator('hexflash-console-dock button#open-console');
    assert(/Open console on CH340/.test(await open.innerText()), `the dock does not offer the flashed port: ${await open.innerText()}`);
    await open.click();
    const status = await waitStatus(app, /Open at/, 'open after flash');
    assert(/Auto found 250000 baud/.test(status), `Auto did not find 250000: ${status}`);
    await waitOutput(app, new RegExp(fw250.banner.replace(/[.]/g, '\\.')), 'banner');
    assert((await app.portRequests()) === before, 'the chooser was opened although the flashed port was known');
    await c.shot('console-banner');
  });

  await c.steps.run('console by keyboard: Tab to the input, Enter sends and the line comes back, arrow up recalls it', async () => {
    const app = c.app();
    await app.page.locator(OUT).focus();
    await app.page.keyboard.press('Tab');
    const focused = await app.page.evaluate(() => {
      let el: Element | null = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return el?.id ?? '';
    });
    assert(focused === 'console-input', `Tab from the output went to "${focused}", not the input`);
    await app.page.keyboard.type('hello board');
    await app.page.keyboard.press('Enter');
    await waitOutput(app, /echo: hello board/, 'echo');
    await app.page.keyboard.type('M115');
    await app.page.keyboard.press('Enter');
    await waitOutput(app, /echo: M115/, 'second echo');
    const input = app.page.locator('hexflash-serial-console input#console-input');
    assert((await input.inputValue()) === '', 'the input was not emptied after sending');
    await app.page.keyboard.press('ArrowUp');
    assert((await input.inputValue()) === 'M115', `arrow up recalled "${await input.inputValue()}"`);
    await app.page.keyboard.press('ArrowUp');
    assert((await input.inputValue()) === 'hello board', `arrow up twice recalled "${await input.inputValue()}"`);
    await app.page.keyboard.press('ArrowDown');
    await app.page.keyboard.press('Enter');
    const text = await waitOutput(app, /echo: M115[\s\S]*echo: M115/, 'recalled line sent');
    assert(count(text, 'echo: M115') === 2, `the recalled line was not sent once more: ${text}`);
    await c.shot('console-echo');
  });

  await c.steps.run('console: bytes that are not text are shown escaped, none dropped', async () => {
    const app = c.app();
    await app.page.locator('hexflash-serial-console input#console-input').fill('bin');
    await app.page.locator('hexflash-serial-console input#console-input').press('Enter');
    await waitOutput(app, /bin: <\\x00\\x1b\\x7f\\xff>/, 'escaped bytes');
    const marked = await app.page.locator(`${OUT} .esc`).allInnerTexts();
    assert(marked.join(' ') === '\\x00 \\x1b \\x7f \\xff', `the escapes are not set apart: ${marked.join(' ')}`);
    await app.page.locator('hexflash-serial-console input#timestamps').check();
    const stamped = await waitOutput(app, /\d\d:\d\d:\d\d\.\d{3}\s*bin: </, 'time stamps');
    assert(/\d\d:\d\d:\d\d\.\d{3}/.test(stamped), 'no time stamps shown');
    await c.shot('console-escaped');
    await app.page.emulateMedia({ colorScheme: 'dark' });
    await c.shot('console-dark');
    await app.page.emulateMedia({ colorScheme: 'light' });
    const size = app.page.viewportSize();
    await app.page.setViewportSize({ width: 400, height: 900 });
    await c.shot('console-narrow');
    if (size) await app.page.setViewportSize(size);
    await app.page.locator('hexflash-serial-console input#timestamps').uncheck();
  });

  await c.steps.run('console: Pause holds the view while lines go on arriving; un-pausing shows them', async () => {
    const app = c.app();
    const pause = app.page.locator('hexflash-serial-console').getByRole('button', { name: 'Pause' });
    await pause.click();
    assert((await pause.getAttribute('aria-pressed')) === 'true', 'Pause is not shown as pressed');
    await app.page.locator('hexflash-serial-console input#console-input').fill('while paused');
    await app.page.locator('hexflash-serial-console input#console-input').press('Enter');
    await app.page.locator('hexflash-serial-console [data-testid="console-counts"]', { hasText: 'paused: 1 line newer' }).waitFor({ timeout: 10_000 });
    assert(!(await outputText(app)).includes('echo: while paused'), 'the paused view shows a line that came after the pause');
    await pause.click();
    await waitOutput(app, /echo: while paused/, 'after un-pausing');
  });

  await c.steps.run('console: "Reset board" pulses DTR and the banner comes again; Download and Copy have every line', async () => {
    const app = c.app();
    const before = count(await outputText(app), fw250.banner);
    await app.page.locator('hexflash-serial-console').getByRole('button', { name: 'Reset board' }).click();
    await waitOutput(app, new RegExp(`(${fw250.banner.replace(/[.]/g, '\\.')}[\\s\\S]*){${before + 1}}`), 'banner after reset');
    await c.shot('console-reset');
    const [download] = await Promise.all([
      app.page.waitForEvent('download'),
      app.page.locator('hexflash-serial-console').getByRole('button', { name: 'Download' }).click(),
    ]);
    const file = join(c.work, 'console.txt');
    await download.saveAs(file);
    const { readFileSync } = await import('node:fs');
    const saved = readFileSync(file, 'utf8');
    for (const want of ['echo: hello board', 'echo: M115', 'bin: <\\x00\\x1b\\x7f\\xff>']) assert(saved.includes(want), `the download lacks ${want}`);
    assert(count(saved, fw250.banner) === before + 1, `the download has ${count(saved, fw250.banner)} banners`);
    await app.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(app.page.url()).origin });
    await app.page.locator('hexflash-serial-console').getByRole('button', { name: 'Copy' }).click();
    await app.page.locator('[data-testid="announce"]', { hasText: 'copied' }).waitFor({ timeout: 5_000 });
    const copied = await app.page.evaluate(() => navigator.clipboard.readText());
    assert(copied === saved, `Copy and Download differ:\n${copied}\n---\n${saved}`);
  });

  await c.steps.run('console: a flash releases its port first, and succeeds', async () => {
    const app = c.app();
    await app.flashButton().click();
    await app.expectOk('flash with the console open');
    await waitStatus(app, /Closed; the port .* is free/, 'console closed by the flash');
    const input = app.page.locator('hexflash-serial-console input#console-input');
    assert(await input.isDisabled(), 'the console input is still enabled after the port was released');
  });

  await c.steps.run('console on its own: a 328P at 115200 through the chooser; Auto hears garbage at 250000 and finds 115200', async () => {
    const app = c.app();
    await app.plug({ mcu: 'atmega328p', bootloaderHex: bl328.hexText, bootloaderStart: bl328.start, applicationHex: hexOf(fw115.bytes) });
    const before = await app.portRequests();
    await app.page.locator('hexflash-console-dock').getByRole('button', { name: 'Choose another port…' }).click();
    const status = await waitStatus(app, /Open at/, 'open on its own');
    assert(/Auto found 115200 baud/.test(status), `Auto did not find 115200: ${status}`);
    assert((await app.portRequests()) === before + 1, 'the chooser was not opened');
    const text = await waitOutput(app, new RegExp(fw115.banner.replace(/[.]/g, '\\.')), 'banner at 115200');
    assert(!/\\x/.test(text.split(fw115.banner)[0]?.split('\n').slice(-2).join('') ?? ''), 'garbage from the 250000 try was shown');
    await c.shot('console-auto-115200');
  });

  await c.steps.run('console at a wrong fixed rate shows the garbage escaped; Close frees the port', async () => {
    const app = c.app();
    await app.page.locator('hexflash-serial-console select#baud').selectOption('250000');
    await waitStatus(app, /Open at 250000/, 'fixed 250000');
    await app.page.locator('hexflash-serial-console').getByRole('button', { name: 'Clear' }).click();
    await app.page.locator('hexflash-serial-console').getByRole('button', { name: 'Reset board' }).click();
    await app.page.locator(`${OUT} .esc`).first().waitFor({ timeout: 10_000 });
    const text = await waitOutput(app, /(\\x[0-9a-f]{2}[^\\]*){10}/, 'garbage');
    assert(!text.includes('HexFlash console'), `the banner reads as text at the wrong rate: ${text}`);
    await c.shot('console-wrong-baud');
    await app.page.locator('hexflash-console-dock').getByRole('button', { name: 'Close console' }).click();
    await app.page.locator('hexflash-serial-console').waitFor({ state: 'detached', timeout: 5_000 });
    assert(!(await app.portOpen()), 'the port is still open after closing the console');
    await app.page.evaluate(() => localStorage.removeItem('hexflash.console.baud'));
  });
}
