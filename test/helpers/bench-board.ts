// Starts an emulated board with its real bootloader and opens the real Web Serial adapter on an
// EmulatedSerialPort wired to it: the whole path a browser uses, minus the browser.
import { openWebSerialLink } from '../../src/transports/web-serial.js';
import type { QueueLink } from '../../src/core/link/queue-link.js';
import { loadBootloader, type BootloaderId, type BootloaderInfo } from '../emulator/bootloaders.js';
import { EmulatedBoard, type Speed } from '../emulator/board.js';
import { EmulatedSerialPort } from '../emulator/serial-port.js';
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';

export interface BenchBoard {
  readonly board: EmulatedBoard;
  readonly port: EmulatedSerialPort;
  readonly bootloader: BootloaderInfo;
  open(baud: number): Promise<QueueLink>;
  stop(): Promise<void>;
}

export interface BenchOptions {
  readonly speed?: Speed;
  readonly latencyMs?: number;
  readonly application?: Uint8Array;
}

export async function startBench(id: BootloaderId, opts: BenchOptions = {}): Promise<BenchBoard> {
  const bootloader = await loadBootloader(id);
  const image = parseIntelHex(bootloader.hexText);
  const board = new EmulatedBoard({
    mcu: bootloader.mcu,
    bootloader: { bytes: image.bytes, start: bootloader.start },
    speed: opts.speed ?? 'adaptive',
    ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
    ...(opts.application ? { application: opts.application } : {}),
    usbCdc: bootloader.usbCdc,
  });
  board.start();
  const port = new EmulatedSerialPort(board);
  return {
    board,
    port,
    bootloader,
    // board.clock: the wall clock, or emulated time with speed 'virtual'.
    open: (baud) => openWebSerialLink(port as unknown as SerialPort, { baud, clock: board.clock }),
    stop: () => board.stop(),
  };
}
