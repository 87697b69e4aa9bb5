// Runs one seeded fault run and prints its record and the session's log: for looking into a seed.
// Run: npx tsx test/faults/one.ts SEED KIND BOARD [IMAGE_BYTES]   (BOARD: 2560 or 328p)
import { BENCHES, runOne } from './run.js';
import { FAMILY_KINDS, FAULT_KINDS, type FamilyKind, type FaultKind } from './plan.js';

const [seedText, kindText, boardText, bytesText] = process.argv.slice(2);
const kind = kindText as FaultKind | FamilyKind | 'clean';
if (kind !== 'clean' && ![...FAULT_KINDS, ...FAMILY_KINDS].includes(kind as FaultKind)) throw new Error(`kind: ${[...FAULT_KINDS, ...FAMILY_KINDS, 'clean'].join(', ')}`);
const bench = BENCHES.find((b) => b.name.includes(boardText ?? '2560'));
if (!bench) throw new Error('board: 2560 or 328P');
const t0 = performance.now();
const rec = await runOne(Number(seedText ?? 1), kind, bench, (t) => process.stderr.write(`${t}\n`), { ...(bytesText ? { imageBytes: Number(bytesText) } : {}), ...((FAMILY_KINDS as readonly string[]).includes(kind) ? { auto: false } : {}), verbose: process.env.VERBOSE === '1' });
process.stdout.write(`${JSON.stringify({ ...rec, wallMs: Math.round(performance.now() - t0) }, null, 1)}\n`);
