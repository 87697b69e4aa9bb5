// Several boards at once: one flash job per board, all started together and each with its own
// port, link, session deadline and port release (flash-service.ts, unchanged). A board that fails,
// or whose job throws, ends with its own error; the others go on. The image comes from an
// ImageResolver (core/fleet.ts): the same image on all, or one chosen per board from what the
// board says it is (then the board is probed first: reset, signature, leave).
import { FlashError, toFlashError } from '../core/errors.js';
import { fleetRow, isRefusal, type BoardIdentity, type FleetRow, type ImageResolver, type Refusal } from '../core/fleet.js';
import type { FirmwareImage } from '../core/hex/image.js';
import { identifyBoard } from '../core/identify.js';
import type { FlashRequest } from '../core/session.js';
import { idsOf, onBoardPort, runFlash, type FlashDeps, type FlashOutcome, type FlashUpdate } from './flash-service.js';
import { portInfo } from './port-info.js';

export interface MultiBoardPort {
  /** Tells the boards apart in reports (the label may repeat for identical adapters). */
  readonly key: string;
  readonly port: SerialPort;
  readonly label: string;
}

export interface MultiJob {
  readonly images: ImageResolver;
  readonly request: Omit<FlashRequest, 'image'>;
  readonly verbose: boolean;
}

export interface BoardOutcome {
  readonly key: string;
  readonly outcome: FlashOutcome;
  readonly row: FleetRow;
}

/** Flashes every board in parallel; resolves once all have ended, never rejects. */
export function flashBoards(
  boards: readonly MultiBoardPort[],
  job: MultiJob,
  deps: FlashDeps,
  report: (key: string, u: FlashUpdate) => void,
  signal?: AbortSignal,
): Promise<BoardOutcome[]> {
  return Promise.all(boards.map((b) => flashBoard(b, job, deps, (u) => report(b.key, u), signal)));
}

async function flashBoard(b: MultiBoardPort, job: MultiJob, deps: FlashDeps, report: (u: FlashUpdate) => void, signal?: AbortSignal): Promise<BoardOutcome> {
  const t0 = deps.clock.now();
  const seen: { mcu?: string; protocol?: string } = {};
  const watch = (u: FlashUpdate): void => {
    if (u.state === 'connected') Object.assign(seen, { mcu: u.mcu, protocol: u.protocol });
    try {
      report(u);
    } catch {
      // A view that fails to render one update must not end this board's flash.
    }
  };
  let outcome: FlashOutcome;
  let refused = false;
  try {
    const image = job.images.fixed ?? (await imageFor(b, job, deps, watch, signal));
    if (isRefusal(image)) {
      refused = true;
      outcome = { state: 'error', error: new FlashError('signature-mismatch', `No firmware for this board: ${image.refused} Nothing was written.`), port: portInfo(b.port) };
      watch(outcome);
    } else {
      outcome = await runFlash({ image, request: job.request, verbose: job.verbose, port: b.port }, deps, watch, signal);
    }
  } catch (e) {
    outcome = { state: 'error', error: signal?.aborted ? new FlashError('aborted', '', { cause: e }) : toFlashError(e), port: portInfo(b.port) };
    watch(outcome);
  }
  const ms = Math.round(deps.clock.now() - t0);
  const end =
    outcome.state === 'done'
      ? { result: outcome.result }
      : { error: outcome.state === 'error' ? outcome.error : new FlashError('port-unreachable', 'The port was not offered.'), refused };
  return { key: b.key, outcome, row: fleetRow(b.label, end, seen, ms) };
}

/** Asks the board who it is, on its own port (released again), and lets the resolver pick its image. */
async function imageFor(b: MultiBoardPort, job: MultiJob, deps: FlashDeps, report: (u: FlashUpdate) => void, signal?: AbortSignal) {
  const probed = await onBoardPort(job.request, deps, report, signal, b.port, async (link, info) => {
    const usb = idsOf(info);
    const found = await identifyBoard({ ...job.request, ...(usb ? { usb } : {}) }, { link, clock: deps.clock, ...(signal ? { signal } : {}), onEvent: report });
    await found.leave();
    const identity: BoardIdentity = { signature: found.signature, protocol: found.protocol, baud: found.baud, ...(usb ? { usbIds: usb } : {}) };
    return { mcu: found.mcu, identity };
  });
  if (probed.state !== 'done') throw probed.state === 'error' ? probed.error : new FlashError('port-unreachable', 'The port was not offered.');
  const { mcu, identity } = probed.value;
  const picked: FirmwareImage | Refusal = await job.images(identity);
  report({ state: 'log', level: 'info', text: `${b.label}: ${mcu} (${identity.signature}) ${isRefusal(picked) ? 'gets no firmware' : 'gets its build'}.` });
  return picked;
}

