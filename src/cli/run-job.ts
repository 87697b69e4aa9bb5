// Carries out a flash or a read from the CLI: load and check the image before any port is opened,
// open the port, run the core session under Ctrl-C, write the output file, release the port on
// every path. Returns the exit status; only a verified write (or a whole read) gives 0.
import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { FlashError, toFlashError } from '../core/errors.js';
import { backupHex } from '../core/backup.js';
import { imageFromBinary } from '../core/hex/binary.js';
import type { FirmwareImage } from '../core/hex/image.js';
import { parseIntelHex } from '../core/hex/intel-hex.js';
import type { QueueLink } from '../core/link/queue-link.js';
import type { FlashEvent, FlashResult } from '../core/events.js';
import { readFirmware, type ReadEvent } from '../core/read-session.js';
import { checkRequest, flashFirmware, type FlashRequest } from '../core/session.js';
import type { TargetRequest } from '../core/target.js';
import { touchIntoBootloader, waitForSketchPort, wantsTouch, type PortDirectory } from '../core/touch.js';
import { openNodeLink } from '../transports/node-link.js';
import type { ListedPort } from '../transports/node-ports.js';
import { isLocalPortPath, type SerialBinding } from '../transports/node-serial.js';
import { findListedPort, nodePortDirectory } from '../transports/node-touch.js';
import { systemClock } from '../transports/system-clock.js';
import type { FlashCommand, ReadCommand } from './command.js';
import { createReporter, type Out, type Reporter } from './report.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_ARGUMENT = 2;
/** Written, but verifying was turned off: not proven, so not 0 (HexFlash's own dialect). */
export const EXIT_NOT_VERIFIED = 3;

export interface JobIo {
  readonly err: Out;
  readonly out: Out;
  /** Aborts the job (Ctrl-C). */
  readonly signal: AbortSignal;
  readonly binding?: SerialBinding;
}

export async function loadImage(cmd: FlashCommand): Promise<FirmwareImage> {
  let data: Buffer;
  try {
    data = await readFile(cmd.file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new FlashError('bad-argument', `Cannot read firmware file "${cmd.file}" (${code}).`, { cause: e });
  }
  const bin = cmd.format === 'bin' || (cmd.format === 'auto' && extname(cmd.file).toLowerCase() === '.bin');
  return bin ? imageFromBinary(new Uint8Array(data), cmd.address) : parseIntelHex(data.toString('latin1'));
}

/** The baud a local port is first opened at: the one given, else the first the search tries. */
function firstBaud(t: TargetRequest): number {
  return t.baud ?? 115200;
}

/** How long to wait for the firmware's own port to come back after a flash through the touch. */
const SKETCH_BACK_MS = 10_000;

type UsbIds = ReturnType<PortDirectory<ListedPort>['ids']>;

/**
 * Opens the port and runs `job` on it, releasing it on every path. A local port whose USB ID (or
 * whose board preset) says ATmega32U4 sketch gets the 1200-baud touch first, and the job runs on the
 * bootloader's port that appears; afterwards the firmware's port is waited for, as in the page.
 */
async function withLink<T>(cmd: FlashCommand | ReadCommand, io: JobIo, report: Reporter, job: (link: QueueLink, usb: UsbIds) => Promise<T>): Promise<T> {
  let path = cmd.port;
  let usb: UsbIds = {};
  let sketch: UsbIds | null = null;
  const dir = nodePortDirectory(systemClock, io.binding);
  if (isLocalPortPath(cmd.port)) {
    const listed = await findListedPort(cmd.port, io.binding);
    usb = dir.ids(listed);
    if (wantsTouch(cmd.target, usb)) {
      const touched = await touchIntoBootloader(dir, listed, { clock: systemClock, signal: io.signal, log: (t) => report.note(t) });
      sketch = usb;
      path = touched.port.path;
      usb = dir.ids(touched.port);
    }
  }
  const link = await openNodeLink(path, {
    baud: firstBaud(cmd.target),
    clock: systemClock,
    onNote: (t) => report.note(t),
    // Shown with --verbose (avrdude: -v -v), as the session's own debug lines are.
    onLog: (t) => report.event({ state: 'log', level: 'debug', text: `${path}: ${t}` }),
    ...(io.binding ? { binding: io.binding } : {}),
  });
  let out: T;
  try {
    out = await job(link, usb);
  } finally {
    await link.close();
  }
  if (sketch) {
    const back = await waitForSketchPort(dir, sketch, SKETCH_BACK_MS, systemClock, io.signal);
    report.note(back ? `the firmware's own port is back: ${back.path}` : `the firmware's port has not come back within ${SKETCH_BACK_MS / 1000} s; it shows up once the firmware runs`);
  }
  return out;
}

export function fail(cmd: FlashCommand | ReadCommand, io: JobIo, report: Reporter, e: unknown): number {
  const err = toFlashError(e);
  report.failed(err);
  if (cmd.dialect === 'hexflash') io.out(JSON.stringify({ ok: false, code: err.code, message: err.message, hint: err.hint }));
  return EXIT_FAILED;
}

function noteWhatAnswered(cmd: FlashCommand | ReadCommand, report: Reporter, protocol: string, baud: number | null): void {
  const t = cmd.target;
  if (cmd.dialect !== 'avrdude' || (t.protocol === protocol && (baud === null || t.baud === undefined || t.baud === baud))) return;
  report.note(
    `the bootloader answered ${protocol.toUpperCase()}${baud === null ? '' : ` at ${baud} baud`}, not the -c/-b given; ` +
      'HexFlash used what answered. Setting those in the tool saves the search next time.',
  );
}

function reportTo(cmd: FlashCommand | ReadCommand, report: Reporter): (e: FlashEvent | ReadEvent) => void {
  return (e) => {
    report.event(e);
    if (e.state === 'connected') noteWhatAnswered(cmd, report, e.protocol, e.baud);
  };
}

export async function runFlash(cmd: FlashCommand, io: JobIo): Promise<number> {
  const report = createReporter(cmd.dialect, cmd.verbosity, cmd.quiet, io.err, cmd.file);
  try {
    const image = await loadImage(cmd);
    const request = { ...cmd.target, image, verify: cmd.verify };
    checkRequest(request);
    for (const n of cmd.notes) report.note(n);
    const result = await flashOnPort(cmd, request, io, report);
    const verified = cmd.verify && result.bytesVerified === result.bytesWritten;
    report.flashed(result, verified);
    if (cmd.dialect === 'hexflash') io.out(JSON.stringify({ ok: true, ...result }));
    if (verified) return EXIT_OK;
    // avrdude's -V: a finished write without verify is its success; HexFlash's own dialect says "not proven".
    return cmd.dialect === 'avrdude' && !cmd.verify ? EXIT_OK : EXIT_NOT_VERIFIED;
  } catch (e) {
    return fail(cmd, io, report, e);
  }
}

/** The flash itself on cmd.port, once the image is loaded and checked; `watch` sees every event too. */
export function flashOnPort(cmd: FlashCommand, request: FlashRequest, io: JobIo, report: Reporter, watch?: (e: FlashEvent) => void): Promise<FlashResult> {
  const toReport = reportTo(cmd, report);
  return withLink(cmd, io, report, (link, usb) =>
    flashFirmware({ ...request, usb }, {
      link,
      clock: systemClock,
      signal: io.signal,
      verbose: cmd.verbosity >= 2,
      onEvent: (e) => {
        watch?.(e);
        toReport(e);
      },
    }),
  );
}

export async function runRead(cmd: ReadCommand, io: JobIo): Promise<number> {
  const report = createReporter(cmd.dialect, cmd.verbosity, cmd.quiet, io.err);
  try {
    const result = await withLink(cmd, io, report, (link) =>
      readFirmware(cmd.target, {
        link,
        clock: systemClock,
        signal: io.signal,
        verbose: cmd.verbosity >= 2,
        onEvent: reportTo(cmd, report),
      }),
    );
    const data = cmd.format === 'bin' ? result.bytes : new TextEncoder().encode(backupHex(result.bytes));
    try {
      await writeFile(cmd.out, data);
    } catch (e) {
      throw new FlashError('bad-argument', `Cannot write "${cmd.out}" (${(e as NodeJS.ErrnoException).code ?? 'error'}).`, { cause: e });
    }
    report.read(result, cmd.out);
    const { bytes, ...summary } = result;
    if (cmd.dialect === 'hexflash') io.out(JSON.stringify({ ok: true, file: cmd.out, bytesInFile: bytes.length, ...summary }));
    return EXIT_OK;
  } catch (e) {
    return fail(cmd, io, report, e);
  }
}
