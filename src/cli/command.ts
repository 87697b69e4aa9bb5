// The CLI's one command model: what both argument dialects (HexFlash's own flags and avrdude's)
// parse into, and what the runners carry out.
import type { TargetRequest } from '../core/target.js';

export type Dialect = 'hexflash' | 'avrdude';

interface PortJob {
  /** net:HOST:PORT, rfc2217://HOST:PORT, or a local serial port (/dev/ttyUSB0, COM3). */
  readonly port: string;
  readonly target: TargetRequest;
  readonly dialect: Dialect;
  /** 0 normal, 1 progress only (avrdude -q), 2 and up every command and answer. */
  readonly verbosity: number;
  readonly quiet: boolean;
}

export interface FlashCommand extends PortJob {
  readonly kind: 'flash';
  readonly file: string;
  /** 'auto' reads .bin as raw and everything else as Intel HEX (avrdude's :a looks at the content). */
  readonly format: 'auto' | 'hex' | 'bin';
  readonly address: number;
  readonly verify: boolean;
  /** Notes the dialect wants said before starting (avrdude's -e). */
  readonly notes: readonly string[];
  /** Two or more ports (--port given more than once): the same image on all of them at once; `port` is the first. */
  readonly ports?: readonly string[];
}

export interface ReadCommand extends PortJob {
  readonly kind: 'read';
  readonly out: string;
  readonly format: 'hex' | 'bin';
}

export interface PortsCommand {
  readonly kind: 'ports';
  readonly json: boolean;
}

export type CliCommand = FlashCommand | ReadCommand | PortsCommand | { readonly kind: 'help' };
