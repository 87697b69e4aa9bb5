// One flash from the app: ask for a port, open it, run the core session, close the port on every
// path. A plain async function that reports through a callback; components only render what it
// reports (the esp-web-tools flash.ts habit). Never throws: the last update is done, error or no-port.
import { FlashError, toFlashError } from '../core/errors.js';
import type { FlashEvent, FlashResult } from '../core/events.js';
import type { FirmwareImage } from '../core/hex/image.js';
import type { ByteLink } from '../core/link/byte-link.js';
import type { Clock } from '../core/link/clock.js';
import { BOARDS, isBoardId } from '../core/boards.js';
import { checkRequest, flashFirmware, type FlashRequest } from '../core/session.js';
import type { PortInfo } from './port-info.js';
import { portInfo } from './port-info.js';

type ProgressEvent = Exclude<FlashEvent, { state: 'log' } | { state: 'done' }>;

export type FlashUpdate =
  | { readonly state: 'choosing-port' }
  | { readonly state: 'opening'; readonly port: PortInfo }
  | ProgressEvent
  | { readonly state: 'log'; readonly level: 'info' | 'debug'; readonly text: string }
  | { readonly state: 'done'; readonly result: FlashResult; readonly port: PortInfo }
  | { readonly state: 'error'; readonly error: FlashError; readonly port: PortInfo | null }
  | { readonly state: 'no-port' };

export type FlashOutcome = Extract<FlashUpdate, { state: 'done' | 'error' | 'no-port' }>;

export interface FlashJob {
  readonly image: FirmwareImage;
  readonly request: Omit<FlashRequest, 'image'>;
  readonly verbose: boolean;
}

/** What the service needs from the platform; tests pass a scripted link instead of Web Serial. */
export interface FlashDeps {
  requestPort(): Promise<SerialPort>;
  openLink(port: SerialPort, opts: { baud: number; onDisconnect: () => void }): Promise<ByteLink>;
  readonly clock: Clock;
}

const FIRST_BAUD = 115200;

export async function runFlash(job: FlashJob, deps: FlashDeps, report: (u: FlashUpdate) => void, signal?: AbortSignal): Promise<FlashOutcome> {
  const finish = (o: FlashOutcome): FlashOutcome => {
    report(o);
    return o;
  };
  try {
    checkRequest({ ...job.request, image: job.image });
  } catch (e) {
    // Refused before a port is chosen: nothing to release, nothing written.
    return finish({ state: 'error', error: toFlashError(e), port: null });
  }
  report({ state: 'choosing-port' });
  let port: SerialPort;
  try {
    port = await deps.requestPort();
  } catch (e) {
    // The chooser was dismissed: not a failure, nothing happened.
    if (e instanceof Error && e.name === 'NotFoundError') return finish({ state: 'no-port' });
    return finish({ state: 'error', error: new FlashError('port-unreachable', `The browser did not offer a port (${describe(e)}).`, { cause: e }), port: null });
  }
  const info = portInfo(port);
  report({ state: 'opening', port: info });
  report({ state: 'log', level: 'info', text: `Port: ${info.label}` });

  let link: ByteLink | null = null;
  try {
    link = await deps.openLink(port, {
      baud: firstBaud(job.request),
      onDisconnect: () => report({ state: 'log', level: 'info', text: 'The board was unplugged (USB disconnect).' }),
    });
    const result = await flashFirmware(
      { ...job.request, image: job.image },
      {
        link,
        clock: deps.clock,
        verbose: job.verbose,
        ...(signal ? { signal } : {}),
        onEvent: (e) => {
          if (e.state !== 'done') report(e);
        },
      },
    );
    return finish({ state: 'done', result, port: info });
  } catch (e) {
    return finish({ state: 'error', error: toFlashError(e), port: info });
  } finally {
    await link?.close();
  }
}

function firstBaud(r: Omit<FlashRequest, 'image'>): number {
  if (r.baud !== undefined) return r.baud;
  if (r.board !== undefined && isBoardId(r.board)) return BOARDS[r.board].baud;
  return FIRST_BAUD;
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
