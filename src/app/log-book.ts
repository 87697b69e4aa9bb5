// The session log as the log panel shows it and a bug report carries it: timestamped lines,
// capped so a long session cannot eat the tab's memory.

export interface LogLine {
  /** Milliseconds since the book was started. */
  readonly t: number;
  readonly level: 'info' | 'debug' | 'error';
  readonly text: string;
}

export const MAX_LOG_LINES = 50_000;

export class LogBook {
  private lines: LogLine[] = [];
  private dropped = 0;
  /** Bumped on every change, so a component can tell that it must re-render. */
  version = 0;

  constructor(private readonly now: () => number = () => performance.now(), private start = now()) {}

  add(level: LogLine['level'], text: string): void {
    this.lines.push({ t: this.now() - this.start, level, text });
    if (this.lines.length > MAX_LOG_LINES) {
      const cut = this.lines.length - MAX_LOG_LINES;
      this.lines.splice(0, cut);
      this.dropped += cut;
    }
    this.version++;
  }

  clear(): void {
    this.lines = [];
    this.dropped = 0;
    this.start = this.now();
    this.version++;
  }

  get size(): number {
    return this.lines.length;
  }

  text(): string {
    const head = this.dropped > 0 ? `(${this.dropped} earlier lines dropped)\n` : '';
    return head + this.lines.map(formatLine).join('\n');
  }
}

export function formatLine(l: LogLine): string {
  const mark = l.level === 'error' ? '!' : l.level === 'debug' ? ' ' : '*';
  return `[${(l.t / 1000).toFixed(3).padStart(8)}] ${mark} ${l.text}`;
}
