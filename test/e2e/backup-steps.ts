// Browser steps for backup and rollback (issue 10): on the emulated ATmega2560 and ATmega328P with an
// application already in flash, "Keep the firmware that is on the board now" reads it into Recent
// before another image is written; the backups survive a browser restart; Restore brings the flash
// back byte for byte; "Read firmware from board" downloads a .hex equal to the flash. The bytes the
// page sent are decoded (fake-serial-entry.ts): nothing at or above the bootloader was ever requested.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { loadBootloader } from '../emulator/bootloaders.js';
import { readCoverage, type FlashAccess } from '../helpers/command-log.js';
import { randomBytes } from '../helpers/random.js';
import type { AppPage } from './app-page.js';
import type { PlugSpec } from './fake-serial-entry.js';
import { assert, type Steps } from './harness.js';
import { makeHexFixture, sameBytes, type HexFixture } from './hex-file.js';

export interface BackupStepsContext {
  readonly steps: Steps;
  readonly app: () => AppPage;
  readonly shot: (name: string) => Promise<void>;
  readonly work: string;
  /** Closes the browser and opens it again on the same profile. */
  readonly restart: () => Promise<void>;
}

const hexOf = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

interface BoardCase {
  readonly label: string;
  readonly spec: PlugSpec;
  readonly flashBytes: number;
  readonly board: string;
  readonly other: HexFixture;
  /** The whole flash before anything was done (application, erased rest, bootloader). */
  before: Uint8Array;
  /** The application section after the other image was written, to plug in again after the restart. */
  after: Uint8Array;
  backupName: string;
}

async function accesses(app: AppPage): Promise<FlashAccess[]> {
  return app.page.evaluate(() => window.__hexflashTest.flashAccesses());
}

function assertBelow(list: readonly FlashAccess[], bootStart: number, what: string): void {
  const bad = list.filter((a) => a.address + a.length > bootStart);
  assert(bad.length === 0, `${what}: ${bad.length} commands addressed the bootloader section, first ${JSON.stringify(bad[0])}`);
}

async function setKeep(app: AppPage, on: boolean): Promise<void> {
  const box = app.page.locator('hexflash-backup-option input#keep');
  if ((await box.isChecked()) !== on) await box.click();
  assert((await box.isChecked()) === on, `the keep option is not ${on ? 'ticked' : 'cleared'}`);
}

export async function backupSteps(c: BackupStepsContext): Promise<void> {
  const [bl2560, bl328] = await Promise.all([loadBootloader('stk500v2-atmega2560'), loadBootloader('optiboot-atmega328p')]);
  const make = (label: string, mcu: 'atmega2560' | 'atmega328p', bl: typeof bl2560, flashBytes: number, board: string, app: number, other: HexFixture): BoardCase => ({
    label,
    spec: { mcu, bootloaderHex: bl.hexText, bootloaderStart: bl.start, applicationHex: hexOf(randomBytes(app, app)) },
    flashBytes,
    board,
    other,
    before: new Uint8Array(0),
    after: new Uint8Array(0),
    backupName: '',
  });
  const cases = [
    make('ATmega2560', 'atmega2560', bl2560, 0x40000, 'arduino-mega2560', 30_001, makeHexFixture(c.work, 'mega-other.hex', 60_000, 91)),
    make('ATmega328P', 'atmega328p', bl328, 0x8000, 'auto', 9_001, makeHexFixture(c.work, 'uno-other.hex', 20_000, 92)),
  ];

  for (const [i, b] of cases.entries()) {
    const bootStart = b.spec.bootloaderStart;
    await c.steps.run(`${b.label}: "Keep the firmware" reads the application section into Recent, then writes another image`, async () => {
      const app = c.app();
      await app.plug(b.spec);
      b.before = await app.readFlash(0, b.flashBytes);
      await app.loadFile(b.other.path, b.other.name);
      await app.chooseBoard(b.board);
      await setKeep(app, true);
      await app.page.evaluate(() => window.__hexflashTest.clearAccesses());
      await app.flashButton().click();
      await app.waitPhase('reading');
      if (i === 0) {
        await app.page.waitForFunction(() => Number(document.querySelector('hexflash-app')?.shadowRoot?.querySelector('hexflash-flash-progress')?.shadowRoot?.querySelector('progress')?.value ?? 0) >= 20, undefined, { timeout: 60_000 });
        await c.shot('backup-reading');
      }
      await app.expectOk(`${b.label} flash after the backup`);
      const diff = sameBytes(await app.readFlash(0, b.other.bytes.length), b.other.bytes);
      assert(diff === null, `${b.label}: the other image is not in flash: ${diff}`);
      const item = app.page.locator('hexflash-recent-item', { hasText: `Backup of ${b.label},` }).first();
      await item.waitFor({ timeout: 10_000 });
      b.backupName = (await item.locator('[data-testid="recent-name"]').innerText()).trim();
      assert(/^Backup of ATmega\w+, \d{4}-\d\d-\d\d \d\d:\d\d, CH340 USB-serial adapter \(USB 1a86:7523\)$/.test(b.backupName), `backup name: ${b.backupName}`);
      assert((await item.getByRole('button', { name: `Restore ${b.backupName}`, exact: true }).count()) === 1, 'the backup has no Restore button');
      const list = await accesses(app);
      const reads = list.filter((a) => a.op === 'read');
      const firstWrite = list.findIndex((a) => a.op === 'write');
      // Distinct bytes: a read asked again after a lost answer (a loaded machine) is one read.
      const readBytes = new Uint8Array(bootStart);
      for (const a of reads.filter((r) => list.indexOf(r) < firstWrite)) readBytes.fill(1, a.address, a.address + a.length);
      const backupRead = readBytes.reduce((n, v) => n + v, 0);
      assert(backupRead === bootStart, `the backup read ${backupRead} distinct bytes before writing, not the ${bootStart} of the application section`);
      assertBelow(list, bootStart, `${b.label} backup and flash`);
      b.after = await app.readFlash(0, bootStart);
      if (i === 0) await c.shot('backup-in-recent');
    });
  }

  await c.steps.run('the backups survive a browser restart', async () => {
    await setKeep(c.app(), false);
    await c.restart();
    for (const b of cases) await c.app().waitRecent(b.backupName);
    assert(!(await c.app().page.locator('hexflash-backup-option input#keep').isChecked()), 'the keep option came back ticked');
  });

  for (const [i, b] of cases.entries()) {
    await c.steps.run(`${b.label}: Restore brings back the flash byte for byte, without reading the bootloader`, async () => {
      const app = c.app();
      await app.plug({ ...b.spec, applicationHex: hexOf(b.after) });
      await app.page.evaluate(() => window.__hexflashTest.clearAccesses());
      await app.recentButton('Restore', b.backupName);
      // The result of the step before stays on screen until the restore starts.
      await app.waitPhase('writing');
      const o = await app.expectOk(`${b.label} restore`);
      assert(o.text.includes(b.label), `the result does not name the chip: ${o.text}`);
      const diff = sameBytes(await app.readFlash(0, b.flashBytes), b.before);
      assert(diff === null, `${b.label}: the flash after Restore is not as it was: ${diff}`);
      const list = await accesses(app);
      assert(list.some((a) => a.op === 'write') && list.some((a) => a.op === 'read'), 'no flash commands were decoded during the restore');
      assertBelow(list, b.spec.bootloaderStart, `${b.label} restore`);
      if (i === 0) await c.shot('restored');
    });
  }

  const uno = cases[1] as BoardCase;
  await c.steps.run('"Read firmware from board" downloads a .hex equal to the flash, and keeps it in Recent', async () => {
    const app = c.app();
    await app.chooseBoard('arduino-uno');
    await app.plug(uno.spec);
    await app.page.evaluate(() => window.__hexflashTest.clearAccesses());
    await app.page.locator('hexflash-board-read button#read').click();
    const ok = app.page.locator('hexflash-board-read [data-testid="read-ok"]');
    await ok.waitFor({ timeout: 60_000 });
    const kept = (await app.page.locator('hexflash-board-read [data-testid="read-kept"]').innerText()).trim();
    // Restored, the board holds what the first backup holds: the same bytes, so the same Recent entry.
    assert(kept === `Kept in Recent as “${uno.backupName}” (the same bytes as that earlier backup).`, `not kept in Recent as the earlier backup: ${kept}`);
    await c.shot('read-from-board');
    const [download] = await Promise.all([app.page.waitForEvent('download'), ok.getByRole('button', { name: /^Save backup-atmega328p-\d+\.hex$/ }).click()]);
    const file = join(c.work, download.suggestedFilename());
    await download.saveAs(file);
    const image = parseIntelHex(readFileSync(file, 'latin1'));
    const bootStart = uno.spec.bootloaderStart;
    const flash = await app.readFlash(0, bootStart);
    const got = new Uint8Array(bootStart).fill(0xff);
    got.set(image.bytes);
    assert(sameBytes(got, flash) === null, `the downloaded .hex differs from the flash: ${sameBytes(got, flash)}`);
    assert(image.end === Math.ceil(9_001 / 128) * 128, `the .hex was not trimmed after the last used page (ends at ${image.end})`);
    const list = await accesses(app);
    const coverage = readCoverage(list.filter((a) => a.op === 'read'));
    assert(coverage.bytes === bootStart, `the read covered ${coverage.bytes} bytes, not the ${bootStart} of the application section`);
    assert(coverage.repeatedAt.every((a) => a === 0), `pages read twice (only page 0 may be, to learn the link): ${coverage.repeatedAt.join(', ')}`);
    assertBelow(list, bootStart, 'read from board');
  });
}
