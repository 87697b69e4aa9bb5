// An emulated board with its real bootloader behind a TCP listener in this process, for tests that
// run the CLI as another process against it: a raw TCP bridge (net:127.0.0.1:PORT) with the
// listener's client policy and the board's line faults set per test, or an RFC 2217 server
// (rfc2217://127.0.0.1:PORT) that carries baud and DTR/RTS.
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { EmulatedBoard, type Speed } from '../emulator/board.js';
import { loadBootloader, type BootloaderId, type BootloaderInfo } from '../emulator/bootloaders.js';
import { startRfc2217Listener, type Rfc2217Listener } from '../emulator/rfc2217-listener.js';
import { startTcpBridge, type ClientPolicy, type TcpBridge } from '../emulator/tcp-bridge.js';

export interface BridgedBoard {
  readonly board: EmulatedBoard;
  readonly bridge: TcpBridge;
  readonly info: BootloaderInfo;
  /** "net:127.0.0.1:PORT" */
  readonly spec: string;
  stop(): Promise<void>;
}

export interface Rfc2217Board {
  readonly board: EmulatedBoard;
  readonly listener: Rfc2217Listener;
  readonly info: BootloaderInfo;
  /** "rfc2217://127.0.0.1:PORT" */
  readonly spec: string;
  stop(): Promise<void>;
}

interface BoardChoice {
  speed?: Speed;
  bootloader?: boolean;
}

async function startBoard(id: BootloaderId, opts: BoardChoice): Promise<{ board: EmulatedBoard; info: BootloaderInfo }> {
  const info = await loadBootloader(id);
  const board = new EmulatedBoard({
    mcu: info.mcu,
    bootloader: opts.bootloader === false ? null : { bytes: parseIntelHex(info.hexText).bytes, start: info.start },
    speed: opts.speed ?? 'adaptive',
  });
  board.start();
  return { board, info };
}

export async function startBridgedBoard(
  id: BootloaderId,
  opts: BoardChoice & { clients?: ClientPolicy; resetOn?: 'connect' | 'first-byte' } = {},
): Promise<BridgedBoard> {
  const { board, info } = await startBoard(id, opts);
  const bridge = await startTcpBridge(board, { baud: info.baud, clients: opts.clients ?? 'replace', ...(opts.resetOn ? { resetOn: opts.resetOn } : {}) });
  return {
    board,
    bridge,
    info,
    spec: `net:127.0.0.1:${bridge.port}`,
    stop: async () => {
      await bridge.close();
      await board.stop();
    },
  };
}

/** The board behind the emulated RFC 2217 server; its line starts at `lineBaud` (the bootloader's by default). */
export async function startRfc2217Board(id: BootloaderId, opts: BoardChoice & { lineBaud?: number } = {}): Promise<Rfc2217Board> {
  const { board, info } = await startBoard(id, opts);
  const listener = await startRfc2217Listener(board, { baud: opts.lineBaud ?? info.baud });
  return {
    board,
    listener,
    info,
    spec: `rfc2217://127.0.0.1:${listener.port}`,
    stop: async () => {
      await listener.close();
      await board.stop();
    },
  };
}
