// npm run bench:jitter: seeded runs on every adapter model with its jitter (the timers' phases drawn
// per seed, Wi-Fi 5-30 ms per transfer, and 'fixed' at 4 +- 3 ms), flashing the 328p (optiboot) and
// the 2560 (stk500boot) in turn through the app's Web Serial path. Emulated boards on virtual time:
// much faster than real time, and exact (the host's code shares the MCU's timeline; no machine load
// can make a send early or late). Every run must end verified byte for byte; prints how many
// pipelined and how many dropped back to one command at a time, and writes bench-results/jitter-runs.md.
// JITTER_RUNS=n changes the 50 runs per model.
import { mkdirSync, writeFileSync } from 'node:fs';
import { LINK_MODELS, type LinkModelName } from '../emulator/link-models.js';
import { flashThrough } from '../pipeline/rig.js';

const RUNS = Number(process.env.JITTER_RUNS ?? 50);

interface Tally {
  runs: number;
  verified: number;
  pipelined: number;
  droppedBack: number;
  lost: number;
  ms: number[];
  reasons: Map<string, number>;
}

async function main(): Promise<void> {
  const rows: string[] = [];
  const header = '| link model | runs | verified | pipelined | dropped back | UART bytes lost | median write + verify s (virtual) | why they dropped back |';
  rows.push(header, `|${'---|'.repeat(8)}`);
  console.log(header);
  let failed = false;
  const t0 = performance.now();
  for (const link of LINK_MODELS) {
    const t: Tally = { runs: 0, verified: 0, pipelined: 0, droppedBack: 0, lost: 0, ms: [], reasons: new Map() };
    for (let seed = 1; seed <= RUNS; seed++) {
      const mega = seed % 2 === 0;
      const r = await flashThrough({
        ...(mega ? { bootloader: 'stk500v2-atmega2560', board: 'arduino-mega2560', imageBytes: 12 * 1024 } : { bootloader: 'optiboot-atmega328p', board: 'arduino-uno', imageBytes: 6 * 1024 }),
        link: link as LinkModelName,
        seed,
        latencyMs: 4,
        jitterMs: 3,
      }).catch((e: unknown) => {
        console.error(`${link} seed ${seed}: ${String(e)}`);
        return null;
      });
      t.runs++;
      if (!r || !r.equal) {
        failed = true;
        continue;
      }
      t.verified++;
      t.ms.push(r.result.recovery.reconnects > 0 ? r.result.ms.total : r.result.ms.write + r.result.ms.verify);
      if (r.result.pipeline.pages > 0) t.pipelined++;
      t.lost += r.bytesLost;
      const why = r.result.pipeline.droppedBack;
      if (why) {
        t.droppedBack++;
        const key = why.replace(/\(.*\)/, '').replace(/\d+ ms/, 'N ms').trim();
        t.reasons.set(key, (t.reasons.get(key) ?? 0) + 1);
      }
    }
    const ms = [...t.ms].sort((a, b) => a - b);
    const reasons = [...t.reasons].map(([k, n]) => `${n}: ${k}`).join('; ') || '-';
    const row = `| ${link}${link === 'fixed' ? ' (4 +- 3 ms)' : ''} | ${t.runs} | ${t.verified} | ${t.pipelined} | ${t.droppedBack} | ${t.lost} | ${((ms[ms.length >> 1] ?? NaN) / 1000).toFixed(2)} | ${reasons} |`;
    rows.push(row);
    console.log(row);
  }
  mkdirSync('bench-results', { recursive: true });
  writeFileSync(
    'bench-results/jitter-runs.md',
    [
      '# Seeded jitter runs on every adapter model',
      '',
      `Measured by \`npm run bench:jitter\` on ${new Date().toISOString().slice(0, 10)} (${RUNS} runs per model, ${((performance.now() - t0) / 60000).toFixed(1)} min wall): odd seeds flash a 6 KB random`,
      'image to the 328p (optiboot), even seeds 12 KB to the 2560 (stk500boot), through the app\'s Web Serial path on emulated boards on',
      'virtual time (exact, and faster than real time). The adapter models are test/emulator/link-models.ts; each seed draws its timers\'',
      'phases and, for wifi (5-30 ms) and fixed (4 +- 3 ms), every transfer\'s delay. Verified means the emulated flash equals the image byte',
      'for byte. A run drops back to one command at a time at the first late, lost or wrong answer; "UART bytes lost" counts bytes that',
      'reached the bootloader\'s UART while it could not take them (an early send), over all runs of the model, leaving out the 0x00',
      'filler that stk500boot\'s pipelined page writes (and reads, where that is faster) lead with (it lands while the bootloader is busy by design, and is skipped).',
      '',
      ...rows,
      '',
    ].join('\n'),
  );
  console.log('wrote bench-results/jitter-runs.md');
  if (failed) {
    console.error('A jitter run did not end verified: benchmark FAILED.');
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
