// One flash from the app: ask for a port (or take one granted before), reset an ATmega32U4 board into its bootloader first when
// it needs the 1200-baud touch (core/touch.ts), open the port, run the core session, close the port
// on every path, and see the firmware's port come back after a touch. A plain async function that
// reports through a callback; components only render what it reports (the esp-web-tools flash.ts
// habit). Never throws: the last update is done, error or no-port.
import { FlashError, toFlashError } from '../core/errors.js';
import type { FlashEvent, FlashResult } from '../core/events.js';
import type { FirmwareImage } from '../core/hex/image.js';
import type { ByteLink } from '../core/link/byte-link.js';
import type { Clock } from '../core/link/clock.js';
import { BOARDS, isBoardId } from '../core/boards.js';
import { checkRequest, flashFirmware, type FlashRequest } from '../core/session.js';
import { touchIntoBootloader, waitForSketchPort, wantsTouch, type PortDirectory, type UsbIds } from '../core/touch.js';
import type { PortInfo } from './port-info.js';
import { portInfo } from './port-info.js';

type ProgressEvent = Exclude<FlashEvent, { state: 'log' } | { state: 'done' }>;

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
  /** A port the page was granted before ("Flash again on ..."): used as is, without the chooser. */
  readonly port?: SerialPort;
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
  let port: SerialPort;
  if (job.port) {
    port = job.port;
  } else {
    report({ state: 'choosing-port' });
    try {
      port = await deps.requestPort();
    } catch (e) {
      // The chooser was dismissed: not a failure, nothing happened.
      if (e instanceof Error && e.name === 'NotFoundError') return finish({ state: 'no-port' });
      return finish({ state: 'error', error: new FlashError('port-unreachable', `The browser did not offer a port (${describe(e)}).`, { cause: e }), port: null });
    }
  }
  let info = portInfo(port);
  const log = (text: string): void => report({ state: 'log', level: 'info', text });
  let sketch: UsbIds | null = null;
  if (wantsTouch(job.request, idsOf(info))) {
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
      return finish({ state: 'error', error, port: info });
    }
  }
  report({ state: 'opening', port: info });
  log(`Port: ${info.label}`);

  let link: ByteLink | null = null;
  try {
    link = await deps.openLink(port, {
      baud: firstBaud(job.request),
      onDisconnect: () => report({ state: 'log', level: 'info', text: 'The board was unplugged (USB disconnect).' }),
    });
    const result = await flashFirmware(
      { ...job.request, image: job.image, usb: idsOf(info) },
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
    if (sketch && deps.ports) {
      // The bootloader's port goes away when the firmware starts; the firmware's port comes back.
      await link.close();
      link = null;
      await sketchBack(deps.ports, sketch, deps.clock, log);
    }
    return finish({ state: 'done', result, port: info });
  } catch (e) {
    return finish({ state: 'error', error: toFlashError(e), port: info });
  } finally {
    await link?.close();
  }
}

async function sketchBack(ports: PortDirectory<SerialPort>, sketch: UsbIds, clock: Clock, log: (t: string) => void): Promise<void> {
  const back = await waitForSketchPort(ports, sketch, SKETCH_BACK_MS, clock);
  const label = back ? portInfo(back).label : null;
  log(label ? `The firmware's own port is back: ${label}.` : `The firmware's port has not come back within ${SKETCH_BACK_MS / 1000} s; it shows up once the firmware runs.`);
}

function idsOf(info: PortInfo): UsbIds {
  return { ...(info.usbVendorId !== undefined ? { vid: info.usbVendorId } : {}), ...(info.usbProductId !== undefined ? { pid: info.usbProductId } : {}) };
}

function firstBaud(r: Omit<FlashRequest, 'image'>): number {
  if (r.baud !== undefined) return r.baud;
  if (r.board !== undefined && isBoardId(r.board)) return BOARDS[r.board].baud;
  return FIRST_BAUD;
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
