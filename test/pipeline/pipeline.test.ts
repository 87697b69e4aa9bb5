// Pipelined flashing against the real bootloaders (stk500boot, optiboot, ATmegaBOOT) on emulated
// boards on virtual time, through the adapter models: every flash verified byte for byte, pages really
// sent ahead of their answers, and not one byte lost in the bootloader's UART (never sent while it
// could not listen). A byte lost mid-write drops the session back and the flash still ends verified.
// A seeded slice of the jitter runs (npm run bench:jitter runs 50 per model).
import { describe, expect, it } from 'vitest';
import type { EmulatedBoard } from '../emulator/board.js';
import type { LinkModelName } from '../emulator/link-models.js';
import { flashThrough, type PipelineRun } from './rig.js';

const MEGA = { bootloader: 'stk500v2-atmega2560', board: 'arduino-mega2560' } as const;
const UNO = { bootloader: 'optiboot-atmega328p', board: 'arduino-uno' } as const;
const MEGA1280 = { bootloader: 'atmegaboot-atmega1280', board: 'arduino-mega1280' } as const;

describe('pipelined pages on the real bootloaders', () => {
  const cases: [string, Omit<PipelineRun, 'seed'>][] = [
    ['stk500boot (2560) through an FTDI adapter', { ...MEGA, link: 'ftdi', imageBytes: 24 * 1024 }],
    ['stk500boot (2560) at 4 ms each way', { ...MEGA, link: 'fixed', latencyMs: 4, imageBytes: 24 * 1024 }],
    ['optiboot (328p) through an FTDI adapter', { ...UNO, link: 'ftdi', imageBytes: 16 * 1024 }],
    ['ATmegaBOOT (1280, 57600 baud) through an FTDI adapter', { ...MEGA1280, link: 'ftdi', imageBytes: 12 * 1024 }],
  ];
  for (const [name, c] of cases) {
    it(`${name}: verified, pages sent ahead of their answers, no byte lost`, { timeout: 120_000 }, async () => {
      const r = await flashThrough({ ...c, seed: 5 });
      expect(r.equal).toBe(true);
      expect(r.result.bytesVerified).toBe(c.imageBytes);
      expect(r.result.pipeline.pages).toBeGreaterThan(0);
      expect(r.result.pipeline.droppedBack).toBeNull();
      expect(r.bytesLost).toBe(0);
    });
  }

  it('optiboot (328p) through the 16U2: its delay (about 2 ms) is too short to gain from pipelining, so one at a time, verified', { timeout: 120_000 }, async () => {
    const r = await flashThrough({ ...UNO, link: '16u2', imageBytes: 16 * 1024, seed: 5 });
    expect(r.equal).toBe(true);
    expect(r.result.pipeline.pages).toBe(0);
    expect(r.result.pipeline.droppedBack).toBeNull();
    expect(r.bytesLost).toBe(0);
  });

  it('one at a time when asked (pipeline off): the same flash, slower through FTDI', { timeout: 120_000 }, async () => {
    const on = await flashThrough({ ...UNO, link: 'ftdi', imageBytes: 16 * 1024, seed: 5 });
    const off = await flashThrough({ ...UNO, link: 'ftdi', imageBytes: 16 * 1024, seed: 5, pipeline: false });
    expect(off.equal).toBe(true);
    expect(off.result.pipeline.pages).toBe(0);
    expect(on.result.ms.write + on.result.ms.verify).toBeLessThan(off.result.ms.write + off.result.ms.verify);
  });

  for (const c of [MEGA, UNO]) {
    it(`${c.board}: a byte lost on the way mid-write drops back to one at a time; the flash ends verified`, { timeout: 120_000 }, async () => {
      // The first byte after 12,000 that is not stk500boot's 0x00 filler (losing filler costs nothing).
      let sent = 0;
      let lost = false;
      const r = await flashThrough({
        ...c,
        link: 'ftdi',
        imageBytes: 16 * 1024,
        seed: 9,
        line: () => ({ toMcu: (v) => (sent++ >= 12_000 && v !== 0 && !lost ? ((lost = true), null) : v), toHost: (v) => v }),
      });
      expect(lost).toBe(true);
      expect(sent).toBeGreaterThan(12_000);
      expect(r.equal).toBe(true);
      expect(r.result.pipeline.pages).toBeGreaterThan(0);
      expect(r.result.pipeline.droppedBack).not.toBeNull();
      expect(r.log.some((l) => l.includes('one command at a time from page'))).toBe(true);
    });
  }
});

describe('stk500boot page reads', () => {
  /** Counts the 0x00 filler (runs of more than two: a frame holds two apart) the host sends after its last page write, once it sends READ_FLASH_ISP frames (1B seq 00 04 0E 14). */
  const fillerInVerify = () => {
    const last: number[] = [];
    const seen = { verify: false, zeros: 0 };
    let run = 0;
    const line = () => ({
      toMcu: (v: number) => {
        run = v === 0 ? run + 1 : 0;
        if (seen.verify && run > 2) seen.zeros += run === 3 ? 3 : 1;
        last.push(v);
        if (last.length > 6) last.shift();
        if (last[0] === 0x1b && last[2] === 0 && last[3] === 4 && last[4] === 0x0e && last[5] === 0x14) seen.verify = true;
        // A PROGRAM_FLASH_ISP frame (1B seq 01 0A 0E 13): the page reads before it sampled the link.
        if (last[0] === 0x1b && last[2] === 1 && last[3] === 0x0a && last[4] === 0x0e && last[5] === 0x13) seen.zeros = 0;
        return v;
      },
      toHost: (v: number) => v,
    });
    return { seen, line };
  };

  it("lead with filler through FTDI, where the wire then paces them closer than the host's timers may (no margin for the way's 1 ms USB frames); not at a steady 4 ms, where both would be as close", { timeout: 120_000 }, async () => {
    const ftdi = fillerInVerify();
    const r = await flashThrough({ ...MEGA, link: 'ftdi', imageBytes: 24 * 1024, seed: 3, line: ftdi.line });
    expect(r.equal).toBe(true);
    expect(r.log.some((l) => /page reads sent before the answer/.test(l))).toBe(true);
    // 96 reads, about 80 of them pipelined, each led by some 280 bytes of filler.
    expect(ftdi.seen.zeros).toBeGreaterThan(60 * 250);
    expect(r.bytesLost).toBe(0);
    expect(r.result.pipeline.droppedBack).toBeNull();
    const steady = fillerInVerify();
    const s = await flashThrough({ ...MEGA, link: 'fixed', latencyMs: 4, imageBytes: 8 * 1024, seed: 3, line: steady.line });
    expect(s.equal).toBe(true);
    expect(steady.seen.verify).toBe(true);
    expect(steady.seen.zeros).toBe(0);
  });
});

describe('optiboot learns the link from the pages the flash needs', () => {
  it('each page write\'s address answer is a short round trip: no GET_SYNC sent only to measure the link, pipelined from the first pages on', { timeout: 120_000 }, async () => {
    // The host's bytes between ENTER_PROGMODE and the first LOAD_ADDRESS (nothing but commands there).
    let stage: 'before' | 'learning' | 'pages' = 'before';
    let previous = -1;
    let syncs = 0;
    const watch = () => ({
      toMcu: (v: number) => {
        if (stage === 'before' && previous === 0x50 && v === 0x20) stage = 'learning';
        else if (stage === 'learning' && v === 0x55) stage = 'pages';
        else if (stage === 'learning' && v === 0x30) syncs++;
        previous = v;
        return v;
      },
      toHost: (v: number) => v,
    });
    const r = await flashThrough({ ...UNO, link: 'fixed', latencyMs: 4, jitterMs: 0.3, imageBytes: 16 * 1024, seed: 7, line: watch });
    expect(r.equal).toBe(true);
    expect(stage).toBe('pages');
    expect(syncs).toBe(0);
    // 128 pages written and 128 read; at most 8 of each learnt one at a time.
    expect(r.result.pipeline.pages).toBeGreaterThanOrEqual(2 * 128 - 16);
    expect(r.bytesLost).toBe(0);
  });
});

describe('a queue on the way that holds a page, then lets it go with the next right behind it', () => {
  // The first command the host writes after `atMs` (the board's time) is held `ms` on its way
  // (board.holdNextWrite); the host cannot see that.
  const holdOnce = (atMs: number, ms = 40) => (board: EmulatedBoard) => {
    let held = false;
    return { toMcu: (v: number) => (!held && board.clock.now() >= atMs && ((held = true), board.holdNextWrite(ms)), v), toHost: (v: number) => v };
  };
  it('optiboot, mid-write: a page held on its way holds the answer to its address too, and the next page waits for that answer, so nothing is lost and pipelining goes on', { timeout: 120_000 }, async () => {
    for (const ms of [5, 40]) {
      const r = await flashThrough({ ...UNO, link: 'fixed', latencyMs: 4, imageBytes: 16 * 1024, seed: 11, line: holdOnce(1_500, ms) });
      expect(r.equal).toBe(true);
      expect(r.bytesLost).toBe(0);
      expect(r.result.pipeline.droppedBack).toBeNull();
      expect(r.result.recovery).toEqual({ resyncs: 0, repairs: 0, reconnects: 0 });
    }
  });

  it('optiboot, mid-write: the tail of a page held on its way, its address answered on time; the page sent ahead arrives while the bootloader writes, bytes are lost; the session drops back, finds it gone with one short GET_SYNC, resets the board and ends verified', { timeout: 120_000 }, async () => {
    const splitOnce = (board: EmulatedBoard) => {
      let split = false;
      return { toMcu: (v: number) => (!split && board.clock.now() >= 1_500 && ((split = true), board.splitNextWrite(40, 10)), v), toHost: (v: number) => v };
    };
    const r = await flashThrough({ ...UNO, link: 'fixed', latencyMs: 4, imageBytes: 16 * 1024, seed: 11, line: splitOnce });
    expect(r.equal).toBe(true);
    expect(r.result.bytesVerified).toBe(16 * 1024);
    expect(r.result.pipeline.pages).toBeGreaterThan(0);
    expect(r.result.pipeline.droppedBack).not.toBeNull();
    expect(r.result.recovery.reconnects).toBe(1);
    // Straight to the reset: no page command and resync each waiting out a full deadline first.
    expect(r.result.recovery.resyncs).toBe(0);
    expect(r.log.some((l) => l.includes('stopped answering after a page sent ahead'))).toBe(true);
    expect(r.bytesLost).toBeGreaterThan(0);
  });

  it('stk500boot, mid-write: the page sent ahead leads with idle filler as long as the bootloader needs, so only filler is lost and pipelining goes on', { timeout: 120_000 }, async () => {
    let zeros = 0;
    const r = await flashThrough({ ...MEGA, link: 'fixed', latencyMs: 4, imageBytes: 16 * 1024, seed: 11, line: holdOnce(1_500), onBoard: (b) => (zeros = b.stats.zerosLost) });
    expect(r.equal).toBe(true);
    expect(zeros).toBeGreaterThan(0);
    expect(r.bytesLost).toBe(0);
    expect(r.result.pipeline.droppedBack).toBeNull();
    expect(r.result.recovery).toEqual({ resyncs: 0, repairs: 0, reconnects: 0 });
  });

  for (const c of [MEGA, UNO]) {
    it(`${c.board}, mid-verify: the next page read waits until the answer before has begun to arrive, so nothing is lost`, { timeout: 120_000 }, async () => {
      const r = await flashThrough({ ...c, link: 'fixed', latencyMs: 4, imageBytes: 16 * 1024, seed: 11, line: holdOnce(3_100) });
      expect(r.equal).toBe(true);
      expect(r.log.some((l) => /page reads sent before the answer/.test(l))).toBe(true);
      expect(r.bytesLost).toBe(0);
      expect(r.result.recovery.reconnects).toBe(0);
    });

    it(`${c.board}, mid-verify, held less than a page's time: the next read waits until the answer before, begun late, may have ended, so nothing is lost`, { timeout: 120_000 }, async () => {
      for (const ms of [5, 10]) {
        const r = await flashThrough({ ...c, link: 'fixed', latencyMs: 4, imageBytes: 16 * 1024, seed: 11, line: holdOnce(3_100, ms) });
        expect(r.equal).toBe(true);
        expect(r.bytesLost).toBe(0);
        expect(r.result.pipeline.droppedBack).toBeNull();
        expect(r.result.recovery).toEqual({ resyncs: 0, repairs: 0, reconnects: 0 });
      }
    });
  }

  it('optiboot over a link that cannot reset the board: no page goes ahead (one left early would strand the bootloader)', { timeout: 120_000 }, async () => {
    const r = await flashThrough({ ...UNO, link: 'fixed', latencyMs: 4, imageBytes: 8 * 1024, seed: 11, noReset: true });
    expect(r.equal).toBe(true);
    expect(r.result.pipeline.pages).toBe(0);
    expect(r.log.some((l) => l.includes('cannot reset the board'))).toBe(true);
  });

  it('stk500boot over the same link still pipelines: a page lost there costs a re-synchronisation, not the bootloader', { timeout: 120_000 }, async () => {
    const r = await flashThrough({ ...MEGA, link: 'fixed', latencyMs: 4, imageBytes: 8 * 1024, seed: 11, noReset: true });
    expect(r.equal).toBe(true);
    expect(r.result.pipeline.pages).toBeGreaterThan(0);
  });
});

describe('stk500boot through a Wi-Fi bridge (5-30 ms each way)', () => {
  it('pipelines its pages without dropping back: filler counted for the fastest adapter makes each page longer on the wire than the interval, and an answer is late only counting from that pace', { timeout: 120_000 }, async () => {
    const r = await flashThrough({ ...MEGA, link: 'wifi', imageBytes: 12 * 1024, seed: 2 });
    expect(r.equal).toBe(true);
    expect(r.result.pipeline.pages).toBeGreaterThan(20);
    expect(r.result.pipeline.droppedBack).toBeNull();
    expect(r.bytesLost).toBe(0);
  });
});

describe('seeded jitter runs (a slice of npm run bench:jitter)', () => {
  const models: LinkModelName[] = ['ftdi', 'ch340', '16u2', 'wifi'];
  for (const link of models) {
    it(`${link}: two seeds on the 328p, every flash verified`, { timeout: 180_000 }, async () => {
      for (const seed of [101, 102]) {
        const r = await flashThrough({ ...UNO, link, imageBytes: 8 * 1024, seed });
        expect(r.equal).toBe(true);
        expect(r.result.bytesVerified).toBe(8 * 1024);
      }
    });
  }
});
