// npm run bench:detect (also the last part of npm run bench): what "Detect automatically" costs per
// board, from the first reset to the chip's signature, on the emulated boards at real-time speed
// through the Web Serial adapter. Compares the candidate order before issue 12 (STK500v2 115200,
// STK500v1 115200, STK500v1 57600) with today's (those three, then STK500v1 19200 and AVR109), and
// today's with the port's USB ID as a hint (a 32U4 bootloader port puts AVR109 first). Writes
// bench-results/detect-cost.md. Each figure is the median of three runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { AUTO_CANDIDATES, candidatesFor, detectBootloader, type Candidate } from '../../src/core/detect.js';
import { deviceBySignature, formatSignature } from '../../src/core/devices.js';
import { SILENT, type ProtocolId } from '../../src/core/programmer.js';
import { parseResetSequence, RESET_SEQUENCES } from '../../src/core/reset.js';
import type { BootloaderId } from '../emulator/bootloaders.js';
import { startBench } from '../helpers/bench-board.js';

interface Row {
  readonly name: string;
  readonly bootloader: BootloaderId;
  /** The protocol a USB ID names for this board, if it has one of its own (32U4). */
  readonly usbHint?: ProtocolId;
}

const ROWS: readonly Row[] = [
  { name: 'Arduino Mega 2560', bootloader: 'stk500v2-atmega2560' },
  { name: 'Arduino Uno (optiboot)', bootloader: 'optiboot-atmega328p' },
  { name: 'Anet A8 (ATmegaBOOT 1284P, 57600)', bootloader: 'atmegaboot-atmega1284p' },
  { name: 'Arduino Mega 1280 (ATmegaBOOT, 57600)', bootloader: 'atmegaboot-atmega1280' },
  { name: 'Arduino Diecimila (ATmega168, 19200)', bootloader: 'atmegaboot-diecimila-atmega168' },
  { name: 'Arduino NG (ATmega168, 19200)', bootloader: 'atmegaboot-ng-atmega168' },
  { name: 'Arduino NG (ATmega8, 19200)', bootloader: 'atmegaboot-atmega8' },
  { name: 'Arduino Leonardo (Caterina, AVR109)', bootloader: 'caterina-atmega32u4', usbHint: 'avr109' },
];

const RUNS = 3;
/** The order "Detect automatically" had before issue 12. */
const BEFORE: readonly Candidate[] = AUTO_CANDIDATES.slice(0, 3);

/** Milliseconds from the first reset to the signature, or null when no candidate answered. */
async function detectMs(row: Row, candidates: readonly Candidate[]): Promise<{ ms: number | null; found: string }> {
  const bench = await startBench(row.bootloader, { speed: 'realtime' });
  const link = await bench.open(candidates[0]?.baud ?? 115200);
  const clock = bench.board.clock;
  try {
    const t0 = clock.now();
    const d = await detectBootloader({ link, clock, candidates, reset: parseResetSequence(RESET_SEQUENCES.arduino), logger: SILENT, onAttempt: () => undefined });
    const sig = await d.client.readSignature();
    const ms = clock.now() - t0;
    const chip = deviceBySignature(sig)?.device.name ?? formatSignature(sig);
    return { ms, found: `${chip}: ${d.candidate.protocol.toUpperCase()} at ${d.candidate.baud}` };
  } catch {
    return { ms: null, found: 'not found' };
  } finally {
    await link.close();
    await bench.stop();
  }
}

async function median(row: Row, candidates: readonly Candidate[]): Promise<{ ms: number | null; found: string }> {
  const runs: { ms: number | null; found: string }[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await detectMs(row, candidates));
  const ok = runs.filter((r) => r.ms !== null).map((r) => r.ms ?? 0).sort((a, b) => a - b);
  const found = runs.find((r) => r.ms !== null)?.found ?? 'not found';
  return { ms: ok.length === RUNS ? (ok[1] ?? null) : null, found };
}

const fmt = (ms: number | null): string => (ms === null ? 'not found' : (ms / 1000).toFixed(2));

export async function detectCostTable(): Promise<{ rows: string[]; worstChange: number }> {
  const header = '| board | found as | before issue 12, s | now, s | change | now with the USB ID hint, s |';
  const rows = [header, '|---|---|---|---|---|---|'];
  console.log(header);
  let worstChange = 0;
  for (const row of ROWS) {
    const before = await median(row, BEFORE);
    const now = await median(row, candidatesFor('auto', undefined, {}));
    const hinted = row.usbHint ? await median(row, candidatesFor('auto', undefined, { likely: row.usbHint })) : null;
    let change = '-';
    if (before.ms !== null && now.ms !== null) {
      const c = (now.ms - before.ms) / before.ms;
      worstChange = Math.max(worstChange, c);
      change = `${c >= 0 ? '+' : ''}${(c * 100).toFixed(1)} %`;
    }
    const line = `| ${row.name} | ${now.found} | ${fmt(before.ms)} | ${fmt(now.ms)} | ${change} | ${hinted ? fmt(hinted.ms) : '-'} |`;
    rows.push(line);
    console.log(line);
  }
  return { rows, worstChange };
}

export async function writeDetectCost(): Promise<boolean> {
  const { rows, worstChange } = await detectCostTable();
  const ok = worstChange <= 0.1;
  const md = [
    '# What "Detect automatically" costs per board',
    '',
    `Measured by \`npm run bench:detect\` on ${new Date().toISOString().slice(0, 10)}: real bootloaders on the emulated MCU at real-time speed,`,
    'through the Web Serial adapter, from the first reset pulse to the chip\'s signature (median of three runs).',
    '"Before issue 12" is the candidate order STK500v2 115200, STK500v1 115200, STK500v1 57600; "now" adds STK500v1 19200 and',
    'AVR109 after them; the hint is the port\'s USB ID (a 32U4 bootloader port puts AVR109 first). The ATmega32U4 runs Caterina',
    'over its own USB, modelled on its USART, and DTR does not reset it.',
    '',
    ...rows,
    '',
    `Largest slowdown of a board found before issue 12: ${(worstChange * 100).toFixed(1)} % (limit 10 %): ${ok ? 'within' : 'OVER'} the limit.`,
    '',
  ].join('\n');
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/detect-cost.md', md);
  console.log(`\nLargest slowdown of a board found before: ${(worstChange * 100).toFixed(1)} %; wrote bench-results/detect-cost.md`);
  return ok;
}

if (process.argv[1]?.endsWith('detect-cost.ts')) {
  writeDetectCost().then(
    (ok) => {
      if (!ok) process.exitCode = 1;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
