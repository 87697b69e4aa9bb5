// The page's "several boards at once" job as a Lit ReactiveController: the boards added (each
// through the chooser once, or a port granted before), one flash view per board, the run of all of
// them in parallel (multi-flash-service.ts), Cancel for all, and the summary rows at the end.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { FlashError } from '../core/errors.js';
import { fleetCounts, type FleetRow } from '../core/fleet.js';
import { preventUnload } from './flash-controller.js';
import type { FlashDeps, FlashUpdate } from './flash-service.js';
import { IDLE_VIEW, reduceFlashView, startView, type FlashView } from './flash-view.js';
import { labelPorts } from './granted-ports.js';
import { flashBoards, type MultiJob } from './multi-flash-service.js';
import { problemFromError, type Problem } from './problem.js';

export interface MultiBoard {
  readonly key: string;
  readonly port: SerialPort;
  readonly label: string;
  readonly view: FlashView;
}

export interface MultiHooks {
  deps(): FlashDeps;
  note(level: 'info' | 'debug' | 'error', text: string): void;
  announce(text: string): void;
  /** Keeps how the run ended (Recent's "last flashed"); awaited before the run counts as ended. */
  record(rows: readonly FleetRow[]): Promise<void>;
  /** The job started or ended (the page holds back other flashes and reloads meanwhile). */
  running(on: boolean): void;
}

export class MultiFlashController implements ReactiveController {
  boards: readonly MultiBoard[] = [];
  /** The summary of the last run, one row per board (empty until a run ends). */
  rows: readonly FleetRow[] = [];
  running = false;
  /** Why the last run could not start (the image cannot fit the chosen board), or a chooser failure. */
  problem: Problem | null = null;
  private abort: AbortController | null = null;
  private next = 1;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly hooks: MultiHooks,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.cancel();
  }

  /** The browser's chooser; a port already in the list is not added twice. */
  async choose(): Promise<void> {
    try {
      this.add(await this.hooks.deps().requestPort());
    } catch (e) {
      if (e instanceof Error && e.name === 'NotFoundError') this.hooks.note('info', 'No port was chosen.');
      else this.problem = problemFromError(new FlashError('port-unreachable', `The browser did not offer a port (${e instanceof Error ? e.message : String(e)}).`));
      this.host.requestUpdate();
    }
  }

  add(port: SerialPort): void {
    if (this.running || this.boards.some((b) => b.port === port)) return;
    this.set([...this.boards, { key: `board-${this.next++}`, port, label: '', view: IDLE_VIEW }]);
    this.hooks.announce(`Added ${this.boards.at(-1)?.label ?? 'a board'}; ${this.boards.length} in the list.`);
  }

  remove(key: string): void {
    if (!this.running) this.set(this.boards.filter((b) => b.key !== key));
  }

  has(port: SerialPort): boolean {
    return this.boards.some((b) => b.port === port);
  }

  cancel(): void {
    this.abort?.abort(new FlashError('aborted', 'Cancelled by the user.'));
  }

  /** Flashes every board in the list at once; `precheck` throws when the image cannot suit the choice. */
  async flashAll(job: MultiJob & { readonly precheck: () => void }): Promise<void> {
    if (this.running || this.boards.length === 0) return;
    this.problem = null;
    try {
      job.precheck();
    } catch (e) {
      this.problem = problemFromError(e);
      this.hooks.announce(`Not started: ${this.problem.title}`);
      this.host.requestUpdate();
      return;
    }
    const boards = this.boards;
    this.abort = new AbortController();
    this.running = true;
    this.rows = [];
    this.boards = boards.map((b) => ({ ...b, view: startView(true) }));
    this.hooks.running(true);
    this.hooks.announce(`Flashing ${boards.length} boards at once.`);
    this.hooks.note('info', `Flash on ${boards.length} boards: ${boards.map((b) => b.label).join('; ')}`);
    window.addEventListener('beforeunload', preventUnload);
    try {
      const ends = await flashBoards(boards, job, this.hooks.deps(), (key, u) => this.update(key, u), this.abort.signal);
      this.rows = ends.map((e) => e.row);
      for (const r of this.rows) this.hooks.note(r.result === 'verified' ? 'info' : 'error', `${r.board}: ${r.result}${r.error ? ` (${r.error})` : ''}`);
      this.hooks.announce(`Several boards: ${fleetCounts(this.rows)}.`);
      await this.hooks.record(this.rows).catch((e: unknown) => this.hooks.note('error', `The result was not kept in Recent: ${e instanceof Error ? e.message : String(e)}`));
    } finally {
      window.removeEventListener('beforeunload', preventUnload);
      this.abort = null;
      this.running = false;
      this.hooks.running(false);
      this.host.requestUpdate();
    }
  }

  private update(key: string, u: FlashUpdate): void {
    if (u.state === 'log') {
      const b = this.boards.find((x) => x.key === key);
      this.hooks.note(u.level, `${b?.label ?? key}: ${u.text}`);
      return;
    }
    this.boards = this.boards.map((b) => (b.key === key ? { ...b, view: reduceFlashView(b.view, u) } : b));
    this.host.requestUpdate();
  }

  /** Labels follow the list (numbered where adapters look alike). */
  private set(boards: readonly MultiBoard[]): void {
    const labels = labelPorts(boards.map((b) => b.port));
    this.boards = boards.map((b, i) => ({ ...b, label: labels[i]?.label ?? b.label }));
    this.host.requestUpdate();
  }
}
