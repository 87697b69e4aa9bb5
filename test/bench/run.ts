// npm run bench: HexFlash against avrdude on the same emulated boards at real-time speed, at 0 and
// 4 ms of USB-adapter latency per transfer. Prints a table and writes bench-results/flash-speed.md,
// then what "Detect automatically" costs per board (detect-cost.ts, bench-results/detect-cost.md).
// A run that leaves the emulated flash different from the image fails the benchmark.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOARDS, type BoardId } from '../../src/core/boards.js';
import { DEVICES } from '../../src/core/devices.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { parseIntelHex, toIntelHex } from '../../src/core/hex/intel-hex.js';
import type { FirmwareImage } from '../../src/core/hex/image.js';
import { flashFirmware } from '../../src/core/session.js';
import { openTcpLink } from '../../src/transports/tcp.js';
import { systemClock } from '../../src/transports/system-clock.js';
import { EmulatedBoard } from '../emulator/board.js';
import { loadBootloader, type BootloaderId } from '../emulator/bootloaders.js';
import { startTcpBridge } from '../emulator/tcp-bridge.js';
import { randomBytes } from '../helpers/random.js';
import { avrdudeArgs, runAvrdude } from './avrdude.js';
import { startCountingProxy, type ProxyStats } from './counting-proxy.js';
import { writeDetectCost } from './detect-cost.js';
import { lowerBoundMs } from './lower-bound.js';

interface Scenario {
  readonly bootloader: BootloaderId;
  readonly board: BoardId;
  readonly part: string;
  readonly imageBytes: number;
  readonly latencyMs: number;
}

const SCENARIOS: Scenario[] = [];
for (const latencyMs of [0, 4]) {
  SCENARIOS.push({ bootloader: 'stk500v2-atmega2560', board: 'arduino-mega2560', part: 'm2560', imageBytes: 100 * 1024, latencyMs });
  SCENARIOS.push({ bootloader: 'optiboot-atmega328p', board: 'arduino-uno', part: 'm328p', imageBytes: 28 * 1024, latencyMs });
  SCENARIOS.push({ bootloader: 'caterina-atmega32u4', board: 'arduino-leonardo', part: 'm32u4', imageBytes: 25 * 1024, latencyMs });
}

interface Measured {
  readonly ms: number;
  readonly stats: ProxyStats;
  readonly ok: boolean;
  readonly note: string;
}

async function withBoard<T>(s: Scenario, run: (port: number, board: EmulatedBoard) => Promise<T>): Promise<T> {
  const info = await loadBootloader(s.bootloader);
  const board = new EmulatedBoard({
    mcu: info.mcu,
    bootloader: { bytes: parseIntelHex(info.hexText).bytes, start: info.start },
    speed: 'realtime',
    latencyMs: s.latencyMs,
    usbCdc: info.usbCdc,
  });
  board.start();
  const bridge = await startTcpBridge(board, { host: '127.0.0.1', port: 0, baud: info.baud });
  try {
    return await run(bridge.port, board);
  } finally {
    await bridge.close();
    await board.stop();
  }
}

function flashMatches(board: EmulatedBoard, image: FirmwareImage): boolean {
  for (let i = 0; i < image.end; i++) if (board.flash[i] !== image.bytes[i]) return false;
  return true;
}

async function runHexFlash(s: Scenario, image: FirmwareImage): Promise<Measured> {
  return withBoard(s, async (bridgePort, board) => {
    const proxy = await startCountingProxy(bridgePort, DEVICES[BOARDS[s.board].mcu].pageBytes);
    const link = await openTcpLink(`net:127.0.0.1:${proxy.port}`, systemClock);
    try {
      const r = await flashFirmware({ image, board: s.board }, { link, clock: systemClock });
      const ok = flashMatches(board, image);
      const trips = `setup ${r.roundTrips.setup}, write ${r.roundTrips.write}, verify ${r.roundTrips.verify}`;
      return { ms: r.ms.write + r.ms.verify, stats: { ...proxy.stats }, ok, note: trips };
    } finally {
      await link.close();
      await proxy.close();
    }
  });
}

async function runReference(s: Scenario, hexFile: string): Promise<Measured> {
  return withBoard(s, async (bridgePort, board) => {
    const proxy = await startCountingProxy(bridgePort, DEVICES[BOARDS[s.board].mcu].pageBytes);
    try {
      const protocol = BOARDS[s.board].protocol;
      const r = await runAvrdude(avrdudeArgs(protocol, s.part, proxy.port, BOARDS[s.board].baud, hexFile));
      const image = parseIntelHex((await import('node:fs')).readFileSync(hexFile, 'latin1'));
      const ok = r.ok && flashMatches(board, image);
      return { ms: r.writeMs + r.verifyMs, stats: { ...proxy.stats }, ok, note: r.ok ? '' : r.output.slice(-400) };
    } finally {
      await proxy.close();
    }
  });
}

const fmt = (ms: number): string => (ms / 1000).toFixed(2);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hexflash-bench-'));
  const rows: string[] = [];
  let failed = false;
  const header =
    '| board | image | latency | HexFlash s | avrdude s | ratio | lower bound s | HexFlash / bound | round trips HexFlash (avrdude) | bytes to board HexFlash (avrdude) | bytes from board HexFlash (avrdude) | reset to first page ms HexFlash (avrdude) | flash equals image |';
  rows.push(header, `|${'---|'.repeat(13)}`);
  console.log(header);
  for (const s of SCENARIOS) {
    const image = imageFromSegments([{ address: 0, data: randomBytes(s.imageBytes, 42) }]);
    const hexFile = join(dir, `${s.board}.hex`);
    writeFileSync(hexFile, toIntelHex(image));
    const hf = await runHexFlash(s, image);
    const ad = await runReference(s, hexFile);
    const bound = lowerBoundMs(BOARDS[s.board].protocol, DEVICES[BOARDS[s.board].mcu].pageBytes, image.end, s.latencyMs);
    failed ||= !hf.ok || !ad.ok;
    const row = `| ${BOARDS[s.board].name} | ${(s.imageBytes / 1024).toFixed(0)} KB | ${s.latencyMs} ms | ${fmt(hf.ms)} | ${fmt(ad.ms)} | ${(hf.ms / ad.ms).toFixed(2)} | ${fmt(bound)} | ${(hf.ms / bound).toFixed(3)} | ${hf.stats.roundTrips} (${ad.stats.roundTrips}) | ${hf.stats.bytesToBoard} (${ad.stats.bytesToBoard}) | ${hf.stats.bytesFromBoard} (${ad.stats.bytesFromBoard}) | ${hf.stats.resetToFirstPageMs?.toFixed(0) ?? '-'} (${ad.stats.resetToFirstPageMs?.toFixed(0) ?? '-'}) | ${hf.ok && ad.ok ? 'yes' : `NO (HexFlash ${hf.ok}, avrdude ${ad.ok})`} |`;
    rows.push(row);
    console.log(row);
    console.log(`    HexFlash round trips: ${hf.note}${ad.note ? `; avrdude: ${ad.note}` : ''}`);
  }
  mkdirSync('bench-results', { recursive: true });
  const md = [
    '# Flash speed: HexFlash vs avrdude on the emulated boards',
    '',
    `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: real bootloaders on the emulated MCU at real-time speed (16 MHz, 4 ms page erase and write),`,
    'through a TCP bridge; latency is added by the emulated USB adapter to every transfer in each direction.',
    'Times are write + verify. Round trips and bytes are counted on the wire for the whole run, setup included.',
    'The lower bound is the bytes one round trip per page needs at the bootloader\'s real baud (117647 for 115200 with UBRR 16),',
    'plus the page erase and write time the bootloader cannot overlap, plus two latencies per round trip.',
    'The Leonardo (Caterina, AVR109) talks over its own USB, modelled as a 1 Mbaud link: ten times faster than the UART boards,',
    'so the per-round-trip cost of HexFlash\'s TCP client, the counting proxy and the bridge sharing one Node event loop with the',
    'emulator (avrdude runs in its own process) weighs more there at 0 ms latency.',
    '',
    ...rows,
    '',
  ].join('\n');
  writeFileSync('bench-results/flash-speed.md', md);
  console.log('\nwrote bench-results/flash-speed.md');
  console.log('\nWhat "Detect automatically" costs per board (bench-results/detect-cost.md):');
  if (!(await writeDetectCost())) {
    console.error('A board found before issue 12 is detected more than 10 % slower: benchmark FAILED.');
    failed = true;
  }
  if (failed) {
    console.error('A benchmarked run left the emulated flash different from the image (or failed): benchmark FAILED.');
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
