// The Pacer's learning and the pipeline driver on a hand-driven clock: no interval before enough is
// learnt, never a send earlier than the interval after the one before (unless every answer is in),
// and the first late or wrong answer drops back for good, with what was answered right counted.
import { describe, expect, it } from 'vitest';
import { FlashError } from '../../src/core/errors.js';
import type { Clock } from '../../src/core/link/clock.js';
import { LEARN_PAGES, Pacer } from '../../src/core/pipeline/pacer.js';
import { runPipelined, type PipelinedCommands } from '../../src/core/pipeline/run.js';

/** A clock that moves only when every timer due is fired by `advance`. */
class HandClock implements Clock {
  t = 0;
  private timers: { at: number; fn: () => void }[] = [];
  now(): number {
    return this.t;
  }
  setTimer(ms: number, fn: () => void): () => void {
    const timer = { at: this.t + ms, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }
  /** Runs to the next timer (after letting promises settle). */
  async step(): Promise<boolean> {
    for (let i = 0; i < 20; i++) await Promise.resolve();
    this.timers.sort((a, b) => a.at - b.at);
    const next = this.timers.shift();
    if (!next) return false;
    this.t = Math.max(this.t, next.at);
    next.fn();
    return true;
  }
}

function learnt(linkMs: number, pageMs: number): Pacer {
  const p = new Pacer();
  p.useBaud(115200);
  // Short trips: 2 bytes each way plus the link.
  for (let i = 0; i < 30; i++) p.trip(linkMs + 4 * (10_000 / 115200), 2, 2);
  for (let i = 0; i < LEARN_PAGES; i++) p.page('write', pageMs);
  return p;
}

/** A bootloader that needs `busyMs` per command and answers `linkMs` after that; sends are recorded. */
function fakeBoard(clock: HandClock, n: number, busyMs: number, linkMs: number, wrongAt = -1) {
  const sends: number[] = [];
  let readyAt = 0;
  const answers: number[] = [];
  let next = 0;
  let early = 0;
  const c: PipelinedCommands = {
    count: n,
    send: async (i) => {
      sends.push(clock.now());
      if (clock.now() < readyAt - 1e-9) early++;
      readyAt = Math.max(readyAt, clock.now()) + busyMs;
      answers[i] = readyAt + linkMs;
    },
    answer: (ms) =>
      new Promise<boolean>((resolve, reject) => {
        const at = answers[next] ?? Infinity;
        const wait = Math.min(ms, Math.max(0, at - clock.now()));
        clock.setTimer(wait, () => {
          if (clock.now() < at) return resolve(false);
          if (next === wrongAt) return reject(new FlashError('protocol-error', 'wrong'));
          resolve(true);
        });
      }),
    answered: (i) => {
      expect(i).toBe(next);
      next++;
    },
  };
  return { c, sends, early: () => early };
}

async function drive<T>(clock: HandClock, p: Promise<T>): Promise<T> {
  let done = false;
  const r = p.finally(() => (done = true));
  while (!done && (await clock.step()));
  return r;
}

describe('Pacer', () => {
  it('gives no interval while learning, then the page time less the link delay, plus a small margin', () => {
    const p = new Pacer();
    p.useBaud(115200);
    expect(p.interval('write')).toBeNull();
    const q = learnt(8, 40);
    const i = q.interval('write') ?? 0;
    expect(i).toBeGreaterThan(32);
    expect(i).toBeLessThan(34);
    expect(q.interval('read')).toBeNull();
    q.dropBack('test');
    expect(q.interval('write')).toBeNull();
    expect(q.stats.droppedBack).toBe('test');
  });

  it("leads a page with filler that outlasts the bootloader's gap on an adapter 2.1 % faster than the nominal baud (a 16U2's 117,647 for 115200)", () => {
    const cmd = 280;
    const answer = 8;
    const flashMs = 8.7;
    for (const wireBaud of [117647, 115385]) {
      const byte = 10_000 / wireBaud;
      const p = new Pacer();
      p.useBaud(115200);
      for (let i = 0; i < 30; i++) p.trip(4 + 4 * byte, 2, 2);
      for (let i = 0; i < LEARN_PAGES; i++) p.page('write', 4 + (cmd + answer) * byte + flashMs);
      // From the command's last byte in, the bootloader listens again once it wrote and answered.
      const gap = flashMs + answer * byte;
      const filler = p.leadBytes('write', cmd) * byte;
      expect(filler).toBeGreaterThan(gap + byte);
      expect(filler).toBeLessThan(gap + 1.5);
    }
  });

  it("leads a page read with filler from the long answers' starts: it outlasts the bootloader's time and its whole answer on any adapter, and adds no more than the least way to the board", () => {
    const cmd = 10;
    const answer = 265;
    const procMs = 0.2;
    const board = 10_000 / 117647;
    const needed = procMs + answer * board;
    for (const wireBaud of [117647, 115385]) {
      const byte = 10_000 / wireBaud;
      const p = timerLink(0);
      // Starts: the way to the board (0.4 to 1.4 ms, a USB frame), the command's bytes, the bootloader's time.
      for (let i = 0; i < 8; i++) p.answerStart(0.4 + (i % 5) * 0.25 + cmd * byte + procMs);
      for (let i = 0; i < LEARN_PAGES; i++) p.page('read', 40 + (i % 2) * 16);
      const filler = p.leadBytes('read', cmd, answer) * byte;
      expect(filler).toBeGreaterThan(needed + byte);
      // Over: the least way (0.4 ms), the answer counted at the nominal rate, a 0.3 ms margin, two bytes.
      const nominal = 10_000 / 115200;
      expect(filler).toBeLessThan(needed + 0.4 + answer * (nominal - board) + 0.3 + cmd * byte + 2 * byte);
    }
  });

  it("through an adapter that answers on a 16 ms timer, the interval learnt stays within 5 ms above the page time wherever that falls in the timer's period, never below it", () => {
    // Answers reach the host on the timer's ticks, and each command follows the last arrival after
    // the Pacer's wait: only its waits vary the phase the bootloader's answer meets.
    const tick = (t: number): number => Math.ceil(t / 16) * 16;
    const byte = 10_000 / 115200;
    const excess: number[] = [];
    for (let pageMs = 30; pageMs < 46; pageMs += 0.5) {
      const p = new Pacer();
      p.useBaud(115200);
      let t = 0;
      for (let n = 0; n < 500 && p.interval('write') === null; n++) {
        const wait = p.sampleWait();
        const send = t + (wait ?? p.learnWait('write'));
        if (wait !== null && p.wantsStart) {
          p.answerStart(1.5 + ((send * 7.3) % 1));
          t = tick(send + 1.5 + 265 * byte);
        } else if (wait !== null) {
          t = tick(send + 14 * byte);
          p.trip(t - send, 6, 8);
        } else {
          t = tick(send + pageMs);
          p.page('write', t - send);
        }
      }
      excess.push((p.interval('write') ?? NaN) - pageMs);
    }
    expect(Math.min(...excess)).toBeGreaterThan(0);
    expect(Math.max(...excess)).toBeLessThan(5);
  });

  it('a calm link (1 ms of jitter, no adapter timer): learnt from 6 short round trips and 3 pages, no long answers, its range stretched as the margin', () => {
    const p = new Pacer();
    p.useBaud(115200);
    const wire = 4 * (10_000 / 115200);
    p.trip(50, 2, 2); // the host's warm-up, not counted
    for (let i = 0; i < 6; i++) p.trip(8 + (i % 3) * 0.5 + wire, 2, 2);
    expect(p.sampleWait()).toBeNull();
    expect(p.wantsStart).toBe(false);
    expect(p.learnWait('write')).toBe(0);
    for (let i = 0; i < 3; i++) p.page('write', 40);
    const interval = p.interval('write') ?? 0;
    // busy 32 ms; the range (1 ms) stretched by 7 / 5 on top, and the margins.
    expect(interval).toBeGreaterThan(32 + 1.4);
    expect(interval).toBeLessThan(32 + 1.4 + 1);
  });

  it('a client whose page writes carry a short round trip (linkFromPages): no short samples of its own, its pages dithered until the link is known', () => {
    const p = new Pacer();
    p.useBaud(115200);
    p.linkFromPages();
    p.trip(50, 2, 2); // the host's warm-up, not counted
    expect(p.sampleWait()).toBeNull();
    expect(p.wantsLinkSamples).toBe(true);
    // An FTDI-like return timer: the link is neither calm nor known after six.
    for (let i = 0; i < 6; i++) p.trip(1 + (i % 2) * 16, 4, 2);
    expect(p.wantsStart).toBe(true);
    expect(p.sampleWait()).not.toBeNull();
    p.answerStart(20); // warm-up
    for (let i = 0; i < 8; i++) p.answerStart(3 + (i % 2) * 0.5);
    expect(p.sampleWait()).toBeNull();
    for (let i = 0; i < LEARN_PAGES; i++) p.page('write', 40 + (i % 2) * 16);
    // Twelve pages learnt but only 6 link samples of 24: still learning, still dithered.
    expect(p.interval('write')).toBeNull();
    expect(p.learnWait('write')).toBeGreaterThan(0);
    for (let i = 0; i < 18; i++) p.trip(1 + (i % 2) * 16, 4, 2);
    expect(p.interval('write')).not.toBeNull();
    expect(p.learnWait('write')).toBe(0);
  });

  it('stops asking for long answers after three whose starts spread over 2 ms: the round trips\' whole range is the margin then', () => {
    const p = new Pacer();
    p.useBaud(115200);
    for (let i = 0; i < 30; i++) p.trip(20 + (i % 5) * 10, 2, 2);
    p.answerStart(50); // warm-up
    for (let i = 0; i < 2; i++) p.answerStart(10 + i * 5);
    expect(p.wantsStart).toBe(true);
    p.answerStart(12);
    expect(p.wantsStart).toBe(false);
    for (let i = 0; i < LEARN_PAGES; i++) p.page('write', 60 + (i % 4) * 20);
    // busy 40 ms (60 less the least link delay, 20), and the links' range (40 ms) on top, not the starts' (5 ms).
    expect(p.interval('write') ?? 0).toBeGreaterThan(40 + 40);
  });

  /** A link whose return varies by an FTDI timer's 16 ms, and whose way to the board varies by `startSpread`. */
  const timerLink = (startSpread: number): Pacer => {
    const p = new Pacer();
    p.useBaud(115200);
    // A return delay that varies by 16 ms (an FTDI latency timer) on every short answer.
    for (let i = 0; i < 30; i++) p.trip(1 + (i % 2) * 16, 2, 2);
    // One at a time, a page takes 40 to 120 ms (half the time at the least).
    for (let i = 0; i < LEARN_PAGES; i++) p.page('write', 40 + (i % 2) * 80);
    expect(p.interval('write')).toBeNull();
    // The first long answer is the host's warm-up (20 ms late): not counted.
    p.answerStart(20);
    for (let i = 0; i < 8; i++) p.answerStart(3 + (i % 2) * startSpread);
    return p;
  };

  it('waits for long answers before pipelining; grows the interval by their spread (the way to the board), not by the return timer', () => {
    const make = timerLink;
    const ftdi = make(1).interval('write') ?? 0;
    const wifi = make(25).interval('write') ?? 0;
    expect(ftdi).toBeGreaterThan(39);
    expect(ftdi).toBeLessThan(39 + 4);
    expect(wifi).toBeGreaterThan(ftdi + 25);
    // Starts spread over 3 ms: more than 8 samples can bound, so the round trips' whole range (16 ms) counts.
    expect(make(3).interval('write') ?? 0).toBeGreaterThan(39 + 16);
    // Spread so wide that the interval is not below the pages' median round trip: nothing to gain.
    expect(make(60).interval('write')).toBeNull();
  });

  it("self-paced commands (led by filler, paced by the wire) get no margin for the way to the board's spread, which cannot bring one closer to the one before; on a jittery link they keep it", () => {
    const ftdi = timerLink(1.5);
    const hostTimed = ftdi.interval('write') ?? 0;
    const selfPaced = ftdi.interval('write', true) ?? 0;
    // Eight starts 1.5 ms apart, stretched by 9/7: about 1.9 ms less.
    expect(hostTimed - selfPaced).toBeGreaterThan(1.8);
    expect(hostTimed - selfPaced).toBeLessThan(2);
    // Still above the page time less the least link delay (39 ms).
    expect(selfPaced).toBeGreaterThan(39);
    const wifi = timerLink(25);
    expect(wifi.interval('write', true)).toBe(wifi.interval('write'));
  });
});

describe('runPipelined', () => {
  it('sends each command no earlier than the interval after the one before and overlaps the link delay', async () => {
    const clock = new HandClock();
    const pacer = learnt(8, 40);
    const interval = pacer.interval('write') ?? 0;
    const b = fakeBoard(clock, 50, 32, 8);
    const out = await drive(clock, runPipelined(b.c, { pacer, kind: 'write', clock, settleMs: 1000 }));
    expect(out).toEqual({ answered: 50, clean: true });
    expect(b.early()).toBe(0);
    for (let i = 1; i < b.sends.length; i++) expect((b.sends[i] ?? 0) - (b.sends[i - 1] ?? 0)).toBeGreaterThanOrEqual(Math.min(interval, 40) - 1e-9);
    // One at a time would take 50 x 40 ms.
    expect(clock.now()).toBeLessThan(50 * 34 + 40);
    expect(pacer.stats.pipelined).toBeGreaterThan(40);
  });

  it('a bootloader slower than learnt: its answer is late, the session drops back and every answer sent is still waited for', async () => {
    const clock = new HandClock();
    const pacer = learnt(8, 40);
    const b = fakeBoard(clock, 50, 70, 8);
    const out = await drive(clock, runPipelined(b.c, { pacer, kind: 'write', clock, settleMs: 1000 }));
    expect(pacer.active).toBe(false);
    expect(pacer.stats.droppedBack).toMatch(/later than/);
    expect(out.clean).toBe(true);
    expect(out.answered).toBe(b.sends.length);
    expect(out.answered).toBeLessThan(50);
  });

  it('never sends ahead while the answer before has not begun to arrive (a command held on its way)', async () => {
    const clock = new HandClock();
    const pacer = learnt(8, 40);
    const b = fakeBoard(clock, 20, 32, 8);
    const out = await drive(clock, runPipelined({ ...b.c, clearAt: () => null }, { pacer, kind: 'write', clock, settleMs: 1000 }));
    expect(out).toEqual({ answered: 20, clean: true });
    expect(pacer.stats.pipelined).toBe(0);
    expect(pacer.active).toBe(true);
  });

  it('sends the next no earlier than the answer before may have ended on the board, however early the interval says', async () => {
    const clock = new HandClock();
    const pacer = learnt(8, 40);
    const b = fakeBoard(clock, 20, 32, 8);
    // The answer arriving says the bootloader is busy with it until 36 ms after the last send (the interval: about 33).
    const out = await drive(clock, runPipelined({ ...b.c, clearAt: () => (b.sends[b.sends.length - 1] ?? 0) + 36 }, { pacer, kind: 'write', clock, settleMs: 1000 }));
    expect(out).toEqual({ answered: 20, clean: true });
    expect(pacer.stats.pipelined).toBeGreaterThan(0);
    for (let i = 1; i < b.sends.length; i++) expect((b.sends[i] ?? 0) - (b.sends[i - 1] ?? 0)).toBeGreaterThanOrEqual(36 - 1e-9);
  });

  it("clearAfter: the answer's start bounded by its bytes in, plus its length, less the link's least delay", () => {
    const pacer = learnt(8, 40);
    const byte = 10_000 / 115200;
    // 62 of 265 bytes in by t = 100: it began at 100 - 62 bytes at the fastest rate at the latest.
    const t = pacer.clearAfter(100, 62, 265);
    expect(t).toBeGreaterThan(100 - 62 * byte + 265 * byte - 8);
    expect(t).toBeLessThan(100 - 62 * byte + 265 * byte - 8 + 0.3);
    // More bytes in by the same moment: it began earlier, so may end earlier.
    expect(pacer.clearAfter(100, 124, 265)).toBeLessThan(t);
  });

  it('self-paced: up to three in flight, and an answer is late only counting from the end of the filler that leads its command', async () => {
    const clock = new HandClock();
    const pacer = learnt(8, 40);
    // Each command leads with 80 ms of filler: the board is busy 80 + 32 ms with it, and answers
    // 120 ms after the command left at the least, past the 40 ms learnt without filler plus 60 ms.
    const b = fakeBoard(clock, 30, 80 + 32, 8);
    let most = 0;
    let answered = 0;
    const c: PipelinedCommands = {
      ...b.c,
      send: async (i) => {
        await b.c.send(i);
        most = Math.max(most, i + 1 - answered);
      },
      answered: (i) => {
        b.c.answered(i);
        answered = i + 1;
      },
      selfPaced: true,
      wireMs: 80 + 32,
      leadMs: 80,
    };
    const out = await drive(clock, runPipelined(c, { pacer, kind: 'write', clock, settleMs: 1000 }));
    expect(out).toEqual({ answered: 30, clean: true });
    expect(pacer.stats.droppedBack).toBeNull();
    expect(most).toBe(3);
  });

  it('a wrong answer: drops back unclean, counting only the answers before it', async () => {
    const clock = new HandClock();
    const pacer = learnt(8, 40);
    const b = fakeBoard(clock, 50, 32, 8, 7);
    const out = await drive(clock, runPipelined(b.c, { pacer, kind: 'write', clock, settleMs: 1000 }));
    expect(out).toEqual({ answered: 7, clean: false });
    expect(pacer.stats.droppedBack).toMatch(/wrong answer/);
  });
});
