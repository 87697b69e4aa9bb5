// Compiles the emulator before a board runs at real time. A fresh JS engine (a new page, a new
// process) runs the CPU emulation slower than real time until it has compiled it: a real-time board
// then falls tens of ms behind its own clock and its first answers come that late, which no real
// board does. The flasher's Pacer (core/pipeline) took such an answer for the spread of the link and
// never sent a page ahead. Here the same bootloader runs one flash on a throwaway board on virtual
// time (as fast as the engine goes, nothing late), so the code a real-time board runs is hot.
import { BOARDS, type BoardId } from '../../src/core/boards.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { flashFirmware } from '../../src/core/session.js';
import { openWebSerialLink } from '../../src/transports/web-serial.js';
import { randomBytes } from '../helpers/random.js';
import { EmulatedBoard, type BoardOptions } from './board.js';
import { EmulatedSerialPort } from './serial-port.js';

/** Enough pages for the engine to compile the page loops, in well under a second. */
const WARM_BYTES = 4096;

/** Flashes `board` once (write and verify) on a throwaway board like `opts`; throws unless it verified. */
export async function warmUp(board: BoardId, opts: Pick<BoardOptions, 'mcu' | 'bootloader'>): Promise<void> {
  const b = new EmulatedBoard({ ...opts, speed: 'virtual', link: 'ftdi' });
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
