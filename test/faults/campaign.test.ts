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
