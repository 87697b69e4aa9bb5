// One seeded fault run, the way the app runs a flash (src/app/flash-service.ts runFlash over the
// real Web Serial adapter on an EmulatedSerialPort), on virtual time; then, after a failure, one
// clean run on the same board. Classifies the outcome against the emulated flash.
import { runFlash, type FlashOutcome } from '../../src/app/flash-service.js';
import { BOARDS, type BoardId } from '../../src/core/boards.js';
import { linkAllowanceMs, MAX_COUNTED_ROUND_TRIP_MS, sessionBudgetMs } from '../../src/core/deadline.js';
import { DEVICES } from '../../src/core/devices.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import type { FirmwareImage } from '../../src/core/hex/image.js';
import { openWebSerialLink } from '../../src/transports/web-serial.js';
import { EmulatedBoard } from '../emulator/board.js';
import { loadBootloader, type BootloaderId, type BootloaderInfo } from '../emulator/bootloaders.js';
import { EmulatedSerialPort } from '../emulator/serial-port.js';
import { isLinkModelName, LINK_MODELS, type LinkModelName } from '../emulator/link-models.js';
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { prng, randomBytes } from '../helpers/random.js';
import { clearFaults, installPlan, makePlan, type FamilyKind, type FaultKind, type FaultPlan, type StreamShape } from './plan.js';

export interface Bench {
  readonly name: string;
  readonly bootloader: BootloaderId;
  readonly board: BoardId;
}

export const BENCHES: readonly Bench[] = [
  { name: 'ATmega2560 (stk500boot, STK500v2)', bootloader: 'stk500v2-atmega2560', board: 'arduino-mega2560' },
  { name: 'ATmega328P (optiboot, STK500v1)', bootloader: 'optiboot-atmega328p', board: 'arduino-uno' },
];

export type Verdict = 'succeeded' | 'failed-cleanly' | 'false-success' | 'hang' | 'port-held';

export interface RunRecord {
  readonly seed: number;
  readonly bench: string;
  readonly kind: FaultKind | FamilyKind | 'clean';
  readonly plan: FaultPlan | null;
  readonly protocolAuto: boolean;
  readonly imageBytes: number;
  readonly verdict: Verdict;
  /** Resyncs + repairs + reconnects, for a success. */
  readonly recovered: boolean;
  /** The error code of a failure. */
  readonly code: string | null;
  readonly message: string | null;
  /** Bytes of the bootloader that changed (never brick: must be 0). */
  readonly bootloaderChanged: number;
  /** Bytes past the image's last page and below the bootloader that were written (changed, and not to 0xFF). */
  readonly strayBytes: number;
  /** The clean run after a failure: null when none was needed. */
  readonly followUp: Verdict | null;
  readonly virtualMs: number;
  /** The session's deadline for this image. */
  readonly budgetMs: number;
}

export interface RunOptions {
  /** The image's size; by default a random 0.5-4 KiB. */
  readonly imageBytes?: number;
  /** Flash through the board preset (false) or protocol auto (true); by default chosen by the seed. */
  readonly auto?: boolean;
  /** Log every command and answer. */
  readonly verbose?: boolean;
}

/** The adapter model the runs go through: FAULT_LINK=ftdi (ch340, 16u2, wifi), 'fixed' (0 ms) by default. */
export function faultLink(): LinkModelName {
  const name = process.env.FAULT_LINK ?? 'fixed';
  if (!isLinkModelName(name)) throw new Error(`FAULT_LINK: one of ${LINK_MODELS.join(', ')}`);
  return name;
}

/** Whether the flash below the bootloader holds the image, and how many boot bytes changed. */
function check(board: EmulatedBoard, info: BootloaderInfo, image: FirmwareImage, bootBefore: Uint8Array): { ok: boolean; bootChanged: number } {
  let ok = true;
  for (let i = 0; i < image.end; i++) {
    if (board.flash[i] !== (image.bytes[i] ?? 0xff)) {
      ok = false;
      break;
    }
  }
  const boot = board.flash.subarray(info.start);
  let bootChanged = 0;
  for (let i = 0; i < boot.length; i++) if (boot[i] !== bootBefore[i]) bootChanged++;
  return { ok, bootChanged };
}

function stray(board: EmulatedBoard, before: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (board.flash[i] !== before[i] && board.flash[i] !== 0xff) n++;
  return n;
}

function shapeOf(info: BootloaderInfo, image: FirmwareImage, pageBytes: number): StreamShape {
  const pages = Math.ceil(image.end / pageBytes);
  return info.protocol === 'stk500v2'
    ? { toBoard: 60 + pages * (pageBytes + 16 + 10), fromBoard: 40 + pages * (8 + pageBytes + 9) }
    : { toBoard: 20 + pages * (pageBytes + 9 + 9), fromBoard: 20 + pages * (4 + pageBytes + 4) };
}

/** One attempt through the app's flash path; resolves with a verdict even when the session hangs. */
async function attempt(
  board: EmulatedBoard,
  port: EmulatedSerialPort,
  image: FirmwareImage,
  bench: Bench,
  auto: boolean,
  onLog: (text: string) => void,
  verbose = false,
): Promise<{ outcome: FlashOutcome | null }> {
  const clock = board.clock;
  const request = auto ? { protocol: 'auto' as const, mcu: BOARDS[bench.board].mcu } : { board: bench.board };
  const page = DEVICES[BOARDS[bench.board].mcu].pageBytes;
  // The session grows its own limit with the round trip it measures, counted up to a ceiling.
  const budget = sessionBudgetMs(image.end, page) + linkAllowanceMs(image.end, page, MAX_COUNTED_ROUND_TRIP_MS);
  let cancelWatch = (): void => undefined;
  const watchdog = new Promise<null>((resolve) => {
    // A run still going 5 s (virtual) past the session's own deadline is a hang.
    cancelWatch = clock.setTimer(budget + 5000, () => resolve(null));
  });
  const flash = runFlash(
    { image, request, verbose },
    {
      requestPort: async () => port as unknown as SerialPort,
      openLink: (p, o) => openWebSerialLink(p, { ...o, clock }),
      clock,
    },
    (u) => {
      if (u.state === 'log') onLog(`${Math.round(clock.now())} ms ${u.text}`);
    },
  );
  const outcome = await Promise.race([flash, watchdog]);
  cancelWatch();
  return { outcome };
}

/**
 * `onLog` receives the session's log lines (with virtual time), for looking into one seed. Kind
 * 'clean' runs the same setup without any fault, for the time a faulty run is compared with.
 */
export async function runOne(
  seed: number,
  kind: FaultKind | FamilyKind | 'clean',
  bench: Bench,
  onLog: (text: string) => void = () => undefined,
  opts: RunOptions = {},
): Promise<RunRecord> {
  const info = await loadBootloader(bench.bootloader);
  const r = prng(seed);
  const device = DEVICES[BOARDS[bench.board].mcu];
  const app = info.start;
  // The board runs an older firmware, so a page written without being erased shows up in verify.
  const old = randomBytes(Math.min(app, 24 * 1024), seed + 1_000_000);
  const board = new EmulatedBoard({
    mcu: info.mcu,
    bootloader: { bytes: parseIntelHex(info.hexText).bytes, start: info.start },
    speed: 'virtual',
    application: old,
    random: prng(seed + 2_000_000),
    link: faultLink(),
  });
  const bootBefore = board.flash.slice(info.start);
  const flashBefore = board.flash.slice();
  let port = new EmulatedSerialPort(board);
  const randomSize = Math.floor(512 + r() * 3.5 * 1024);
  const size = opts.imageBytes ?? randomSize;
  const image = imageFromSegments([{ address: 0, data: randomBytes(size, seed) }]);
  const seededAuto = r() < 0.5;
  const auto = opts.auto ?? seededAuto;
  const plan = kind === 'clean' ? null : makePlan(seed, kind, shapeOf(info, image, device.pageBytes));
  if (plan) installPlan(plan, board, port, info.baud);
  board.start();
  const v0 = board.clock.now();
  try {
    const { outcome } = await attempt(board, port, image, bench, auto, onLog, opts.verbose);
    const virtualMs = Math.round(board.clock.now() - v0);
    const released = port.readable === null && port.writable === null;
    const state = check(board, info, image, bootBefore);
    let verdict: Verdict;
    if (outcome === null) verdict = 'hang';
    else if (outcome.state === 'done') verdict = state.ok ? 'succeeded' : 'false-success';
    else verdict = released ? 'failed-cleanly' : 'port-held';
    const error = outcome?.state === 'error' ? outcome.error : null;
    const result = outcome?.state === 'done' ? outcome.result : null;
    const recovered = result !== null && result.recovery.resyncs + result.recovery.repairs + result.recovery.reconnects > 0;

    let followUp: Verdict | null = null;
    if (verdict !== 'succeeded') {
      clearFaults(board, port);
      // An unplugged adapter comes back as a new port object, as in the browser.
      if (kind === 'disconnect') port = new EmulatedSerialPort(board);
      const clean = await attempt(board, port, image, bench, auto, onLog);
      const after = check(board, info, image, bootBefore);
      followUp = clean.outcome === null ? 'hang' : clean.outcome.state === 'done' && after.ok ? 'succeeded' : 'failed-cleanly';
    }
    return {
      seed,
      bench: bench.name,
      kind,
      plan,
      protocolAuto: auto,
      imageBytes: size,
      verdict,
      recovered,
      code: error?.code ?? null,
      message: error?.message ?? null,
      bootloaderChanged: check(board, info, image, bootBefore).bootChanged,
      strayBytes: stray(board, flashBefore, Math.ceil(image.end / device.pageBytes) * device.pageBytes, info.start),
      followUp,
      virtualMs,
      budgetMs: result?.budgetMs ?? sessionBudgetMs(image.end, device.pageBytes),
    };
  } finally {
    await board.stop();
  }
}
