// One flash from the app: ask for a port (or take one granted before), reset an ATmega32U4 board into its bootloader first when
// it needs the 1200-baud touch (core/touch.ts), open the port, read the firmware there first when it
// is to be kept, run the core session, close the port on every path, and see the firmware's port
// come back after a touch (onBoardPort, shared with the read job). A plain async function that
// reports through a callback; components only render what it reports (the esp-web-tools flash.ts
// habit). Never throws: the last update is done, error or no-port.
import { FlashError, toFlashError } from '../core/errors.js';
import type { FlashEvent, FlashResult } from '../core/events.js';
import type { FirmwareImage } from '../core/hex/image.js';
import type { ByteLink } from '../core/link/byte-link.js';
import type { Clock } from '../core/link/clock.js';
import { BOARDS, isBoardId } from '../core/boards.js';
import { readFirmware, type ReadContext, type ReadEvent, type ReadResult } from '../core/read-session.js';
import { checkRequest, flashFirmware, type FlashRequest } from '../core/session.js';
import type { TargetRequest } from '../core/target.js';
import { touchIntoBootloader, waitForSketchPort, wantsTouch, type PortDirectory, type UsbIds } from '../core/touch.js';
import type { PortInfo } from './port-info.js';
import { portInfo } from './port-info.js';

type ProgressEvent = Exclude<FlashEvent | ReadEvent, { state: 'log' } | { state: 'done' }>;

export type FlashUpdate =
  | { readonly state: 'choosing-port' }
  | { readonly state: 'opening'; readonly port: PortInfo }
  | { readonly state: 'touching'; readonly port: PortInfo }
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
  /** "Keep the firmware that is on the board now": read the application section first, on the same port. */
  readonly keep?: KeepBackup;
  /** A port the page was granted before ("Flash again on ..."): used as is, without the chooser. */
  readonly port?: SerialPort;
}

export interface KeepBackup {
  /** Stores what was read; throws (a FlashError 'backup-not-kept') when it cannot be kept: nothing is written then. */
  store(read: ReadResult, port: PortInfo): Promise<void>;
}

/** What the service needs from the platform; tests pass a scripted link instead of Web Serial. */
export interface FlashDeps {
  /** The browser's port chooser, limited to `filters` when given. */
  requestPort(filters?: readonly SerialPortFilter[]): Promise<SerialPort>;
  openLink(port: SerialPort, opts: { baud: number; onDisconnect: () => void }): Promise<ByteLink>;
  readonly clock: Clock;
  /** The ports the page may open and their connect events: needed for boards reset by the 1200-baud touch. */
  readonly ports?: PortDirectory<SerialPort>;
}

const FIRST_BAUD = 115200;
/** How long to wait for the firmware's port to come back after a flash through the touch. */
const SKETCH_BACK_MS = 4000;

export async function runFlash(job: FlashJob, deps: FlashDeps, report: (u: FlashUpdate) => void, signal?: AbortSignal): Promise<FlashOutcome> {
  try {
    checkRequest({ ...job.request, image: job.image });
  } catch (e) {
    // Refused before a port is chosen: nothing to release, nothing written.
    return finish(report, { state: 'error', error: toFlashError(e), port: null });
  }
  const out = await onBoardPort(job.request, deps, report, signal, job.port, async (link, info) => {
    const ctx = { link, clock: deps.clock, verbose: job.verbose, ...(signal ? { signal } : {}) };
    let request: FlashRequest = { ...job.request, image: job.image, usb: idsOf(info) };
    if (job.keep) request = { ...request, ...(await keepFirst(job.keep, request, ctx, info, report)) };
    return flashFirmware(request, {
      ...ctx,
      onEvent: (e) => {
        if (e.state !== 'done') report(e);
      },
    });
  });
  return finish(report, out.state === 'done' ? { state: 'done', result: out.value, port: out.port } : out);
}

/** Reads the application section and has it stored; throws (nothing written) when either fails. Returns what answered, for the write. */
async function keepFirst(keep: KeepBackup, req: FlashRequest, ctx: Omit<ReadContext, 'onEvent'>, info: PortInfo, report: (u: FlashUpdate) => void) {
  let read: ReadResult;
  try {
    read = await readFirmware(req, { ...ctx, onEvent: report });
  } catch (e) {
    const f = toFlashError(e);
    if (f.code === 'aborted') throw f;
    throw new FlashError(f.code, `${f.detail} Reading the firmware on the board for the backup failed, so nothing was written.`, { cause: f, ...(f.technical ? { technical: f.technical } : {}) });
  }
  await keep.store(read, info);
  return { mcu: read.mcuId, protocol: read.protocol, ...(read.baud !== null ? { baud: read.baud } : {}) };
}

export type PortOutcome<R> =
  | { readonly state: 'done'; readonly value: R; readonly port: PortInfo }
  | Extract<FlashOutcome, { state: 'error' | 'no-port' }>;

/**
 * One job on the board's port: the chooser (unless a granted port is given), the 1200-baud touch
 * when the board needs it, open, `work`, and the port closed on every path (then the firmware's own
 * port awaited after a touch).
 */
export async function onBoardPort<R>(
  request: TargetRequest,
  deps: FlashDeps,
  report: (u: FlashUpdate) => void,
  signal: AbortSignal | undefined,
  granted: SerialPort | undefined,
  work: (link: ByteLink, port: PortInfo) => Promise<R>,
): Promise<PortOutcome<R>> {
  let port: SerialPort;
  if (granted) {
    port = granted;
  } else {
    report({ state: 'choosing-port' });
    try {
      port = await deps.requestPort();
    } catch (e) {
      // The chooser was dismissed: not a failure, nothing happened.
      if (e instanceof Error && e.name === 'NotFoundError') return { state: 'no-port' };
      return { state: 'error', error: new FlashError('port-unreachable', `The browser did not offer a port (${describe(e)}).`, { cause: e }), port: null };
    }
  }
  let info = portInfo(port);
  const log = (text: string): void => report({ state: 'log', level: 'info', text });
  let sketch: UsbIds | null = null;
  if (wantsTouch(request, idsOf(info))) {
    report({ state: 'touching', port: info });
    log(`Port: ${info.label}`);
    try {
      if (!deps.ports) throw new FlashError('port-unreachable', 'This page cannot watch the ports, which the 1200-baud reset of this board needs.');
      const touched = await touchIntoBootloader(deps.ports, port, { clock: deps.clock, log, ...(signal ? { signal } : {}) });
      sketch = idsOf(info);
      port = touched.port;
      info = portInfo(port);
    } catch (e) {
      const error = signal?.aborted ? new FlashError('aborted', '', { cause: e }) : toFlashError(e);
      return { state: 'error', error, port: info };
    }
  }
  report({ state: 'opening', port: info });
  log(`Port: ${info.label}`);

  let link: ByteLink | null = null;
  try {
    link = await deps.openLink(port, {
      baud: firstBaud(request),
      onDisconnect: () => report({ state: 'log', level: 'info', text: 'The board was unplugged (USB disconnect).' }),
    });
    const value = await work(link, info);
    if (sketch && deps.ports) {
      // The bootloader's port goes away when the firmware starts; the firmware's port comes back.
      await link.close();
      link = null;
      await sketchBack(deps.ports, sketch, deps.clock, log);
    }
    return { state: 'done', value, port: info };
  } catch (e) {
    return { state: 'error', error: toFlashError(e), port: info };
  } finally {
    await link?.close();
  }
}

function finish<O extends FlashUpdate>(report: (u: FlashUpdate) => void, o: O): O {
  report(o);
  return o;
}

async function sketchBack(ports: PortDirectory<SerialPort>, sketch: UsbIds, clock: Clock, log: (t: string) => void): Promise<void> {
  const back = await waitForSketchPort(ports, sketch, SKETCH_BACK_MS, clock);
  const label = back ? portInfo(back).label : null;
  log(label ? `The firmware's own port is back: ${label}.` : `The firmware's port has not come back within ${SKETCH_BACK_MS / 1000} s; it shows up once the firmware runs.`);
}

export function idsOf(info: PortInfo): UsbIds {
  return { ...(info.usbVendorId !== undefined ? { vid: info.usbVendorId } : {}), ...(info.usbProductId !== undefined ? { pid: info.usbProductId } : {}) };
}

function firstBaud(r: TargetRequest): number {
  if (r.baud !== undefined) return r.baud;
  if (r.board !== undefined && isBoardId(r.board)) return BOARDS[r.board].baud;
  return FIRST_BAUD;
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
