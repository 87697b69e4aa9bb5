// The fault campaign: seeded runs across every fault kind on the ATmega2560 and ATmega328P benches,
// on virtual time, split over worker processes. Prints per fault kind: succeeded (and how many of
// those needed a resync, repair or reconnect), failed cleanly (with error codes), false successes,
// hangs, ports left open, bootloader bytes changed, and whether the clean run after each failure
// succeeded; writes bench-results/faults.md. Exits 1 when any run lied, hung, held the port,
// touched the bootloader, or left a board that the next clean run could not flash. Also feeds the
// Intel HEX parser 12,000 fuzzed inputs and counts what it did with them.
// Run: npm run faults [-- --runs 520 --workers 2 --seed 1 --hex 12000]
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { classify, fuzzInputs } from '../core/hex/fuzz-inputs.js';
import { FAULT_KINDS } from './plan.js';
import { BENCHES, runOne, type RunRecord } from './run.js';

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

async function worker(runs: number, firstSeed: number, index: number, count: number): Promise<void> {
  for (let i = index; i < runs; i += count) {
    const s = schedule(i, firstSeed);
    const rec = await runOne(s.seed, s.kind, s.bench);
    process.stdout.write(`${JSON.stringify(rec)}\n`);
  }
}

function runWorkers(runs: number, firstSeed: number, workers: number): Promise<RunRecord[]> {
  const script = fileURLToPath(import.meta.url);
  const records: RunRecord[] = [];
  let done = 0;
  const started = performance.now();
  return Promise.all(
    Array.from({ length: workers }, (_, w) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, '--worker', String(w), '--workers', String(workers), '--runs', String(runs), '--seed', String(firstSeed)], {
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

async function main(): Promise<number> {
  const runs = arg('runs', 520);
  const firstSeed = arg('seed', 1);
  const workers = arg('workers', 2);
  const w = process.argv.indexOf('--worker');
  if (w >= 0) {
    await worker(runs, firstSeed, Number(process.argv[w + 1]), workers);
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
  process.stdout.write(`${text}\n`);
  mkdirSync(`${ROOT}bench-results`, { recursive: true });
  writeFileSync(`${ROOT}bench-results/faults.md`, text);
  return bad.length === 0 && hex.other === 0 && hex.badImage === 0 ? 0 : 1;
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
