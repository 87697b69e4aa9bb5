// One seeded fault run, the way the app runs a flash (src/app/flash-service.ts runFlash over the
// real Web Serial adapter on an EmulatedSerialPort), on virtual time; then, after a failure, one
// clean run on the same board. Classifies the outcome against the emulated flash.
import { runFlash, type FlashOutcome } from '../../src/app/flash-service.js';
import { BOARDS, type BoardId } from '../../src/core/boards.js';
import { sessionBudgetMs } from '../../src/core/deadline.js';
import { DEVICES } from '../../src/core/devices.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import type { FirmwareImage } from '../../src/core/hex/image.js';
import { openWebSerialLink } from '../../src/transports/web-serial.js';
import { EmulatedBoard } from '../emulator/board.js';
import { loadBootloader, type BootloaderId, type BootloaderInfo } from '../emulator/bootloaders.js';
import { EmulatedSerialPort } from '../emulator/serial-port.js';
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { prng, randomBytes } from '../helpers/random.js';
import { clearFaults, installPlan, makePlan, type FaultKind, type FaultPlan, type StreamShape } from './plan.js';

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
  readonly kind: FaultKind;
  readonly plan: FaultPlan;
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
): Promise<{ outcome: FlashOutcome | null }> {
  const clock = board.clock;
  const request = auto ? { protocol: 'auto' as const, mcu: BOARDS[bench.board].mcu } : { board: bench.board };
  const budget = sessionBudgetMs(image.end, DEVICES[BOARDS[bench.board].mcu].pageBytes);
  let cancelWatch = (): void => undefined;
  const watchdog = new Promise<null>((resolve) => {
    // A run still going 5 s (virtual) past the session's own deadline is a hang.
    cancelWatch = clock.setTimer(budget + 5000, () => resolve(null));
  });
  const flash = runFlash(
    { image, request, verbose: false },
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

/** `onLog` receives the session's log lines (with virtual time), for looking into one seed. */
export async function runOne(seed: number, kind: FaultKind, bench: Bench, onLog: (text: string) => void = () => undefined): Promise<RunRecord> {
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
  });
  const bootBefore = board.flash.slice(info.start);
  const flashBefore = board.flash.slice();
  let port = new EmulatedSerialPort(board);
  const size = Math.floor(512 + r() * 3.5 * 1024);
  const image = imageFromSegments([{ address: 0, data: randomBytes(size, seed) }]);
  const auto = r() < 0.5;
  const plan = makePlan(seed, kind, shapeOf(info, image, device.pageBytes));
  installPlan(plan, board, port, info.baud);
  board.start();
  const v0 = board.clock.now();
  try {
    const { outcome } = await attempt(board, port, image, bench, auto, onLog);
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
    };
  } finally {
    await board.stop();
  }
}
