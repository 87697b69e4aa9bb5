// The serial console's state as a Lit ReactiveController: which port and rate, the open session
// (console-service.ts), line ending, time stamps, pause and autoscroll, the history of sent lines,
// and the words the view shows. Choices are remembered in settings. Redraws at most once a frame,
// however fast bytes arrive. The console element (src/ui/serial-console.ts) only renders this.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { CONSOLE_RATES, isLineEnding, type LineEnding } from '../core/console/baud.js';
import type { ConsoleLine } from '../core/console/line-decoder.js';
import { LineRing } from '../core/console/line-ring.js';
import type { Settings } from '../store/settings.js';
import { ConsoleSession, type ConsoleDeps } from './console-service.js';
import { portInfo } from './port-info.js';
import { problemFromError, type Problem } from './problem.js';

export type BaudChoice = number | 'auto';
export type ConsoleStatus = 'closed' | 'opening' | 'open' | 'auto';

const HISTORY_MAX = 50;

export interface ConsoleOptions {
  deps(): ConsoleDeps;
  settings: Settings;
  announce(text: string): void;
}

export class ConsoleController implements ReactiveController {
  readonly ring = new LineRing();
  status: ConsoleStatus = 'closed';
  baudChoice: BaudChoice;
  ending: LineEnding;
  timestamps: boolean;
  autoscroll = true;
  /** While paused the view shows these lines; the ring goes on filling behind. */
  frozen: readonly ConsoleLine[] | null = null;
  problem: Problem | null = null;
  /** What the status line says ("Open at 250000 baud on ..."). */
  message = 'Closed.';
  portLabel = '';
  readonly history: string[] = [];
  private historyAt = 0;
  private session: ConsoleSession | null = null;
  private port: SerialPort | null = null;
  private frame: unknown = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly opts: ConsoleOptions,
  ) {
    host.addController(this);
    const baud = opts.settings.read('console.baud');
    this.baudChoice = baud === 'auto' ? 'auto' : CONSOLE_RATES.includes(Number(baud)) ? Number(baud) : 'auto';
    const ending = opts.settings.read('console.ending');
    this.ending = isLineEnding(ending) ? ending : 'lf';
    this.timestamps = opts.settings.read('console.timestamps') === '1';
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    void this.close();
  }

  get isOpen(): boolean {
    return this.session !== null;
  }

  get baud(): number | undefined {
    return this.session?.baud;
  }

  /** Opens `port`, or the one the user picks in the browser's chooser when null. */
  async open(port: SerialPort | null): Promise<void> {
    if (this.status !== 'closed') return;
    this.set('opening', 'Opening the port…');
    this.problem = null;
    const deps = this.opts.deps();
    try {
      const chosen = port ?? (await deps.requestPort());
      this.port = chosen;
      this.portLabel = portInfo(chosen).label;
      const first = this.baudChoice === 'auto' ? 250000 : this.baudChoice;
      this.ring.note(`-- ${this.portLabel} opened --`, Date.now());
      this.session = await ConsoleSession.open(chosen, first, deps, this.ring, {
        data: () => this.redraw(),
        ended: (e) => {
          this.session = null;
          this.show(problemFromError(e), 'The console closed: the port went away.');
        },
      });
    } catch (e) {
      const dismissed = e instanceof Error && e.name === 'NotFoundError';
      this.session = null;
      if (dismissed) this.set('closed', 'No port was chosen.');
      else this.show(problemFromError(e), 'The port could not be opened.');
      return;
    }
    if (this.baudChoice === 'auto') await this.runAuto();
    else this.opened();
  }

  /** Releases the port (the console is closed, or a flash is about to start). */
  async close(): Promise<void> {
    const s = this.session;
    this.session = null;
    if (s) {
      await s.close();
      this.ring.note(`-- ${this.portLabel} closed --`, Date.now());
    }
    if (this.status !== 'closed') this.set('closed', s ? `Closed; the port (${this.portLabel}) is free.` : 'Closed.');
  }

  async chooseBaud(choice: BaudChoice): Promise<void> {
    this.baudChoice = choice;
    this.opts.settings.write('console.baud', String(choice));
    if (!this.session) {
      this.host.requestUpdate();
      return;
    }
    if (choice === 'auto') {
      await this.runAuto();
      return;
    }
    await this.guard(async (s) => {
      await s.setBaud(choice);
      this.opened();
    });
  }

  async send(text: string): Promise<void> {
    if (text !== '' && this.history.at(-1) !== text) this.history.push(text);
    if (this.history.length > HISTORY_MAX) this.history.shift();
    this.historyAt = this.history.length;
    await this.guard((s) => s.send(text, this.ending));
  }

  /** Arrow up (-1) or down (+1) through the sent lines; '' past the newest. */
  recall(step: -1 | 1): string {
    this.historyAt = Math.max(0, Math.min(this.history.length, this.historyAt + step));
    return this.history[this.historyAt] ?? '';
  }

  async resetBoard(): Promise<void> {
    await this.guard(async (s) => {
      await s.resetBoard();
      this.opts.announce('Reset pulse sent (DTR/RTS).');
    });
  }

  setEnding(e: LineEnding): void {
    this.ending = e;
    this.opts.settings.write('console.ending', e);
    this.host.requestUpdate();
  }

  setTimestamps(on: boolean): void {
    this.timestamps = on;
    this.opts.settings.write('console.timestamps', on ? '1' : '0');
    this.host.requestUpdate();
  }

  setAutoscroll(on: boolean): void {
    this.autoscroll = on;
    this.host.requestUpdate();
  }

  setPaused(on: boolean): void {
    this.frozen = on ? this.ring.slice(0, this.ring.length) : null;
    this.host.requestUpdate();
  }

  clear(): void {
    this.ring.clear();
    if (this.frozen) this.frozen = [];
    this.host.requestUpdate();
  }

  private async runAuto(): Promise<void> {
    await this.guard(async (s) => {
      this.status = 'auto';
      const { found, tries } = await s.autoBaud(undefined, (b) => this.set('auto', `Auto: listening at ${b} baud…`));
      if (!this.session) return;
      if (found) {
        this.opened(`Auto found ${found.baud} baud.`);
        return;
      }
      const sent = tries.some((t) => t.bytes > 0);
      this.opened(
        sent
          ? `Auto: no rate gave readable text; staying at ${s.baud ?? '?'} baud. Choose the rate the firmware uses.`
          : 'Auto: the board sent nothing at any rate. Press "Reset board" or choose the rate the firmware uses.',
      );
    });
  }

  private async guard(job: (s: ConsoleSession) => Promise<void>): Promise<void> {
    const s = this.session;
    if (!s) return;
    try {
      await job(s);
    } catch (e) {
      if (!this.session) return;
      await this.close();
      this.show(problemFromError(e), 'The console stopped.');
    }
  }

  private opened(prefix = ''): void {
    const text = `${prefix ? `${prefix} ` : ''}Open at ${this.session?.baud ?? '?'} baud on ${this.portLabel}.`;
    this.set('open', text);
  }

  private show(problem: Problem, text: string): void {
    this.problem = problem;
    this.set('closed', text);
  }

  private set(status: ConsoleStatus, message: string): void {
    this.status = status;
    this.message = message;
    this.host.requestUpdate();
  }

  private redraw(): void {
    const nextFrame = globalThis.requestAnimationFrame ?? ((fn: () => void) => setTimeout(fn, 16));
    this.frame ||= nextFrame(() => {
      this.frame = 0;
      this.host.requestUpdate();
    });
  }

  /** The port last opened, so "Open" can reopen it without the chooser. */
  get lastPort(): SerialPort | null {
    return this.port;
  }
}
