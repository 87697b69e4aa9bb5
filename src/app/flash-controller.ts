// The page's flash job as a Lit ReactiveController: owns the flash view, the cancel handle and the
// run of the flash service, and tells its host what to log, announce and record. The page element
// only renders `view` and forwards the Flash and Cancel buttons.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { FlashError } from '../core/errors.js';
import type { FirmwareImage } from '../core/hex/image.js';
import type { FlashRequest } from '../core/session.js';
import { runFlash, type FlashDeps, type FlashOutcome, type FlashUpdate } from './flash-service.js';
import { IDLE_VIEW, phaseLabel, reduceFlashView, startView, type FlashView } from './flash-view.js';
import type { PortInfo } from './port-info.js';

export interface FlashJobInput {
  readonly image: FirmwareImage;
  readonly request: Omit<FlashRequest, 'image'>;
  readonly verbose: boolean;
  /** Throws (a FlashError or other) when the image cannot suit the choice; runs before any port is touched. */
  readonly precheck: () => void;
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

export class FlashController implements ReactiveController {
  view: FlashView = IDLE_VIEW;
  /** The last port used, for the bug report (the view resets when new firmware is loaded). */
  lastPort: PortInfo | null = null;
  private abort: AbortController | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly hooks: FlashHooks,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.cancel();
  }

  get running(): boolean {
    return this.view.running;
  }

  /** Back to idle unless a flash runs (new firmware was loaded). */
  clear(): void {
    if (!this.view.running) this.set(IDLE_VIEW);
  }

  cancel(): void {
    this.abort?.abort(new FlashError('aborted', 'Cancelled by the user.'));
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
        { image: job.image, request: job.request, verbose: job.verbose },
        this.hooks.deps(),
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

  private end(view: FlashView, record: boolean): void {
    this.set(view);
    this.lastPort = view.port ?? this.lastPort;
    this.hooks.finished(view, record);
  }

  private set(view: FlashView): void {
    this.view = view;
    this.host.requestUpdate();
  }
}

function preventUnload(e: BeforeUnloadEvent): void {
  e.preventDefault();
}
