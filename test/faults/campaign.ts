// The fault campaign: seeded runs across every fault kind on the ATmega2560 and ATmega328P benches,
// on virtual time, split over worker processes. Prints per fault kind: succeeded (and how many of
// those needed a resync, repair or reconnect), failed cleanly (with error codes), false successes,
// hangs, ports left open, bootloader bytes changed, and whether the clean run after each failure
// succeeded; writes bench-results/faults.md. Exits 1 when any run lied, hung, held the port,
// touched the bootloader, or left a board that the next clean run could not flash. Also feeds the
// Intel HEX parser 12,000 fuzzed inputs and counts what it did with them. Then the families that
// last a whole session (plan.ts): persistent faults at fixed rates on large images, and a link with
// 20 ms +- 10 ms each way, each beside a clean run of the same image.
// Run: npm run faults [-- --runs 520 --workers 2 --seed 1 --hex 12000 --family-runs 10 --latency-runs 3]
// FAULT_LINK=ftdi (ch340, 16u2, wifi) runs every flash through that adapter model (run.ts faultLink).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { classify, fuzzInputs } from '../core/hex/fuzz-inputs.js';
import { FAULT_KINDS, LATENCY_JITTER, PERSISTENT_RATES, type FamilyKind } from './plan.js';
import { BENCHES, runOne, type Bench, type RunRecord } from './run.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) ? v : fallback;
}

/** Run i of the campaign: its seed, fault kind and bench. */
export function schedule(i: number, firstSeed: number): { seed: number; kind: (typeof FAULT_KINDS)[number]; bench: (typeof BENCHES)[number] } {
  const kind = FAULT_KINDS[i % FAULT_KINDS.length] ?? 'stall';
  const bench = BENCHES[Math.floor(i / FAULT_KINDS.length) % BENCHES.length] ?? BENCHES[0];
  if (!bench) throw new Error('no bench');
  return { seed: firstSeed + i, kind, bench };
}

/** Image sizes of the session-long families: a Marlin-sized image on the 2560, a full one on the 328p. */
const FAMILY_IMAGE: Readonly<Record<FamilyKind, readonly number[]>> = {
  persistent: [110_000, 22_000],
  'latency-jitter': [200_000, 22_000],
};

interface FamilyRun {
  readonly seed: number;
  readonly kind: FamilyKind | 'clean';
  readonly bench: Bench;
  readonly imageBytes: number;
  /** The family a clean run is the yardstick for. */
  readonly family: FamilyKind;
}

/** Per bench and family: one clean run of the family's image, then the seeded family runs. */
export function familySchedule(firstSeed: number, persistentRuns: number, latencyRuns: number): FamilyRun[] {
  const runs: FamilyRun[] = [];
  BENCHES.forEach((bench, b) => {
    for (const [family, n] of [['persistent', persistentRuns], ['latency-jitter', latencyRuns]] as const) {
      const imageBytes = FAMILY_IMAGE[family][b] ?? 22_000;
      if (n > 0) runs.push({ seed: firstSeed, kind: 'clean', bench, imageBytes, family });
      for (let i = 0; i < n; i++) runs.push({ seed: firstSeed + i, kind: family, bench, imageBytes, family });
    }
  });
  return runs;
}

async function worker(runs: number, firstSeed: number, index: number, count: number, family: FamilyRun[] | null): Promise<void> {
  const total = family ? family.length : runs;
  for (let i = index; i < total; i += count) {
    const f = family?.[i];
    const s = f ?? schedule(i, firstSeed);
    const rec = await runOne(s.seed, s.kind, s.bench, () => undefined, f ? { imageBytes: f.imageBytes, auto: false } : {});
    process.stdout.write(`${JSON.stringify(f ? { ...rec, family: f.family } : rec)}\n`);
  }
}

function runWorkers(runs: number, firstSeed: number, workers: number, familyArgs: string[] = []): Promise<RunRecord[]> {
  const script = fileURLToPath(import.meta.url);
  const records: RunRecord[] = [];
  let done = 0;
  const started = performance.now();
  return Promise.all(
    Array.from({ length: workers }, (_, w) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, '--worker', String(w), '--workers', String(workers), '--runs', String(runs), '--seed', String(firstSeed), ...familyArgs], {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (!line.startsWith('{')) continue;
            records.push(JSON.parse(line) as RunRecord);
            done++;
            if (done % 20 === 0) process.stderr.write(`faults: ${done}/${runs} runs, ${Math.round((performance.now() - started) / 1000)} s\n`);
          }
        });
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker ${w} exited with ${code}`))));
      }),
    ),
  ).then(() => records.sort((a, b) => a.seed - b.seed));
}

interface Row {
  runs: number;
  succeeded: number;
  recovered: number;
  failedCleanly: number;
  falseSuccess: number;
  hangs: number;
  portHeld: number;
  bootChanged: number;
  stray: number;
  followUpsOk: number;
  followUps: number;
  codes: Map<string, number>;
}

function tally(records: readonly RunRecord[], key: (r: RunRecord) => string): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const r of records) {
    const k = key(r);
    const row = rows.get(k) ?? { runs: 0, succeeded: 0, recovered: 0, failedCleanly: 0, falseSuccess: 0, hangs: 0, portHeld: 0, bootChanged: 0, stray: 0, followUpsOk: 0, followUps: 0, codes: new Map() };
    row.runs++;
    if (r.verdict === 'succeeded') row.succeeded++;
    if (r.verdict === 'succeeded' && r.recovered) row.recovered++;
    if (r.verdict === 'failed-cleanly') row.failedCleanly++;
    if (r.verdict === 'false-success') row.falseSuccess++;
    if (r.verdict === 'hang') row.hangs++;
    if (r.verdict === 'port-held') row.portHeld++;
    if (r.bootloaderChanged > 0) row.bootChanged++;
    if (r.strayBytes > 0) row.stray++;
    if (r.followUp !== null) {
      row.followUps++;
      if (r.followUp === 'succeeded') row.followUpsOk++;
    }
    if (r.code) row.codes.set(r.code, (row.codes.get(r.code) ?? 0) + 1);
    rows.set(k, row);
  }
  return rows;
}

function table(title: string, rows: Map<string, Row>): string {
  const head =
    '| fault | runs | succeeded | of which recovered | failed cleanly (codes) | false successes | hangs | port held | bootloader changed | stray writes past the image | clean run after failure ok |';
  const sep = '|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|';
  const total: Row = { runs: 0, succeeded: 0, recovered: 0, failedCleanly: 0, falseSuccess: 0, hangs: 0, portHeld: 0, bootChanged: 0, stray: 0, followUpsOk: 0, followUps: 0, codes: new Map() };
  const line = (name: string, r: Row): string => {
    const codes = [...r.codes].map(([c, n]) => `${c} ${n}`).join(', ');
    return `| ${name} | ${r.runs} | ${r.succeeded} | ${r.recovered} | ${r.failedCleanly}${codes ? ` (${codes})` : ''} | ${r.falseSuccess} | ${r.hangs} | ${r.portHeld} | ${r.bootChanged} | ${r.stray} | ${r.followUpsOk}/${r.followUps} |`;
  };
  const lines = [`### ${title}`, '', head, sep];
  for (const [name, r] of rows) {
    lines.push(line(name, r));
    for (const k of ['runs', 'succeeded', 'recovered', 'failedCleanly', 'falseSuccess', 'hangs', 'portHeld', 'bootChanged', 'stray', 'followUpsOk', 'followUps'] as const) total[k] += r[k];
    for (const [c, n] of r.codes) total.codes.set(c, (total.codes.get(c) ?? 0) + n);
  }
  lines.push(line('**all**', total));
  return lines.join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Per family and board: successes, what went wrong, times beside the clean run's, and the deadlines. */
function familyTable(records: readonly (RunRecord & { family: FamilyKind })[], wallS: number): string {
  const lines = [
    `## Session-long faults (${wallS} s wall)`,
    '',
    `persistent: in every session, every reconnect included, each byte to the board is lost with p = ${PERSISTENT_RATES.lostToBoard} and flipped with p = ${PERSISTENT_RATES.flippedToBoard}, ` +
      `and each byte from the board flipped with p = ${PERSISTENT_RATES.flippedFromBoard}. latency-jitter: every transfer each way is ${LATENCY_JITTER.latencyMs} ms +- ${LATENCY_JITTER.jitterMs} ms late (bytes never overtake). ` +
      'Board preset given; times are emulated time; the clean run is the same image with no fault; the deadline is the session\'s own, grown with the round trip it measured.',
    '',
    '| family | board | image | runs | succeeded | failed cleanly (codes) | false successes | hangs | clean run | median time | slowest | deadline (slowest run) |',
    '|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  const keys = [...new Set(records.map((r) => `${r.family}|${r.bench}`))];
  for (const key of keys) {
    const [family, bench] = key.split('|');
    const rs = records.filter((r) => r.family === family && r.bench === bench);
    const clean = rs.find((r) => r.kind === 'clean');
    const runs = rs.filter((r) => r.kind !== 'clean');
    if (runs.length === 0) continue;
    const ok = runs.filter((r) => r.verdict === 'succeeded');
    const codes = new Map<string, number>();
    for (const r of runs) if (r.code) codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
    const times = ok.map((r) => r.virtualMs).sort((a, b) => a - b);
    const slowest = [...runs].sort((a, b) => b.virtualMs - a.virtualMs)[0];
    const failed = runs.filter((r) => r.verdict === 'failed-cleanly').length;
    lines.push(
      `| ${family} | ${bench} | ${Math.round((runs[0]?.imageBytes ?? 0) / 1000)} KB | ${runs.length} | ${ok.length} | ${failed}${codes.size ? ` (${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')})` : ''} | ` +
        `${runs.filter((r) => r.verdict === 'false-success').length} | ${runs.filter((r) => r.verdict === 'hang').length} | ` +
        `${clean ? `${seconds(clean.virtualMs)} (${clean.verdict})` : '-'} | ${times.length ? seconds(times[Math.floor(times.length / 2)] ?? 0) : '-'} | ` +
        `${slowest ? seconds(slowest.virtualMs) : '-'} | ${slowest ? seconds(slowest.budgetMs) : '-'} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const runs = arg('runs', 520);
  const firstSeed = arg('seed', 1);
  const workers = arg('workers', 2);
  const persistentRuns = arg('family-runs', 10);
  const latencyRuns = arg('latency-runs', 3);
  const familySeed = arg('family-seed', 1);
  const w = process.argv.indexOf('--worker');
  if (w >= 0) {
    const family = process.argv.includes('--family') ? familySchedule(familySeed, persistentRuns, latencyRuns) : null;
    await worker(runs, firstSeed, Number(process.argv[w + 1]), workers, family);
    return 0;
  }
  const hexRuns = arg('hex', 12_000);
  const hex = { parsed: 0, badImage: 0, lineErrors: 0, other: 0 };
  const th = performance.now();
  for (const text of fuzzInputs(hexRuns)) {
    const o = classify(text);
    if (o.kind === 'parsed') o.problem ? hex.badImage++ : hex.parsed++;
    else if (o.kind === 'line-error') hex.lineErrors++;
    else hex.other++;
  }
  const hexS = ((performance.now() - th) / 1000).toFixed(1);
  const t0 = performance.now();
  const records = await runWorkers(runs, firstSeed, workers);
  const wallS = Math.round((performance.now() - t0) / 1000);
  const virtualS = Math.round(records.reduce((s, r) => s + r.virtualMs, 0) / 1000);
  const byKind = tally(records, (r) => r.kind);
  const byBench = tally(records, (r) => r.bench);
  const bad = records.filter((r) => r.verdict === 'false-success' || r.verdict === 'hang' || r.verdict === 'port-held' || r.bootloaderChanged > 0 || (r.followUp !== null && r.followUp !== 'succeeded'));
  const text = [
    `## Fault campaign: ${records.length} seeded runs (seeds ${firstSeed}-${firstSeed + runs - 1})`,
    '',
    `Command: \`npm run faults -- --runs ${runs} --seed ${firstSeed}\` (${workers} worker processes, ${wallS} s wall, ${virtualS} s of emulated time).`,
    'Each run: a board holding an older firmware, a random 0.5-4 KiB image, the board preset or protocol auto (half each), one seeded fault, flashed through the app\'s flash path (runFlash, Web Serial adapter, EmulatedSerialPort) on virtual time. False success = reported success while the emulated flash differs from the image; hang = still running 5 s after the session\'s own deadline; stray writes = runs that left written (non-0xFF, changed) bytes between the image\'s last page and the bootloader; bootloader changed = runs after which any bootloader byte differs (the emulated chip, like Arduino\'s lock bits, refuses SPM there).',
    '',
    table('By fault kind (both boards)', byKind),
    '',
    table('By board', byBench),
    '',
    `### Intel HEX parser fuzzing (${hexS} s)`,
    '',
    `${hexRuns} seeded mutated and random inputs: ${hex.parsed} parsed into a well-formed image, ${hex.lineErrors} rejected with the parser's own error naming a line, ` +
      `${hex.badImage} parsed into a malformed image, ${hex.other} other exceptions.`,
    '',
    bad.length === 0 ? 'Every run either succeeded with the flash equal to the image or failed cleanly with the port released; every failed run was followed by a clean run that succeeded.' : `Runs that broke a rule: ${bad.map((r) => `seed ${r.seed} ${r.kind} ${r.bench}: ${r.verdict}, follow-up ${r.followUp}`).join('; ')}`,
    '',
  ].join('\n');
  const tf = performance.now();
  const familyRecords = await runWorkers(persistentRuns + latencyRuns > 0 ? 1 : 0, familySeed, workers, [
    '--family',
    '--family-runs',
    String(persistentRuns),
    '--latency-runs',
    String(latencyRuns),
    '--family-seed',
    String(familySeed),
  ]);
  const familyText = familyTable(familyRecords as (RunRecord & { family: FamilyKind })[], Math.round((performance.now() - tf) / 1000));
  const familyBad = familyRecords.filter((r) => r.kind !== 'clean' && (r.verdict === 'false-success' || r.verdict === 'hang' || r.verdict === 'port-held' || r.bootloaderChanged > 0));
  const all = `${text}\n${familyText}\n`;
  process.stdout.write(all);
  mkdirSync(`${ROOT}bench-results`, { recursive: true });
  writeFileSync(`${ROOT}bench-results/faults.md`, all);
  return bad.length === 0 && familyBad.length === 0 && hex.other === 0 && hex.badImage === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
