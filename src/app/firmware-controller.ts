// The page's firmware job as a Lit ReactiveController: the firmware in hand (loaded from a file, a
// URL or Recent), the load problem, and the Recent list in the firmware library with its notices.
// A storage failure is shown and never takes the firmware in hand away.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { FirmwareLibrary, FirmwareMeta } from '../store/firmware-library.js';
import { firmwareFromBytes, type LoadedFirmware } from './firmware-source.js';
import { problemFromError, type Problem } from './problem.js';

export type RecentAction =
  | { readonly action: 'flash' | 'restore' | 'load' | 'delete'; readonly sha256: string }
  | { readonly action: 'rename'; readonly sha256: string; readonly name: string };

export interface FirmwareHooks {
  library(): FirmwareLibrary;
  note(level: 'info' | 'error', text: string): void;
  announce(text: string): void;
  /** New firmware is in hand. */
  used(fw: LoadedFirmware): void;
  /** Recent's "Flash" was pressed (the firmware is in hand already). */
  flash(): Promise<void>;
  /** A backup's "Restore" was pressed (the backup is in hand already). */
  restore(meta: FirmwareMeta): Promise<void>;
}

export class FirmwareController implements ReactiveController {
  firmware: LoadedFirmware | null = null;
  loadProblem: Problem | null = null;
  recent: readonly FirmwareMeta[] = [];
  storeNotice: string | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly hooks: FirmwareHooks,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    void this.refreshRecent();
  }

  async load(get: () => Promise<LoadedFirmware>): Promise<void> {
    let fw: LoadedFirmware;
    try {
      fw = await get();
    } catch (e) {
      this.loadProblem = problemFromError(e);
      this.hooks.note('error', `Loading firmware failed: ${this.loadProblem.message}`);
      this.hooks.announce(`Firmware not loaded: ${this.loadProblem.title}`);
      this.host.requestUpdate();
      return;
    }
    this.use(fw);
    await this.store(fw);
  }

  async refreshRecent(): Promise<void> {
    try {
      this.recent = await this.hooks.library().list();
    } catch (e) {
      this.storeNotice = `Recent firmware is unavailable: ${errorText(e)}`;
    }
    this.host.requestUpdate();
  }

  async onRecent(a: RecentAction): Promise<void> {
    const library = this.hooks.library();
    try {
      if (a.action === 'rename') {
        await library.rename(a.sha256, a.name);
        if (this.firmware?.sha256 === a.sha256) this.firmware = { ...this.firmware, name: a.name.trim() };
      } else if (a.action === 'delete') {
        await library.remove(a.sha256);
        this.hooks.announce('Removed from Recent.');
      } else {
        const stored = await library.get(a.sha256);
        if (!stored) throw new Error('That firmware is no longer stored.');
        this.use(await firmwareFromBytes(stored.meta.name, stored.data));
        if (a.action === 'flash') await this.hooks.flash();
        if (a.action === 'restore') await this.hooks.restore(stored.meta);
      }
      this.storeNotice = null;
    } catch (e) {
      if (e instanceof Error && e.name === 'Problem') this.loadProblem = problemFromError(e);
      else this.storeNotice = `Recent: ${errorText(e)}`;
    }
    await this.refreshRecent();
  }

  private use(fw: LoadedFirmware): void {
    this.firmware = fw;
    this.loadProblem = null;
    this.hooks.used(fw);
    this.hooks.note('info', `Firmware: ${fw.name}, ${fw.data.length} bytes, ${fw.image.dataBytes} bytes of data up to 0x${fw.image.end.toString(16)}, SHA-256 ${fw.sha256}`);
    for (const w of fw.image.warnings) this.hooks.note('info', `Firmware file: ${w}`);
    this.hooks.announce(`Firmware loaded: ${fw.name}`);
    this.host.requestUpdate();
  }

  /** Keeps the firmware in Recent; a storage failure is shown, the firmware in hand stays. */
  private async store(fw: LoadedFirmware): Promise<void> {
    try {
      await this.hooks.library().add(fw.name, fw.data, fw.sha256);
      this.storeNotice = null;
    } catch (e) {
      this.storeNotice = `Not saved to Recent: ${errorText(e)} The firmware is still loaded and can be flashed.`;
    }
    await this.refreshRecent();
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
