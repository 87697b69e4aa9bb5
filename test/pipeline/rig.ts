// One flash on an emulated board on virtual time through a named adapter model (test/emulator/
// link-models.ts), the way the app does it (the real Web Serial adapter on an EmulatedSerialPort):
// the pipeline tests and the seeded jitter runs (test/bench/jitter-runs.ts) share it.
import { BOARDS, type BoardId } from '../../src/core/boards.js';
import type { FlashResult } from '../../src/core/events.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { flashFirmware } from '../../src/core/session.js';
import { openWebSerialLink } from '../../src/transports/web-serial.js';
import { EmulatedBoard, type LineFaults } from '../emulator/board.js';
import { loadBootloader, type BootloaderId } from '../emulator/bootloaders.js';
import type { LinkModelName } from '../emulator/link-models.js';
import { EmulatedSerialPort } from '../emulator/serial-port.js';
import { prng, randomBytes } from '../helpers/random.js';

export interface PipelineRun {
  readonly bootloader: BootloaderId;
  readonly board: BoardId;
  readonly link: LinkModelName;
  readonly imageBytes: number;
  readonly seed: number;
  /** For 'fixed': latency each way, and how much each transfer's varies either way. */
  readonly latencyMs?: number;
  readonly jitterMs?: number;
  /** Faults on the wire, installed once the board runs. */
  readonly line?: (board: EmulatedBoard) => LineFaults;
  readonly pipeline?: boolean;
  /** The link says it cannot reset the board (as a pseudo-terminal's does). */
  readonly noReset?: boolean;
  /** The board skips polling loops by whole turns (EmulatedBoard idleSkip); on unless false. */
  readonly idleSkip?: boolean;
  /** Told the board once the flash ended (for its stats). */
  readonly onBoard?: (board: EmulatedBoard) => void;
}

export interface PipelineResult {
  readonly result: FlashResult;
  /** The emulated flash holds the image, byte for byte. */
  readonly equal: boolean;
  readonly virtualMs: number;
  /** Bytes lost in the bootloader's UART, 0x00 filler aside (stk500boot's pipelined writes lead with it). */
  readonly bytesLost: number;
  /** The bootloader's own time over the flash's page commands (EmulatedBoard think.pagesMs). */
  readonly bootloaderMs: number;
  readonly log: string[];
}

export async function flashThrough(r: PipelineRun): Promise<PipelineResult> {
  const info = await loadBootloader(r.bootloader);
  const board = new EmulatedBoard({
    mcu: info.mcu,
    bootloader: { bytes: parseIntelHex(info.hexText).bytes, start: info.start },
    speed: 'virtual',
    link: r.link,
    latencyMs: r.latencyMs ?? 0,
    latencyJitterMs: r.jitterMs ?? 0,
    random: prng(r.seed + 3_000_000),
    // An older firmware in flash: a page written without its erase shows in verify.
    application: randomBytes(Math.min(info.start, 2 * r.imageBytes), r.seed + 1_000_000),
    ...(r.idleSkip === false ? { idleSkip: false } : {}),
  });
  if (r.line) board.line = r.line(board);
  board.start();
  const port = new EmulatedSerialPort(board);
  const image = imageFromSegments([{ address: 0, data: randomBytes(r.imageBytes, r.seed) }]);
  const log: string[] = [];
  const t0 = board.clock.now();
  const link = await openWebSerialLink(port as unknown as SerialPort, { baud: BOARDS[r.board].baud, clock: board.clock });
  if (r.noReset) Object.defineProperty(link, 'canReset', { value: false });
  try {
    const result = await flashFirmware(
      { image, board: r.board },
      {
        link,
        clock: board.clock,
        pipeline: r.pipeline ?? true,
        onEvent: (e) => {
          if (e.state === 'log') log.push(`${board.clock.now().toFixed(1)} ${e.text}`);
        },
      },
    );
    let equal = true;
    for (let i = 0; i < image.end; i++) if (board.flash[i] !== image.bytes[i]) equal = false;
    r.onBoard?.(board);
    return { result, equal, virtualMs: board.clock.now() - t0, bytesLost: board.stats.bytesLost - board.stats.zerosLost, bootloaderMs: board.think.pagesMs, log };
  } finally {
    await link.close();
    await board.stop();
  }
}
