import { flashThrough } from '../pipeline/rig.js';
const link = process.argv[2] as any; const from = Number(process.argv[3] ?? 1), to = Number(process.argv[4] ?? 50);
for (let seed = from; seed <= to; seed++) {
  const mega = seed % 2 === 0;
  const r = await flashThrough({ ...(mega ? { bootloader: 'stk500v2-atmega2560', board: 'arduino-mega2560', imageBytes: 12 * 1024 } : { bootloader: 'optiboot-atmega328p', board: 'arduino-uno', imageBytes: 6 * 1024 }) as any, link, latencyMs: 4, jitterMs: 3, seed });
  if (r.bytesLost > 0 || r.result.pipeline.droppedBack) { console.log(seed, r.equal, 'lost', r.bytesLost, r.result.pipeline, r.result.recovery); console.log(r.log.filter((l) => /ahead|time from|before the answer|Re-sync|Reset|again/.test(l)).join('\n')); }
}
console.log('done');
