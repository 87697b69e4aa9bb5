// Browser steps for several boards at once (issue 11): three emulated boards with their real
// bootloaders (ATmega2560 STK500v2, ATmega328P optiboot, ATmega1284P ATmegaBOOT) added to one page
// (the Uno remembered from before, the other two through the chooser once each), flashed in
// parallel; the 1284P is unplugged mid-write and says so in words, the other two end verified byte
// for byte, the summary shows all three, and the downloaded CSV has the same rows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBootloader } from '../emulator/bootloaders.js';
import type { AppPage } from './app-page.js';
import type { PlugSpec } from './fake-serial-entry.js';
import { assert, type Steps } from './harness.js';
import { makeHexFixture, sameBytes } from './hex-file.js';

export interface MultiContext {
  readonly steps: Steps;
  readonly app: () => AppPage;
  readonly shot: (name: string) => Promise<void>;
  readonly work: string;
}

const UNO = 'Arduino Uno R3 (USB 2341:0043)';
const MEGA = 'Arduino Mega 2560 R3 (USB 2341:0042)';
const CH340 = 'CH340 USB-serial adapter (USB 1a86:7523)';

export async function multiSteps(c: MultiContext): Promise<void> {
  const [bl2560, bl328, bl1284] = await Promise.all([
    loadBootloader('stk500v2-atmega2560'),
    loadBootloader('optiboot-atmega328p'),
    loadBootloader('atmegaboot-atmega1284p'),
  ]);
  const uno: PlugSpec = { mcu: 'atmega328p', bootloaderHex: bl328.hexText, bootloaderStart: bl328.start, usbIds: { vid: 0x2341, pid: 0x0043 } };
  const mega: PlugSpec = { mcu: 'atmega2560', bootloaderHex: bl2560.hexText, bootloaderStart: bl2560.start, usbIds: { vid: 0x2341, pid: 0x0042 }, grant: false };
  const sanguino: PlugSpec = { mcu: 'atmega1284p', bootloaderHex: bl1284.hexText, bootloaderStart: bl1284.start, grant: false };
  const fx = makeHexFixture(c.work, 'fleet-firmware.hex', 16_000, 41);

  await c.steps.run('several boards: 2560, 328P and 1284P flashed in parallel, the 1284P unplugged mid-write, summary and CSV', async () => {
    const app = c.app();
    const page = app.page;
    await app.loadFile(fx.path, fx.name);
    await app.chooseBoard('auto');
    await app.plug(uno);
    const [nMega, nSanguino] = await page.evaluate(([m, s]) => [window.__hexflashTest.plugMore(m), window.__hexflashTest.plugMore(s)], [mega, sanguino] as const);
    const dock = page.locator('hexflash-multi-dock');
    await dock.getByRole('button', { name: 'Flash several boards…' }).click();
    // The Uno's port was granted before: offered without the chooser. The other two: the chooser, once each.
    await dock.getByRole('button', { name: `Add ${UNO}`, exact: true }).click();
    for (const [vid, pid] of [[0x2341, 0x0042], [0x1a86, 0x7523]] as const) {
      await page.evaluate(([v, p]) => window.__hexflashTest.chooseIds(v, p), [vid, pid] as const);
      await dock.getByRole('button', { name: 'Add a board…' }).click();
    }
    const labels = await dock.locator('[data-testid="board-label"]').allInnerTexts();
    assert(labels.join(' / ') === [UNO, MEGA, CH340].join(' / '), `the boards listed: ${labels.join(' / ')}`);
    const card = (label: string) => dock.locator('li.board', { has: page.locator('h3', { hasText: label }) });

    await dock.getByRole('button', { name: 'Flash all 3 boards' }).click();
    await card(CH340).locator('hexflash-flash-progress[phase="writing"]').waitFor({ timeout: 60_000 });
    await page.waitForFunction(
      (label) => {
        const d = document.querySelector('hexflash-app')?.shadowRoot?.querySelector('hexflash-multi-dock')?.shadowRoot;
        const li = [...(d?.querySelectorAll('li.board') ?? [])].find((x) => x.querySelector('h3')?.textContent === label);
        const bar = li?.querySelector('hexflash-flash-progress')?.shadowRoot?.querySelector('progress');
        return (bar?.value ?? 0) >= 15;
      },
      CH340,
      { timeout: 60_000 },
    );
    assert(await app.flashButton().isDisabled(), 'the single Flash button is enabled while several boards are being flashed');
    assert(await page.getByRole('button', { name: `Flash ${fx.name}`, exact: true }).isDisabled(), "Recent's Flash is enabled while several boards are being flashed");
    await c.shot('multi-flashing');
    await page.evaluate((n) => window.__hexflashTest.unplugPortOf(n), nSanguino);

    const summary = dock.locator('hexflash-fleet-summary [data-testid="fleet-summary"]');
    await summary.waitFor({ timeout: 180_000 });
    const rows = await summary.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((x) => (x.textContent ?? '').trim())));
    const brief = rows.map((r) => `${r[0]} ${r[1]} ${r[3]}`);
    if (process.env.E2E_DEBUG) {
      for (const n of [nMega, nSanguino]) process.stdout.write(`    board ${n}: ${await page.evaluate((k) => window.__hexflashTest.statsOf(k), n)}\n`);
    }
    assert(
      brief.join(' / ') === [`${UNO} ATmega328P verified`, `${MEGA} ATmega2560 verified`, `${CH340} ATmega1284P failed`].join(' / '),
      `summary rows: ${rows.map((r) => `${r[0]} ${r[1]} ${r[3]}${r[3] === 'verified' ? '' : ` (${r[6]})`}`).join(' / ')}`,
    );
    const words = rows[2]?.[6] ?? '';
    assert(/disconnected|unplugged/i.test(words), `the 1284P's error does not say it was unplugged: ${words}`);
    const caption = (await summary.locator('caption').innerText()).trim();
    assert(caption === 'Summary: 2 of 3 boards verified', `summary caption: ${caption}`);
    const err = card(CH340).locator('[data-testid="result-error"]');
    assert((await err.getAttribute('data-code')) === 'link-closed', `the 1284P's card shows ${await err.getAttribute('data-code')}`);
    for (const label of [UNO, MEGA]) await card(label).locator('[data-testid="result-ok"]').waitFor({ timeout: 5_000 });

    const diffUno = sameBytes(await app.readFlash(0, fx.bytes.length), fx.bytes);
    assert(diffUno === null, `the Uno's emulated flash differs from the image: ${diffUno}`);
    const megaHex = await page.evaluate(([n, len]) => window.__hexflashTest.readFlashOf(n, 0, len), [nMega, fx.bytes.length] as const);
    const diffMega = sameBytes(Uint8Array.from(megaHex.match(/../g) ?? [], (h) => parseInt(h, 16)), fx.bytes);
    assert(diffMega === null, `the Mega's emulated flash differs from the image: ${diffMega}`);
    assert(!(await app.flashButton().isDisabled()), 'the single Flash button stays disabled after the run');
    await c.shot('multi-summary');
    // Recent keeps how the run ended, as for a single flash.
    await page.locator('hexflash-recent-item', { hasText: fx.name }).locator('.facts', { hasText: /on 3 boards:\s+failed\s+\(2 of 3 boards verified\)/ }).waitFor({ timeout: 10_000 });

    const [download] = await Promise.all([page.waitForEvent('download'), dock.getByRole('button', { name: 'Download CSV' }).click()]);
    const file = join(c.work, 'boards.csv');
    await download.saveAs(file);
    const csv = readFileSync(file, 'utf8').trimEnd().split('\r\n');
    assert(csv[0] === 'Board,Chip,Protocol,Result,Bytes verified,Time (s),Error', `CSV header: ${csv[0]}`);
    const csvBrief = csv.slice(1).map((l) => l.split(',').slice(0, 4).join(' '));
    const want = [`${UNO} ATmega328P STK500V1 verified`, `${MEGA} ATmega2560 STK500V2 verified`, `${CH340} ATmega1284P STK500V1 failed`];
    assert(csvBrief.join(' / ') === want.join(' / '), `CSV rows: ${csvBrief.join(' / ')}`);
    assert(/^\d+$/.test(csv[1]?.split(',')[4] ?? '') && Number(csv[1]?.split(',')[4]) >= fx.bytes.length, `CSV bytes verified: ${csv[1]}`);
  });
}
