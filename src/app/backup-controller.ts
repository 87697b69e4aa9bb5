// The page's backup job as a Lit ReactiveController: the "Keep the firmware that is on the board now"
// option (remembered), the step that stores the backup a flash reads first, and "Read firmware from
// board" as a job of its own: its progress view, the backup it kept, and the .hex for download.
import type { ReactiveControllerHost } from 'lit';
import { FlashError } from '../core/errors.js';
import { readFirmware, type ReadResult } from '../core/read-session.js';
import type { TargetRequest } from '../core/target.js';
import type { FirmwareLibrary, FirmwareMeta } from '../store/firmware-library.js';
import type { Settings } from '../store/settings.js';
import { sha256Hex } from '../store/sha256.js';
import { backupEntry, type BackupEntry } from './backup-entry.js';
import { errorText } from './firmware-controller.js';
import { preventUnload } from './flash-controller.js';
import { onBoardPort, type FlashDeps, type FlashUpdate, type KeepBackup } from './flash-service.js';
import { IDLE_VIEW, phaseLabel, reduceFlashView, startView, type FlashView } from './flash-view.js';
import { JobController } from './job-controller.js';

export interface BackupHooks {
  library(): FirmwareLibrary;
  settings(): Settings;
  deps(): FlashDeps;
  note(level: 'info' | 'debug' | 'error', text: string): void;
  announce(text: string): void;
  /** A backup was stored: Recent changed. */
  stored(): Promise<void>;
  /** A read job ended (a held reload for a new version may go ahead). */
  idle(): void;
}

/** How the last "Read firmware from board" ended. */
export interface ReadDone {
  readonly read: ReadResult;
  /** Null when the application section was erased (nothing to keep). */
  readonly entry: BackupEntry | null;
  /** The Recent entry that holds it (an earlier backup of the same bytes keeps its name). */
  readonly keptAs: string | null;
  /** Recent held the same bytes already (told by when that entry was first stored, not by its name: one made the same minute has it too). */
  readonly earlier: boolean;
  /** Why the backup is not in Recent although it was read (the download still works). */
  readonly storeProblem: string | null;
}

const KEEP_KEY = 'keep-backup';

export class BackupController extends JobController {
  keep = false;
  done: ReadDone | null = null;

  constructor(
    host: ReactiveControllerHost,
    private readonly hooks: BackupHooks,
  ) {
    super(host);
  }

  override hostConnected(): void {
    this.keep = this.hooks.settings().read(KEEP_KEY) === '1';
  }


  setKeep(on: boolean): void {
    this.keep = on;
    this.hooks.settings().write(KEEP_KEY, on ? '1' : '0');
    this.host.requestUpdate();
  }


  /** The backup step of a flash, when "Keep the firmware" is ticked: a backup that cannot be stored stops the flash. */
  keepStep(): KeepBackup | undefined {
    if (!this.keep) return undefined;
    return {
      store: async (read, port) => {
        const { problem } = await this.store(read, port.label);
        if (problem) throw new FlashError('backup-not-kept', `It was read, but the browser did not store it: ${problem}`);
      },
    };
  }

  /** "Read firmware from board": the application section to Recent and to a .hex for download. */
  async read(request: TargetRequest, verbose: boolean): Promise<void> {
    if (this.running) return;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.done = null;
    this.set(startView(false));
    window.addEventListener('beforeunload', preventUnload);
    let lastPhase = '';
    const report = (u: FlashUpdate): void => {
      if (u.state === 'log') return this.hooks.note(u.level, u.text);
      this.set(reduceFlashView(this.view, u));
      if (this.view.phase !== lastPhase) {
        lastPhase = this.view.phase;
        this.hooks.announce(phaseLabel(this.view));
      }
    };
    try {
      this.hooks.note('info', 'Read the firmware from the board (the bootloader is left out)');
      const deps = this.hooks.deps();
      const out = await onBoardPort(request, deps, report, signal, undefined, (link) =>
        readFirmware(request, { link, clock: deps.clock, verbose, signal, onEvent: report }),
      );
      if (out.state === 'no-port') {
        this.set({ ...IDLE_VIEW, noPort: true });
        this.hooks.note('info', 'No port was chosen.');
        return;
      }
      if (out.state === 'error') {
        report(out);
        this.hooks.note('error', `Reading failed: ${out.error.message}`);
        this.hooks.announce(`Reading failed. ${out.error.title} ${out.error.hint}`);
        return;
      }
      const { entry, keptAs, earlier, problem } = await this.store(out.value, out.port.label);
      this.done = { read: out.value, entry, keptAs, earlier, storeProblem: problem };
      this.set({ ...this.view, phase: 'done', running: false, percent: 100, secondsLeft: 0, port: out.port });
      this.hooks.announce(entry ? `Firmware read: ${entry.name}.` : 'The board holds no firmware: its application section is erased.');
    } finally {
      window.removeEventListener('beforeunload', preventUnload);
      this.abort = null;
      this.hooks.idle();
    }
  }

  /** Keeps a read in the library; an erased application section is nothing to keep. */
  private async store(read: ReadResult, portLabel: string): Promise<{ entry: BackupEntry | null; keptAs: string | null; earlier: boolean; problem: string | null }> {
    const what = `${read.bytesRead} bytes of ${read.mcu} flash read (the bootloader at 0x${read.appBytes.toString(16)} left out)`;
    if (read.bytes.length === 0) {
      this.hooks.note('info', `${what}: all erased, the board holds no firmware to keep.`);
      return { entry: null, keptAs: null, earlier: false, problem: null };
    }
    const entry = backupEntry(read, portLabel, Date.now());
    let kept: FirmwareMeta;
    try {
      kept = await this.hooks.library().add(entry.name, entry.data, await sha256Hex(entry.data), entry.info);
    } catch (e) {
      this.hooks.note('error', `${what}, but not stored: ${errorText(e)}`);
      return { entry, keptAs: null, earlier: false, problem: errorText(e) };
    }
    const keptAs = kept.name;
    this.hooks.note('info', `${what}; ${read.bytes.length} bytes up to the last used page kept in Recent as "${keptAs}".`);
    await this.hooks.stored();
    return { entry, keptAs, earlier: kept.addedAt < kept.usedAt, problem: null };
  }

  private set(view: FlashView): void {
    this.view = view;
    this.host.requestUpdate();
  }
}
