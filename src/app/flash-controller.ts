// The page's flash job as a Lit ReactiveController: owns the flash view, the cancel handle, the run
// of the flash service and, after a 1200-baud touch, the "choose the bootloader's port" step (the
// chooser needs a fresh click, so the page shows a button until the bootloader's 8 s are over). It
// tells its host what to log, announce and record; the page element only renders.
import type { ReactiveControllerHost } from 'lit';
import { FlashError } from '../core/errors.js';
import type { FirmwareImage } from '../core/hex/image.js';
import type { FlashRequest } from '../core/session.js';
import { usbIdText, type UsbDevice } from '../core/usb-ids.js';
import type { AbortSignalLike } from '../core/link/clock.js';
import { runFlash, type FlashDeps, type FlashOutcome, type FlashUpdate, type KeepBackup } from './flash-service.js';
import { IDLE_VIEW, phaseLabel, reduceFlashView, startView, type FlashView } from './flash-view.js';
import { JobController } from './job-controller.js';
import type { PortInfo } from './port-info.js';

export interface FlashJobInput {
  readonly image: FirmwareImage;
  readonly request: Omit<FlashRequest, 'image'>;
  readonly verbose: boolean;
  /** Throws (a FlashError or other) when the image cannot suit the choice; runs before any port is touched. */
  readonly precheck: () => void;
  /** A granted port to flash on without the chooser. */
  readonly port?: SerialPort;
  /** Read and keep the firmware on the board first (BackupController.keepStep()). */
  readonly keep?: KeepBackup | undefined;
}

export interface FlashHooks {
  note(level: 'info' | 'debug' | 'error', text: string): void;
  announce(text: string): void;
  deps(): FlashDeps;
  /** The job ended with a result or a problem (`record`: a port was involved, so it counts as a flash). */
  finished(view: FlashView, record: boolean): void;
  /** The chooser was dismissed: nothing happened. */
  noPort(): void;
}

export interface BootloaderPromptState {
  readonly label: string;
  /** Wall-clock time (Date.now()) at which the bootloader's window closes. */
  readonly endsAt: number;
}

export class FlashController extends JobController {
  /** Set while the user is asked to choose the bootloader's port. */
  prompt: BootloaderPromptState | null = null;
  private answer: { readonly deps: FlashDeps; readonly filters: SerialPortFilter[]; readonly done: (p: SerialPort | null) => void } | null = null;
  /** The last port used, for the bug report (the view resets when new firmware is loaded). */
  lastPort: PortInfo | null = null;
  /** The port of the last successful flash, for "Open console" (the job's or the chooser's; null until then). */
  lastSerialPort: SerialPort | null = null;
  private chosen: SerialPort | null = null;

  constructor(
    host: ReactiveControllerHost,
    private readonly hooks: FlashHooks,
  ) {
    super(host);
  }


  /** Back to idle unless a flash runs (new firmware was loaded). */
  clear(): void {
    if (!this.view.running) this.set(IDLE_VIEW);
  }


  async flash(job: FlashJobInput): Promise<void> {
    if (this.view.running) return;
    try {
      job.precheck();
    } catch (e) {
      // Refused before any port was touched: shown, but not recorded as a flash of this image.
      const error = e instanceof FlashError ? e : new FlashError('bad-argument', e instanceof Error ? e.message : String(e));
      this.end(reduceFlashView(startView(true), { state: 'error', error, port: null }), false);
      return;
    }
    this.abort = new AbortController();
    this.set(startView(true));
    window.addEventListener('beforeunload', preventUnload);
    let lastPhase = '';
    let outcome: FlashOutcome;
    try {
      outcome = await runFlash(
        { image: job.image, request: job.request, verbose: job.verbose, ...(job.port ? { port: job.port } : {}), ...(job.keep ? { keep: job.keep } : {}) },
        this.withAsk(this.hooks.deps(), job.port),
        (u: FlashUpdate) => {
          if (u.state === 'log') {
            this.hooks.note(u.level, u.text);
            return;
          }
          this.set(reduceFlashView(this.view, u));
          if (this.view.phase !== lastPhase && this.view.running) {
            lastPhase = this.view.phase;
            this.hooks.announce(phaseLabel(this.view));
          }
        },
        this.abort.signal,
      );
    } finally {
      window.removeEventListener('beforeunload', preventUnload);
      this.abort = null;
    }
    if (outcome.state === 'no-port') {
      this.hooks.noPort();
      return;
    }
    this.end(this.view, true);
  }

  /** The user pressed "Choose the bootloader port": the chooser, limited to the bootloader's USB IDs. */
  async chooseBootloader(): Promise<void> {
    const a = this.answer;
    if (!a) return;
    try {
      a.done(await a.deps.requestPort(a.filters));
    } catch (e) {
      // Dismissed: the button stays until the window closes, so the user may try again.
      this.hooks.note('info', `The chooser closed without a port (${e instanceof Error ? e.name : String(e)}).`);
    }
  }

  private withAsk(deps: FlashDeps, given?: SerialPort): FlashDeps {
    this.chosen = given ?? null;
    const requestPort = async (filters?: readonly SerialPortFilter[]): Promise<SerialPort> => (this.chosen = await deps.requestPort(filters));
    const ports = deps.ports;
    if (!ports) return { ...deps, requestPort };
    return { ...deps, requestPort, ports: { ...ports, ask: (expected, deadline, signal) => this.ask(deps, expected, deadline, signal) } };
  }

  private ask(deps: FlashDeps, expected: readonly UsbDevice[], deadline: number, signal?: AbortSignalLike): Promise<SerialPort | null> {
    return new Promise((resolve) => {
      const done = (p: SerialPort | null): void => {
        cancel();
        signal?.removeEventListener('abort', onAbort);
        this.answer = null;
        this.prompt = null;
        this.host.requestUpdate();
        resolve(p);
      };
      const onAbort = (): void => done(null);
      const cancel = deps.clock.setTimer(Math.max(0, deadline - deps.clock.now()), () => done(null));
      signal?.addEventListener('abort', onAbort, { once: true });
      const filters = expected.map((d) => ({ usbVendorId: d.vid, ...(d.pid !== undefined ? { usbProductId: d.pid } : {}) }));
      this.answer = { deps, filters, done };
      const label = expected.map((d) => `${d.name} (USB ${usbIdText(d.vid, d.pid)})`).join(' or ') || 'the port of the bootloader';
      this.prompt = { label, endsAt: Date.now() + (deadline - deps.clock.now()) };
      this.hooks.announce(`Choose the bootloader's port now: ${label}.`);
      this.host.requestUpdate();
    });
  }

  private end(view: FlashView, record: boolean): void {
    this.set(view);
    this.lastPort = view.port ?? this.lastPort;
    if (view.result) this.lastSerialPort = this.chosen;
    this.hooks.finished(view, record);
  }

  private set(view: FlashView): void {
    this.view = view;
    this.host.requestUpdate();
  }
}

export function preventUnload(e: BeforeUnloadEvent): void {
  e.preventDefault();
}
