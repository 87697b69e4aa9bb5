// The 1200-baud touch of ATmega32U4 boards and the re-enumeration after it, as one core sequence
// over an injected port directory: open the sketch's port at 1200 baud and close it; the board
// resets and comes back as the bootloader's USB device (another product ID) for 8 seconds; find that
// port among the ones the program may open (Web Serial's granted ports, the OS port list), or ask
// the user to choose it where someone can be asked (a browser chooser). The browser and the CLI
// supply the directory; the sequence, its deadlines and its error are shared.
import { BOARDS, isBoardId } from './boards.js';
import { FlashError } from './errors.js';
import type { AbortSignalLike, Clock } from './link/clock.js';
import { bootloadersAfterTouch, identifyUsb, usbIdText, usbLabel, type UsbDevice } from './usb-ids.js';

export const TOUCH_BAUD = 1200;
/** Caterina leaves for the sketch 8 s (TIMEOUT_PERIOD) after its reset when nothing talks to it. */
export const BOOTLOADER_WINDOW_MS = 8000;
/** How long to watch the ports the program may open before asking the user. */
const ASK_AFTER_MS = 1500;
/** Longest wait between two looks at the port list. */
const LOOK_EVERY_MS = 250;
/** Opening and closing the sketch's port, or listing the ports, must not take longer than this. */
const PORT_CALL_MS = 3000;

export interface UsbIds {
  readonly vid?: number;
  readonly pid?: number;
}

export interface PortDirectory<P> {
  /** The ports the program may open without asking anyone. */
  list(): Promise<readonly P[]>;
  ids(port: P): UsbIds;
  /** Opens `port` at `baud` and closes it again. */
  touch(port: P, baud: number): Promise<void>;
  /** Resolves when the port list may have changed (a connect event, a poll tick), at the latest after `ms`. */
  changed(ms: number, signal?: AbortSignalLike): Promise<void>;
  /**
   * Asks the user to choose the bootloader's port, where someone can be asked (a browser chooser);
   * null when the user did not. `deadline` is the clock time at which the window closes.
   */
  ask?(expected: readonly UsbDevice[], deadline: number, signal?: AbortSignalLike): Promise<P | null>;
}

export interface TouchOptions {
  readonly clock: Clock;
  readonly signal?: AbortSignalLike;
  readonly log: (text: string) => void;
  readonly windowMs?: number;
  readonly askAfterMs?: number;
}

export interface Touched<P> {
  readonly port: P;
  /** 'found' among the ports the program may open, or 'chosen' by the user. */
  readonly how: 'found' | 'chosen';
  readonly ms: number;
}

/** True when `ids` name a 32U4 board's sketch, which must be touched before it can be flashed. */
export function needsTouch(ids: UsbIds): boolean {
  return bootloadersAfterTouch(ids.vid, ids.pid).length > 0;
}

/** True when `ids` name a bootloader that is already running (after a double-tap of reset). */
export function isBootloaderPort(ids: UsbIds): boolean {
  return identifyUsb(ids.vid, ids.pid)?.role === 'bootloader';
}

/**
 * The board needs the 1200-baud touch: its USB ID says it runs a 32U4 sketch, or its preset says so
 * and the port is not the bootloader already.
 */
export function wantsTouch(request: { readonly board?: string | undefined }, ids: UsbIds): boolean {
  if (needsTouch(ids)) return true;
  const preset = request.board !== undefined && isBoardId(request.board) ? BOARDS[request.board] : undefined;
  return preset !== undefined && 'touch1200' in preset && preset.touch1200 && !isBootloaderPort(ids);
}

export async function touchIntoBootloader<P>(dir: PortDirectory<P>, sketch: P, o: TouchOptions): Promise<Touched<P>> {
  const { clock } = o;
  const sketchIds = dir.ids(sketch);
  const expected = bootloadersAfterTouch(sketchIds.vid, sketchIds.pid);
  const wanted = expected.length > 0 ? expected.map((d) => usbIdText(d.vid, d.pid)).join(' or ') : 'a bootloader';
  const matches = (ids: UsbIds): boolean =>
    expected.length > 0 ? expected.some((d) => d.vid === ids.vid && d.pid === ids.pid) : isBootloaderPort(ids);

  o.log(`Resetting ${usbLabel(sketchIds.vid, sketchIds.pid)} into its bootloader: opening its port at ${TOUCH_BAUD} baud and closing it.`);
  await within(dir.touch(sketch, TOUCH_BAUD), clock, `Opening the port at ${TOUCH_BAUD} baud and closing it`);
  const t0 = clock.now();
  const windowMs = o.windowMs ?? BOOTLOADER_WINDOW_MS;
  const deadline = t0 + windowMs;
  const askAt = t0 + (o.askAfterMs ?? ASK_AFTER_MS);
  for (;;) {
    const found = (await within(dir.list(), clock, 'Listing the ports')).find((p) => p !== sketch && matches(dir.ids(p)));
    if (found) {
      o.log(`The bootloader's port appeared after ${Math.round(clock.now() - t0)} ms: ${describe(dir.ids(found))}.`);
      return { port: found, how: 'found', ms: clock.now() - t0 };
    }
    const now = clock.now();
    if (now >= deadline) throw missed(`No port with the bootloader's USB ID (${wanted}) appeared within ${windowMs / 1000} s of the ${TOUCH_BAUD}-baud touch.`);
    if (now >= askAt && dir.ask) {
      o.log(`The bootloader's port (${wanted}) is not among the ports this page may open: asking you to choose it.`);
      const chosen = await dir.ask(expected, deadline, o.signal);
      const late = clock.now() - deadline;
      if (!chosen) throw missed(`The bootloader's port (${wanted}) was not chosen within its ${windowMs / 1000} s.`);
      if (late > 0) throw missed(`The bootloader's port was chosen ${(late / 1000).toFixed(1)} s after its ${windowMs / 1000} s were over.`);
      o.log(`You chose ${describe(dir.ids(chosen))}.`);
      return { port: chosen, how: 'chosen', ms: clock.now() - t0 };
    }
    await dir.changed(Math.min(LOOK_EVERY_MS, (dir.ask ? askAt : deadline) - now, deadline - now), o.signal);
    if (o.signal?.aborted) throw o.signal.reason;
  }
}

/**
 * Waits until a port with the sketch's USB ID is back (the bootloader started the firmware), at most
 * `ms`; resolves with it, or null.
 */
export async function waitForSketchPort<P>(dir: PortDirectory<P>, sketch: UsbIds, ms: number, clock: Clock, signal?: AbortSignalLike): Promise<P | null> {
  const end = clock.now() + ms;
  for (;;) {
    const back = (await within(dir.list(), clock, 'Listing the ports')).find((p) => {
      const ids = dir.ids(p);
      return ids.vid === sketch.vid && ids.pid === sketch.pid;
    });
    if (back) return back;
    const left = end - clock.now();
    if (left <= 0 || signal?.aborted) return null;
    await dir.changed(Math.min(LOOK_EVERY_MS, left), signal);
  }
}

/** `p`, or a port-unreachable error when the platform does not answer within PORT_CALL_MS. */
function within<T>(p: Promise<T>, clock: Clock, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = clock.setTimer(PORT_CALL_MS, () => reject(new FlashError('port-unreachable', `${what} took more than ${PORT_CALL_MS / 1000} s.`)));
    p.then(
      (v) => {
        cancel();
        resolve(v);
      },
      (e: unknown) => {
        cancel();
        reject(e);
      },
    );
  });
}

function describe(ids: UsbIds): string {
  return usbLabel(ids.vid, ids.pid);
}

function missed(detail: string): FlashError {
  return new FlashError('bootloader-window-missed', detail);
}
