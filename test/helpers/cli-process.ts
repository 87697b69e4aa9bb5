// Runs the hexflash CLI as a separate process, as a user or a tool does, and collects its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The last stdout line parsed as JSON (HexFlash's summary), or null. */
  readonly summary: Record<string, unknown> | null;
}

export const TSX = join(process.cwd(), 'node_modules/.bin/tsx');
export const CLI_ENTRY = join(process.cwd(), 'src/cli/hexflash.ts');

export interface RunOptions {
  readonly timeoutMs?: number;
  /** Called once stderr contains this text (for example to send SIGINT mid-write). */
  readonly when?: { readonly stderr: string; readonly then: (p: ChildProcess) => void };
  /** The command to run instead of tsx + the source entry (an installed `hexflash`). */
  readonly command?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export function runCli(args: readonly string[], opts: RunOptions = {}): Promise<CliRun> {
  const [cmd, ...pre] = opts.command ?? [TSX, CLI_ENTRY];
  return new Promise((resolve) => {
    const p = spawn(cmd ?? TSX, [...pre, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd ?? process.cwd() });
    let stdout = '';
    let stderr = '';
    let fired = false;
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (opts.when && !fired && stderr.includes(opts.when.stderr)) {
        fired = true;
        opts.when.then(p);
      }
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      let summary: Record<string, unknown> | null = null;
      try {
        summary = last.startsWith('{') ? (JSON.parse(last) as Record<string, unknown>) : null;
      } catch {
        summary = null;
      }
      resolve({ code, signal, stdout, stderr, summary });
    });
  });
}
