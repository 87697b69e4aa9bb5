// Launches Debian's Chromium through playwright-core (Playwright's own browser download is not
// used): headless, a persistent profile so storage survives a browser restart, no background
// network of its own.
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchOptions {
  readonly colorScheme?: 'light' | 'dark';
}

/** Opens `userDataDir` (a fresh temp dir the first time, the same dir for a "browser restart"). */
export async function launchChromium(userDataDir: string, opts: LaunchOptions = {}): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}. Install Debian's: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  }
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport: { width: 1200, height: 900 },
    colorScheme: opts.colorScheme ?? 'light',
    serviceWorkers: 'allow',
  });
}
