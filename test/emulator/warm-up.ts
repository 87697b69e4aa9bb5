// Compiles the emulator before a board runs at real time. A fresh JS engine (a new page, a new
// process) runs the CPU emulation slower than real time until it has compiled it: a real-time board
// then falls tens of ms behind its own clock and its first answers come that late, which no real
// board does. The flasher's Pacer (core/pipeline) took such an answer for the spread of the link and
// never sent a page ahead. Here the same bootloader runs one flash on a throwaway board on virtual
// time (as fast as the engine goes, nothing late), so the code a real-time board runs is hot; and,
// given `realTime`, one more at real time ('locked') through the same adapter model as the board to
// come: the engine compiles the real-time loop and the model's code only once they run, and until
// then steps of 20-50 ms held a fresh real-time board up to 100 ms behind the clock (a 2-core VM).
import { BOARDS, type BoardId } from '../../src/core/boards.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { flashFirmware } from '../../src/core/session.js';
import { openWebSerialLink } from '../../src/transports/web-serial.js';
import { randomBytes } from '../helpers/random.js';
import { EmulatedBoard, type BoardOptions } from './board.js';
import type { LinkModelName } from './link-models.js';
import { EmulatedSerialPort } from './serial-port.js';

/** Enough pages for the engine to compile the page loops, in well under a second. */
const WARM_BYTES = 4096;

export interface RealTimeWarmUp {
  readonly link: LinkModelName;
  readonly latencyMs?: number;
}

/**
 * Flashes `board` once (write and verify) on a throwaway board like `opts` on virtual time, then,
 * given `realTime`, once more at real time through that adapter model; throws unless both verified.
 */
export async function warmUp(board: BoardId, opts: Pick<BoardOptions, 'mcu' | 'bootloader'>, realTime?: RealTimeWarmUp): Promise<void> {
  await warmFlash(board, new EmulatedBoard({ ...opts, speed: 'virtual', link: 'ftdi' }));
  if (realTime) await warmFlash(board, new EmulatedBoard({ ...opts, speed: 'locked', link: realTime.link, latencyMs: realTime.latencyMs ?? 0 }));
}

async function warmFlash(board: BoardId, b: EmulatedBoard): Promise<void> {
  b.start();
  const link = await openWebSerialLink(new EmulatedSerialPort(b) as unknown as SerialPort, { baud: BOARDS[board].baud, clock: b.clock });
  try {
    const image = imageFromSegments([{ address: 0, data: randomBytes(WARM_BYTES, 7) }]);
    const r = await flashFirmware({ image, board }, { link, clock: b.clock });
    if (r.bytesVerified !== WARM_BYTES) throw new Error(`the warm-up flash verified ${r.bytesVerified} of ${WARM_BYTES} bytes`);
  } finally {
    await link.close();
    await b.stop();
  }
}
