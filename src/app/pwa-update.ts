// Service worker registration through workbox-window and the "new version ready" flow. The new
// worker waits until the user asks for it, and the page never reloads while a flash is running:
// a request made during a flash is held until the flash ends.
import { Workbox } from 'workbox-window';

export interface UpdaterOptions {
  /** True while a flash runs; an update is then held back. */
  readonly isBusy: () => boolean;
  /** A new version is installed and waiting. */
  readonly onReady: () => void;
  readonly reload?: () => void;
}

export interface Updater {
  /** Activates the waiting version and reloads, now or as soon as the flash ends. */
  apply(): void;
  /** Call when a flash ends, so a held update can proceed. */
  idle(): void;
}

export function registerServiceWorker(url: string, opts: UpdaterOptions): Updater | null {
  if (!('serviceWorker' in navigator)) return null;
  const wb = new Workbox(url, { type: 'classic' });
  const reload = opts.reload ?? (() => location.reload());
  let wanted = false;
  let controlling = false;

  const proceed = (): void => {
    if (!wanted || opts.isBusy()) return;
    if (controlling) reload();
    else wb.messageSkipWaiting();
  };

  wb.addEventListener('waiting', () => opts.onReady());
  // Reload only after the new worker took control, and only for the update the user asked for.
  wb.addEventListener('controlling', (e) => {
    if (!e.isUpdate && !wanted) return;
    controlling = true;
    proceed();
  });
  void wb.register().catch(() => undefined);

  return {
    apply() {
      wanted = true;
      proceed();
    },
    idle() {
      proceed();
    },
  };
}
