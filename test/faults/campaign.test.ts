// A slice of the fault campaign in every test run: each fault kind once on each board, seeded, on
// virtual time. The full campaign (npm run faults, 520 runs) prints the figures; this keeps it honest.
import { describe, expect, it } from 'vitest';
import { schedule } from './campaign.js';
import { FAULT_KINDS } from './plan.js';
import { BENCHES, runOne } from './run.js';

describe('fault campaign slice', () => {
  const runs = FAULT_KINDS.length * BENCHES.length;
  for (let i = 0; i < runs; i++) {
    const s = schedule(i, 9001);
    it(`seed ${s.seed}: ${s.kind} on the ${s.bench.name}`, async () => {
      const r = await runOne(s.seed, s.kind, s.bench);
      expect(['succeeded', 'failed-cleanly']).toContain(r.verdict);
      expect(r.bootloaderChanged).toBe(0);
      if (r.verdict === 'failed-cleanly') {
        expect(r.code).not.toBeNull();
        expect(r.followUp).toBe('succeeded');
      }
      // These faults leave nothing to refuse: the session must come through them.
      if (!['disconnect', 'port-busy', 'stall'].includes(s.kind)) expect(r.verdict).toBe('succeeded');
    });
  }
});

describe('session-long fault families, a seeded slice (npm run faults runs the full ones)', () => {
  for (const [kind, bench, bytes] of [
    ['persistent', BENCHES[1], 8_000],
    ['persistent', BENCHES[0], 24_000],
    ['latency-jitter', BENCHES[0], 24_000],
  ] as const) {
    if (!bench) continue;
    it(`${kind} on the ${bench.name}, ${bytes / 1000} KB: verified despite the faults, within the session's own deadline`, async () => {
      const r = await runOne(9101, kind, bench, () => undefined, { imageBytes: bytes, auto: false });
      expect(r.verdict, `${r.code}: ${r.message}`).toBe('succeeded');
      expect(r.bootloaderChanged).toBe(0);
      expect(r.virtualMs).toBeLessThan(r.budgetMs);
    });
  }
});
