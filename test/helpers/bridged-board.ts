// An emulated board with its real bootloader behind a TCP listener in this process, for tests that
// run the CLI as another process against it (net:127.0.0.1:PORT), with the listener's client policy
// and the board's line faults set per test.
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { EmulatedBoard, type Speed } from '../emulator/board.js';
import { loadBootloader, type BootloaderId, type BootloaderInfo } from '../emulator/bootloaders.js';
import { startTcpBridge, type ClientPolicy, type TcpBridge } from '../emulator/tcp-bridge.js';

export interface BridgedBoard {
  readonly board: EmulatedBoard;
  readonly bridge: TcpBridge;
  readonly info: BootloaderInfo;
  /** "net:127.0.0.1:PORT" */
  readonly spec: string;
  stop(): Promise<void>;
}

export async function startBridgedBoard(
  id: BootloaderId,
  opts: { clients?: ClientPolicy; speed?: Speed; bootloader?: boolean; resetOn?: 'connect' | 'first-byte' } = {},
): Promise<BridgedBoard> {
  const info = await loadBootloader(id);
  const board = new EmulatedBoard({
    mcu: info.mcu,
    bootloader: opts.bootloader === false ? null : { bytes: parseIntelHex(info.hexText).bytes, start: info.start },
    speed: opts.speed ?? 'adaptive',
  });
  board.start();
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
