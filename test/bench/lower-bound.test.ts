// The floor of acceptance 3 is a floor: one command at a time on virtual time (no host in the way, no
// latency) a flash takes exactly the bytes on the wire plus the bootloader's own time the emulated
// board measured over the page commands (pageThinkMs). The stk500boot answers' idle wire between bytes
// (its transmit-complete wait) and optiboot's page write between its two answer bytes are its own time.
import { describe, expect, it } from 'vitest';
import { BOARDS } from '../../src/core/boards.js';
import { DEVICES } from '../../src/core/devices.js';
import { flashThrough } from '../pipeline/rig.js';
import { floorMs } from './lower-bound.js';

const CASES = [
  { bootloader: 'stk500v2-atmega2560', board: 'arduino-mega2560', kb: 16 },
  { bootloader: 'optiboot-atmega328p', board: 'arduino-uno', kb: 8 },
] as const;

describe('the flash-speed floor', () => {
  for (const c of CASES) {
    it(`is what a one-at-a-time flash of the ${BOARDS[c.board].name} takes on a 0 ms link, within 0.3 %`, async () => {
      const r = await flashThrough({ bootloader: c.bootloader, board: c.board, link: 'fixed', latencyMs: 0, imageBytes: c.kb * 1024, seed: 7, pipeline: false });
      expect(r.equal).toBe(true);
      const floor = floorMs(BOARDS[c.board].protocol, DEVICES[BOARDS[c.board].mcu].pageBytes, c.kb * 1024, r.bootloaderMs);
      const ms = r.result.ms.write + r.result.ms.verify;
      expect(ms / floor).toBeGreaterThan(0.997);
      expect(ms / floor).toBeLessThan(1.003);
    });
  }
});
