// The page's log job as a Lit ReactiveController: the book every other job notes into, one re-render
// of the log panel per frame however many lines arrive, the verbose switch (remembered in settings),
// clearing, and the downloadable report's text.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Settings } from '../store/settings.js';
import { buildReport, type ReportContext } from './bug-report.js';
import { LogBook, type LogLine } from './log-book.js';

export class LogController implements ReactiveController {
  readonly book = new LogBook();
  /** The book's version the panel was last rendered for. */
  version = 0;
  verbose: boolean;
  private frame = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly settings: () => Settings,
  ) {
    host.addController(this);
    this.verbose = settings().read('verbose') !== '0';
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  readonly note = (level: LogLine['level'], text: string): void => {
    this.book.add(level, text);
    this.frame ||= requestAnimationFrame(() => {
      this.frame = 0;
      this.version = this.book.version;
      this.host.requestUpdate();
    });
  };

  clear(): void {
    this.book.clear();
    this.version = this.book.version;
    this.host.requestUpdate();
  }

  setVerbose(on: boolean): void {
    this.verbose = on;
    this.settings().write('verbose', on ? '1' : '0');
    this.host.requestUpdate();
  }

  report(ctx: ReportContext): string {
    return buildReport(ctx, this.book);
  }
}
