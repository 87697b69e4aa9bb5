// Drives the built app the way a user does (pick a file, choose a board, press Flash, use Recent)
// and reads back what it shows. Playwright's CSS locators pierce the components' shadow roots.
import type { Page } from 'playwright-core';
import type { HexflashTestApi, PlugSpec } from './fake-serial-entry.js';
import { assert } from './harness.js';

export interface Outcome {
  readonly ok: boolean;
  /** The error code on failure (data-code of the error card). */
  readonly code: string | null;
  readonly text: string;
}

declare global {
  interface Window {
    __hexflashTest: HexflashTestApi;
    __hexflashProgress?: number[];
  }
}

export class AppPage {
  constructor(readonly page: Page) {}

  async ready(): Promise<void> {
    await this.page.locator('hexflash-app h1').waitFor({ timeout: 30_000 });
  }

  async plug(spec: PlugSpec): Promise<void> {
    await this.page.evaluate((s) => window.__hexflashTest.plug(s), spec);
  }

  async readFlash(start: number, length: number): Promise<Uint8Array> {
    const hex = await this.page.evaluate(([s, n]) => window.__hexflashTest.readFlash(s, n), [start, length] as const);
    return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
  }

  async portOpen(): Promise<boolean> {
    return this.page.evaluate(() => window.__hexflashTest.portOpen());
  }

  async portRequests(): Promise<number> {
    return this.page.evaluate(() => window.__hexflashTest.requests());
  }

  async loadFile(path: string, name: string): Promise<void> {
    await this.page.locator('hexflash-firmware-picker input#file').setInputFiles(path);
    await this.page.locator('[data-testid="current-firmware"]', { hasText: name }).waitFor({ timeout: 10_000 });
  }

  async chooseBoard(value: string): Promise<void> {
    await this.page.locator('hexflash-board-picker select#board').selectOption(value);
  }

  flashButton() {
    return this.page.locator('hexflash-app button#flash');
  }

  /** Starts polling the progress bar, so a test can tell what percentages were shown. */
  async watchProgress(): Promise<void> {
    // A string, not a function: tsx would wrap a named inner function in a helper the page lacks.
    await this.page.evaluate(`(() => {
      window.__hexflashProgress = [];
      const id = setInterval(() => {
        const app = document.querySelector('hexflash-app');
        const bar = app?.shadowRoot?.querySelector('hexflash-flash-progress')?.shadowRoot?.querySelector('progress');
        if (bar) window.__hexflashProgress.push(bar.value);
      }, 50);
      setTimeout(() => clearInterval(id), 300000);
    })()`);
  }

  async progressSeen(): Promise<number[]> {
    return this.page.evaluate(() => window.__hexflashProgress ?? []);
  }

  async barValue(): Promise<number> {
    return this.page.locator('hexflash-flash-progress progress').evaluate((p) => (p as HTMLProgressElement).value);
  }

  async phase(timeoutMs = 30_000): Promise<string> {
    return (await this.page.locator('hexflash-flash-progress').getAttribute('phase', { timeout: timeoutMs })) ?? '';
  }

  async waitPhase(phase: string, timeoutMs = 60_000): Promise<void> {
    await this.page.locator(`hexflash-flash-progress[phase="${phase}"]`).waitFor({ timeout: timeoutMs });
  }

  /** Waits for the flash to end and reads the result card. */
  async outcome(timeoutMs = 180_000): Promise<Outcome> {
    const card = this.page.locator('#result [data-testid="result-ok"], #result [data-testid="result-error"]');
    await card.first().waitFor({ timeout: timeoutMs });
    const ok = (await this.page.locator('#result [data-testid="result-ok"]').count()) > 0;
    const code = ok ? null : await this.page.locator('#result [data-testid="result-error"]').getAttribute('data-code');
    return { ok, code, text: (await card.first().innerText()).replace(/\s+/g, ' ') };
  }

  async signatureShown(): Promise<string> {
    return (await this.page.locator('[data-testid="result-signature"]').innerText()).trim();
  }

  async recentNames(): Promise<string[]> {
    const list = this.page.locator('hexflash-recent-item [data-testid="recent-name"]');
    return list.allInnerTexts();
  }

  async waitRecent(name: string, present = true): Promise<void> {
    const item = this.page.locator('hexflash-recent-item [data-testid="recent-name"]', { hasText: name });
    await item.first().waitFor({ state: present ? 'visible' : 'detached', timeout: 10_000 });
  }

  async recentButton(action: 'Flash' | 'Restore' | 'Use' | 'Rename' | 'Delete', name: string): Promise<void> {
    await this.page.getByRole('button', { name: `${action} ${name}`, exact: true }).click();
  }

  async expectOk(what: string): Promise<Outcome> {
    const o = await this.outcome();
    assert(o.ok, `${what}: expected success, got ${o.code}: ${o.text}`);
    return o;
  }

  async expectError(code: string, what: string): Promise<Outcome> {
    const o = await this.outcome();
    assert(!o.ok, `${what}: expected error ${code}, but the flash succeeded`);
    assert(o.code === code, `${what}: expected error ${code}, got ${o.code}: ${o.text}`);
    return o;
  }
}
