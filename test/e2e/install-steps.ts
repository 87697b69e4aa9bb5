// Browser steps for issue 11 part A: the example publisher page (examples/publisher/) served from a
// second origin embeds <hexflash-install> with a manifest holding an Uno and a Mega build; the
// emulated 2560 gets the Mega build and the 328P the Uno build, flashed and verified; a wrong
// SHA-256 and a board no build fits are refused with nothing written; a manifest with a schema error
// names the field; the dialog stays open on Escape while flashing; every request the page makes is
// its own origin's page and script, the manifest or the firmware. Then the app opened with
// ?firmware=...&board=... and ?manifest=...&board=... has that firmware in hand and the board chosen.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { sha256Hex } from '../../src/store/sha256.js';
import { loadBootloader } from '../emulator/bootloaders.js';
import { AppPage } from './app-page.js';
import type { PlugSpec } from './fake-serial-entry.js';
import { assert } from './harness.js';
import { makeHexFixture, sameBytes, type HexFixture } from './hex-file.js';
import type { MoreBoardsContext } from './more-boards.js';
import { startStaticServer } from './server.js';

export interface InstallStepsContext extends MoreBoardsContext {
  readonly context: () => BrowserContext;
  /** The built app (dist/), holding install-button.js. */
  readonly dist: string;
  readonly appUrl: () => string;
  /** Where screenshots go (the publisher page's too). */
  readonly shotsDir: string;
}

const EXAMPLE = fileURLToPath(new URL('../../examples/publisher/', import.meta.url));
const DIALOG = 'hexflash-install dialog';

async function outcome(page: Page): Promise<{ ok: boolean; code: string | null; text: string }> {
  const card = page.locator(`${DIALOG} #result [data-testid="result-ok"], ${DIALOG} #result [data-testid="result-error"]`).first();
  await card.waitFor({ timeout: 120_000 });
  const code = await card.getAttribute('data-code');
  return { ok: code === null, code, text: (await card.innerText()).replace(/\s+/g, ' ') };
}

export async function installSteps(c: InstallStepsContext): Promise<void> {
  const [bl2560, bl328] = await Promise.all([loadBootloader('stk500v2-atmega2560'), loadBootloader('optiboot-atmega328p')]);
  const M2560: PlugSpec = { mcu: 'atmega2560', bootloaderHex: bl2560.hexText, bootloaderStart: bl2560.start };
  const M328: PlugSpec = { mcu: 'atmega328p', bootloaderHex: bl328.hexText, bootloaderStart: bl328.start };
  const site = join(c.work, 'publisher');
  mkdirSync(site, { recursive: true });
  for (const f of ['index.html', 'page.css']) copyFileSync(join(EXAMPLE, f), join(site, f));
  copyFileSync(join(c.dist, 'install-button.js'), join(site, 'install-button.js'));
  const mega = makeHexFixture(site, 'blink-mega.hex', 30_000, 41);
  const uno = makeHexFixture(site, 'blink-uno.hex', 9_000, 42);
  const sha = async (fx: HexFixture): Promise<string> => sha256Hex(new Uint8Array(readFileSync(fx.path)));
  const unoBuild = { board: 'arduino-uno', url: uno.name, sha256: await sha(uno) };
  const megaBuild = { board: 'arduino-mega2560', url: mega.name, sha256: await sha(mega) };
  const manifest = (file: string, builds: unknown[]): void => writeFileSync(join(site, file), JSON.stringify({ name: 'Blink', version: '1.0.0', builds }, null, 2));
  manifest('firmware.json', [unoBuild, megaBuild]);
  manifest('bad-sha.json', [unoBuild, { ...megaBuild, sha256: 'f'.repeat(64) }]);
  manifest('uno-only.json', [unoBuild]);
  manifest('invalid.json', [unoBuild, { ...megaBuild, sha256: 'abc' }]);
  const server = await startStaticServer(site);
  const origin = server.url;
  let page = null as unknown as Page;
  let board = null as unknown as AppPage;
  const requests: string[] = [];

  const open = async (file: string): Promise<void> => {
    await page.locator('hexflash-install').evaluate((el, f) => el.setAttribute('manifest', f), file);
    await page.locator('hexflash-install button[part="button"]').click();
  };
  const close = async (): Promise<void> => {
    await page.locator(`${DIALOG} [data-testid="close"]`).click();
  };
  const written = async (): Promise<number> => (await page.evaluate(() => window.__hexflashTest.flashAccesses())).filter((a) => a.op === 'write').length;
  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: join(c.shotsDir, `${name}.png`) });
  };
  const flashes = async (spec: PlugSpec, fx: HexFixture, what: string, label: RegExp): Promise<void> => {
    await board.plug(spec);
    await page.locator(`${DIALOG} [data-testid="connect"]`).click();
    await page.locator(`${DIALOG} [data-testid="picked"]`).waitFor({ timeout: 30_000 });
    const picked = (await page.locator(`${DIALOG} [data-testid="picked"]`).innerText()).replace(/\s+/g, ' ');
    assert(label.test(picked), `${what}: the picked build is not ${label}: ${picked}`);
    const o = await outcome(page);
    assert(o.ok, `${what}: expected success, got ${o.code}: ${o.text}`);
    assert(/Flashed and verified/.test(o.text), `${what}: the result does not say verified: ${o.text}`);
    const diff = sameBytes(await board.readFlash(0, fx.bytes.length), fx.bytes);
    assert(diff === null, `${what}: emulated flash differs from the build: ${diff}`);
  };

  try {
    await c.steps.run('publisher page on a second origin: the install dialog reads the manifest and lists its builds', async () => {
      page = await c.context().newPage();
      page.on('request', (r) => requests.push(r.url()));
      board = new AppPage(page);
      await page.goto(`${origin}/index.html`);
      await page.locator('hexflash-install button[part="button"]').waitFor({ timeout: 10_000 });
      assert((await page.locator('hexflash-install').innerText()).includes('Install Blink'), "the publisher's button text is not shown");
      await page.locator('hexflash-install button[part="button"]').click();
      const builds = page.locator(`${DIALOG} [data-testid="builds"]`);
      await builds.waitFor({ timeout: 10_000 });
      const text = (await builds.innerText()).replace(/\s+/g, ' ');
      assert(/Arduino Uno/.test(text) && /Arduino Mega 2560/.test(text), `the builds offered are not listed: ${text}`);
      assert((await page.locator(`${DIALOG} h2`).innerText()) === 'Install Blink 1.0.0', 'the dialog does not name the firmware and version');
      await shot('install-idle');
    });

    await c.steps.run('install on the emulated ATmega2560: the Mega build is picked, flashed and verified; Escape cannot close the dialog meanwhile', async () => {
      await board.plug(M2560);
      await page.locator(`${DIALOG} [data-testid="connect"]`).click();
      await page.locator(`${DIALOG} [data-testid="picked"]`).waitFor({ timeout: 30_000 });
      await shot('install-picked');
      await page.locator(`${DIALOG} hexflash-flash-progress[phase="writing"]`).waitFor({ timeout: 60_000 });
      await page.keyboard.press('Escape');
      await page.keyboard.press('Escape');
      assert(await page.locator(DIALOG).evaluate((d) => (d as HTMLDialogElement).open), 'Escape closed the dialog while flashing');
      assert(await page.locator(`${DIALOG} [data-testid="close"]`).isDisabled(), 'Close is enabled while flashing');
      await shot('install-flashing');
      const o = await outcome(page);
      assert(o.ok, `Mega: expected success, got ${o.code}: ${o.text}`);
      assert((await page.locator(`${DIALOG} [data-testid="result-signature"]`).innerText()).trim() === '1e 98 01', 'the 2560 signature is not shown');
      const picked = await page.locator(`${DIALOG} [data-testid="picked"]`).innerText();
      assert(/Arduino Mega 2560/.test(picked) && picked.includes(megaBuild.sha256), `the picked build is not the Mega's: ${picked}`);
      const diff = sameBytes(await board.readFlash(0, mega.bytes.length), mega.bytes);
      assert(diff === null, `emulated flash differs from the Mega build: ${diff}`);
      await shot('install-done');
    });

    await c.steps.run('install on the emulated ATmega328P: the Uno build is picked, flashed and verified', async () => {
      await flashes(M328, uno, 'Uno', /ATmega328P.*Arduino Uno/);
      await close();
    });

    await c.steps.run('a wrong SHA-256 is refused before anything is written', async () => {
      await board.plug(M2560);
      await open('bad-sha.json');
      await page.locator(`${DIALOG} [data-testid="connect"]`).click();
      const o = await outcome(page);
      assert(o.code === 'firmware-mismatch', `expected firmware-mismatch, got ${o.code}: ${o.text}`);
      assert(/Nothing was written/.test(o.text) && o.text.includes('f'.repeat(64)), `the refusal does not say what differs: ${o.text}`);
      assert((await written()) === 0, 'a program command reached the bootloader');
      assert((await board.readFlash(0, 4096)).every((b) => b === 0xff), 'the emulated flash changed');
      await shot('install-mismatch');
      await close();
    });

    await c.steps.run('a board no build fits: the builds offered and the board are named, nothing written', async () => {
      await board.plug(M2560);
      await open('uno-only.json');
      await page.locator(`${DIALOG} [data-testid="connect"]`).click();
      const o = await outcome(page);
      assert(o.code === 'no-build-fits', `expected no-build-fits, got ${o.code}: ${o.text}`);
      assert(/builds for Arduino Uno/.test(o.text) && /The board is ATmega2560 \(signature 1e 98 01\) with an STK500V2 bootloader/.test(o.text), `the message does not name offers and board: ${o.text}`);
      assert((await written()) === 0, 'a program command reached the bootloader');
      await shot('install-no-fit');
      await close();
    });

    await c.steps.run('a manifest with a schema error names the field, and offers no install', async () => {
      await open('invalid.json');
      const p = page.locator(`${DIALOG} [data-testid="manifest-problem"] [data-testid="result-error"]`);
      await p.waitFor({ timeout: 10_000 });
      const text = (await p.innerText()).replace(/\s+/g, ' ');
      assert((await p.getAttribute('data-code')) === 'manifest-invalid', `expected manifest-invalid: ${text}`);
      assert(text.includes('builds[1].sha256: must be 64 hex digits'), `the field is not named: ${text}`);
      assert((await page.locator(`${DIALOG} [data-testid="connect"]`).count()) === 0, 'an invalid manifest can still be installed');
      await shot('install-invalid');
      await close();
    });

    await c.steps.run('the publisher page made no request beyond its own page and script, the manifests and the firmware', async () => {
      const allowed = new Set(['/index.html', '/page.css', '/install-button.js', '/favicon.ico', '/firmware.json', '/bad-sha.json', '/uno-only.json', '/invalid.json', `/${mega.name}`, `/${uno.name}`]);
      const stray = requests.filter((u) => new URL(u).origin !== origin || !allowed.has(new URL(u).pathname));
      assert(stray.length === 0, `unexpected requests: ${stray.join(', ')}`);
      assert(requests.some((u) => u.endsWith(`/${mega.name}`)) && requests.some((u) => u.endsWith('/firmware.json')), `the manifest and firmware requests were not seen: ${requests.join(', ')}`);
      process.stdout.write(`    publisher page requests: ${requests.map((u) => new URL(u).pathname).join(' ')}\n`);
      await page.close();
    });

    await c.steps.run('without Web Serial the publisher\'s "unsupported" slot shows instead of the button', async () => {
      const p = await c.context().newPage();
      await p.addInitScript({ content: 'delete Navigator.prototype.serial;' });
      await p.goto(`${origin}/index.html`);
      await p.locator('hexflash-install [slot="unsupported"]').waitFor({ timeout: 10_000 });
      assert(await p.locator('hexflash-install [slot="unsupported"]').isVisible(), 'the unsupported slot is hidden');
      assert((await p.locator('hexflash-install button[part="button"]').count()) === 0, 'the install button shows without Web Serial');
      await p.close();
    });
  } finally {
    await page?.close().catch(() => undefined);
    await server.stop();
  }
  await appLinkSteps(c, M2560, mega, uno);
}

async function appLinkSteps(c: InstallStepsContext, M2560: PlugSpec, mega: HexFixture, uno: HexFixture): Promise<void> {
  const dir = join(c.dist, 'e2e-link');
  mkdirSync(dir, { recursive: true });
  copyFileSync(mega.path, join(dir, mega.name));
  copyFileSync(uno.path, join(dir, uno.name));
  writeFileSync(join(dir, 'firmware.json'), JSON.stringify({ name: 'Blink', version: '1.0.0', builds: [{ board: 'arduino-uno', url: uno.name }, { board: 'arduino-mega2560', url: mega.name }] }));
  const base = c.appUrl();

  await c.steps.run('app opened with ?firmware=...&board=...: that firmware in hand, the board chosen, in Recent; Flash still pressed by the user', async () => {
    const app = c.app();
    await app.page.goto(`${base}/?firmware=${encodeURIComponent(`${base}/e2e-link/${mega.name}`)}&board=arduino-mega2560`);
    await app.ready();
    await app.page.locator('[data-testid="current-firmware"]', { hasText: mega.name }).waitFor({ timeout: 10_000 });
    const chosen = await app.page.locator('hexflash-board-picker select#board').inputValue();
    assert(chosen === 'arduino-mega2560', `the board chosen is ${chosen}`);
    await app.waitRecent(mega.name);
    // The navigation brought a fresh fake Web Serial: it counts the choosers of this page alone.
    assert((await app.portRequests()) === 0, 'a port was asked for before Flash was pressed');
    await c.shot('app-link-firmware');
    await app.plug(M2560);
    await app.flashButton().click();
    await app.expectOk('flash from a link');
    const diff = sameBytes(await app.readFlash(0, mega.bytes.length), mega.bytes);
    assert(diff === null, `emulated flash differs from the linked firmware: ${diff}`);
  });

  await c.steps.run('app opened with ?manifest=...&board=arduino-uno: the Uno build in hand and the Uno chosen', async () => {
    const app = c.app();
    await app.page.goto(`${base}/?manifest=${encodeURIComponent('/e2e-link/firmware.json')}&board=arduino-uno`);
    await app.ready();
    await app.page.locator('[data-testid="current-firmware"]', { hasText: uno.name }).waitFor({ timeout: 10_000 });
    const chosen = await app.page.locator('hexflash-board-picker select#board').inputValue();
    assert(chosen === 'arduino-uno', `the board chosen is ${chosen}`);
    await app.waitRecent(uno.name);
  });
  // Back to a plain visit, so later steps do not load the link's firmware again.
  await c.app().page.goto(base);
  await c.app().ready();
  rmSync(dir, { recursive: true, force: true });
}
