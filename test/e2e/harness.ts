// A minimal step runner for the browser tests: named steps run in order, each timed and caught,
// and a closing "N passed, N failed" line. Steps share one browser profile on purpose (storage,
// service worker and restarts are what is under test), so they are not independent tests.

export interface StepResult {
  readonly name: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly error?: string;
}

export class Steps {
  readonly results: StepResult[] = [];

  async run(name: string, fn: () => Promise<void>): Promise<boolean> {
    const t0 = Date.now();
    try {
      await fn();
      this.results.push({ name, ok: true, ms: Date.now() - t0 });
      process.stdout.write(`  ✓ ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
      return true;
    } catch (e) {
      const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      this.results.push({ name, ok: false, ms: Date.now() - t0, error });
      process.stdout.write(`  ✗ ${name}\n${error.replace(/^/gm, '      ')}\n`);
      return false;
    }
  }

  skip(name: string, why: string): void {
    process.stdout.write(`  - ${name}: skipped (${why})\n`);
  }

  summary(): string {
    const passed = this.results.filter((r) => r.ok).length;
    return `${passed} passed, ${this.results.length - passed} failed`;
  }

  get failed(): number {
    return this.results.filter((r) => !r.ok).length;
  }
}

export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}
