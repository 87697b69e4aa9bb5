// The bench's rows on virtual time: HexFlash alone (avrdude cannot run on the board's timeline) on the
// same boards, images and adapter models as the real-time rows, in process with an emulated board whose
// clock the host shares. Exact and independent of the machine's load: what the protocol itself achieves.
import { BOARDS, type BoardId } from '../../src/core/boards.js';
import { DEVICES } from '../../src/core/devices.js';
import type { BootloaderId } from '../emulator/bootloaders.js';
import type { LinkModelName } from '../emulator/link-models.js';
import { flashThrough } from '../pipeline/rig.js';
import { floorMs } from './lower-bound.js';

export interface VirtualScenario {
  readonly bootloader: BootloaderId;
  readonly board: BoardId;
  readonly imageBytes: number;
  readonly link: LinkModelName;
  readonly latencyMs: number;
}

/** Markdown rows (after a header), printed as they come; false when a flash did not end verified. */
export async function virtualRows(scenarios: readonly VirtualScenario[], label: (s: VirtualScenario) => string, out: string[]): Promise<boolean> {
  const header = '| board | image | link | HexFlash s (virtual) | HexFlash / own 0 ms | floor s (bootloader ms/page) | HexFlash / floor | pages pipelined (dropped back) | UART bytes lost | flash equals image |';
  out.push(header, `|${'---|'.repeat(10)}`);
  console.log(header);
  const zero = new Map<string, number>();
  let ok = true;
  for (const s of scenarios) {
    const r = await flashThrough({ bootloader: s.bootloader, board: s.board, link: s.link, latencyMs: s.latencyMs, imageBytes: s.imageBytes, seed: 42 });
    const ms = r.result.recovery.reconnects > 0 ? r.result.ms.total : r.result.ms.write + r.result.ms.verify;
    if (s.link === 'fixed' && s.latencyMs === 0) zero.set(s.board, ms);
    const page = DEVICES[BOARDS[s.board].mcu].pageBytes;
    const pages = Math.ceil(s.imageBytes / page);
    const floor = floorMs(BOARDS[s.board].protocol, page, s.imageBytes, r.bootloaderMs);
    const own = zero.get(s.board);
    ok &&= r.equal;
    const row =
      `| ${BOARDS[s.board].name} | ${(s.imageBytes / 1024).toFixed(0)} KB | ${label(s)} | ${(ms / 1000).toFixed(2)} | ${own ? (ms / own).toFixed(3) : '-'} | ` +
      `${(floor / 1000).toFixed(2)} (${(r.bootloaderMs / pages).toFixed(2)}) | ${(ms / floor).toFixed(3)} | ${r.result.pipeline.pages} (${r.result.pipeline.droppedBack ? 'yes' : 'no'}) | ${r.bytesLost} | ${r.equal ? 'yes' : 'NO'} |`;
    out.push(row);
    console.log(row);
  }
  return ok;
}
