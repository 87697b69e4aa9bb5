// The adapter models' timing: each model alone (packets, timers, USB frames, jitter), then the real
// stk500boot on a board on virtual time answering SIGN_ON through each of them.
import { describe, expect, it } from 'vitest';
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { encodeFrame } from '../../src/core/stk500v2/frame.js';
import { prng } from '../helpers/random.js';
import { EmulatedBoard } from './board.js';
import { loadBootloader } from './bootloaders.js';
import { FTDI, LINK_MODELS, ch340Baud, esp8266Baud, ftdiBaud, makeLinkModel, usbserial16u2Baud, type LinkModel, type LinkModelName } from './link-models.js';

const model = (name: LinkModelName, seed = 1): LinkModel => makeLinkModel(name, prng(seed), () => ({ latencyMs: 4, jitterMs: 0 }));

/** Feeds bytes leaving the UART at `times` through `m`; returns the chunks as [deliveredAt, count]. */
function chunks(m: LinkModel, times: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const t of times) {
    const last = out[out.length - 1];
    const d = m.toHost(t, last && last[0] >= t ? last[0] : null);
    if (last && d.join) {
      last[0] = d.at;
      last[1]++;
    } else out.push([d.at, 1]);
  }
  return out;
}

const byteMs = 10 / 117.647;

describe('link models', () => {
  it('ftdi: an 8-byte answer waits for the latency timer (0-16 ms), a long one goes in 62-byte packets as they fill', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const m = model('ftdi', seed);
      const short = chunks(m, Array.from({ length: 8 }, (_, i) => 100 + i * byteMs));
      expect(short).toHaveLength(1);
      const wait = (short[0]?.[0] ?? 0) - (100 + 7 * byteMs);
      expect(wait).toBeGreaterThanOrEqual(-1e-9);
      expect(wait).toBeLessThanOrEqual(FTDI.timerMs);
      const long = chunks(m, Array.from({ length: 265 }, (_, i) => 1000 + i * byteMs));
      // A packet goes when full (at its last byte), or with what it holds when the timer ticks.
      let first = 0;
      for (const [at, n] of long) {
        expect(n).toBeLessThanOrEqual(62);
        if (n === 62) expect(at).toBeCloseTo(1000 + (first + 61) * byteMs, 6);
        first += n;
      }
      expect(long.filter((c) => c[1] === 62).length).toBeGreaterThanOrEqual(2);
      expect(first).toBe(265);
      expect((long[long.length - 1]?.[0] ?? 0) - (1000 + 264 * byteMs)).toBeLessThanOrEqual(FTDI.timerMs);
    }
  });

  it('fixed 4 ms: every byte of a stream that never pauses reaches the host within 4 ms and a 1 ms frame of leaving', () => {
    const times = Array.from({ length: 600 }, (_, i) => 50 + i * byteMs);
    let i = 0;
    for (const [at, n] of chunks(model('fixed'), times)) {
      for (let k = 0; k < n; k++, i++) {
        const sent = times[i] ?? 0;
        expect(at - sent).toBeGreaterThanOrEqual(4 - 1e-9);
        expect(at - sent).toBeLessThanOrEqual(5 + 1e-9);
      }
    }
    expect(i).toBe(600);
  });

  it('ftdi, ch340, 16u2: host writes leave in 1 ms USB frames; the 16u2 flushes every 4.096 ms or past 96 bytes', () => {
    for (const name of ['ftdi', 'ch340', '16u2'] as const) {
      const m = model(name, 3);
      const a = m.toBoardAt(10.2);
      const b = m.toBoardAt(10.3);
      expect(a).toBeGreaterThanOrEqual(10.2);
      expect(a - 10.2).toBeLessThanOrEqual(1);
      expect(b).toBe(a);
      expect(m.toBoardAt(a + 0.01) - a).toBeCloseTo(1, 9);
    }
    const u = chunks(model('16u2', 5), Array.from({ length: 200 }, (_, i) => i * byteMs));
    expect(u.every((c) => c[1] <= 97)).toBe(true);
    const ticks = chunks(model('16u2', 5), [0, 50, 100]).map((c) => c[0]);
    expect(((ticks[1] ?? 0) - (ticks[0] ?? 0)) % 4.096).toBeCloseTo(0, 6);
    const ch = chunks(model('ch340', 5), Array.from({ length: 64 }, (_, i) => i * byteMs));
    expect(ch.every((c) => c[1] <= 32)).toBe(true);
    expect(ch.reduce((s, c) => s + c[1], 0)).toBe(64);
  });

  it('wifi: each transfer 5-30 ms late each way, never delivered out of order', () => {
    const m = model('wifi', 9);
    const ups = Array.from({ length: 500 }, (_, i) => m.toBoardAt(i * 40) - i * 40);
    expect(Math.min(...ups)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...ups)).toBeLessThanOrEqual(30);
    expect(Math.max(...ups) - Math.min(...ups)).toBeGreaterThan(20);
    const c = chunks(m, Array.from({ length: 300 }, (_, i) => i * 0.5));
    for (let i = 1; i < c.length; i++) expect(c[i]?.[0] ?? 0).toBeGreaterThanOrEqual(c[i - 1]?.[0] ?? 0);
    expect(model('fixed').toBoardAt(3)).toBe(7);
  });

  it("each adapter's UART runs at its own clock's rate for the baud asked, and the board's line carries the host's bytes at it", () => {
    // Arduino-usbserial: UBRR 16 with U2X for 115200, 57600 without U2X (UBRR 16 again).
    expect(usbserial16u2Baud(115200)).toBeCloseTo(2e6 / 17, 6);
    expect(usbserial16u2Baud(57600)).toBeCloseTo(1e6 / 17, 6);
    expect(usbserial16u2Baud(19200)).toBeCloseTo(2e6 / 104, 6);
    // FTDI's application note on baud rates: 115200 is divisor 26 of 3 MHz; 57600 is 52.125.
    expect(ftdiBaud(115200)).toBeCloseTo(3e6 / 26, 6);
    expect(ftdiBaud(57600)).toBeCloseTo(3e6 / 52.125, 6);
    expect(ftdiBaud(9600)).toBe(9600);
    // ch341.c: 48 MHz / 4 / 104 for 115200.
    expect(ch340Baud(115200)).toBeCloseTo(48e6 / 416, 6);
    expect(esp8266Baud(115200)).toBeCloseTo(80e6 / 694, 6);
    expect(makeLinkModel('fixed', prng(1), () => ({ latencyMs: 0, jitterMs: 0 })).uartBaud(115200)).toBe(usbserial16u2Baud(115200));
    const lineTime = (link: LinkModelName): number => {
      const board = new EmulatedBoard({ mcu: 'atmega2560', bootloader: null, speed: 'virtual', link, random: prng(3) });
      const free = (): number => (board as unknown as { rxLineFreeAt: number }).rxLineFreeAt;
      board.hostWrite(Uint8Array.of(0), 115200);
      const before = free();
      board.hostWrite(new Uint8Array(100), 115200);
      return ((free() - before) / 16e6) * 1000;
    };
    expect(lineTime('16u2')).toBeCloseTo(100 * 0.085, 6);
    expect(lineTime('fixed')).toBeCloseTo(100 * 0.085, 6);
    expect(lineTime('ftdi')).toBeCloseTo((100 * 26) / 300, 6);
  });

  it('the real stk500boot answers SIGN_ON through each model on virtual time, late by what the model says', async () => {
    const info = await loadBootloader('stk500v2-atmega2560');
    const firmware = parseIntelHex(info.hexText).bytes;
    const trips: Record<string, number> = {};
    for (const link of LINK_MODELS) {
      const board = new EmulatedBoard({ mcu: info.mcu, bootloader: { bytes: firmware, start: info.start }, speed: 'virtual', link, latencyMs: 4, random: prng(7) });
      const got: number[] = [];
      board.onHostData = (b) => got.push(...b);
      board.start();
      const t0 = board.clock.now();
      let answeredAt = 0;
      await new Promise<void>((resolve) => {
        board.onHostData = (b) => {
          got.push(...b);
          if (got.length >= 17) {
            answeredAt = board.clock.now();
            resolve();
          }
        };
        board.hostWrite(encodeFrame(1, Uint8Array.of(0x01)), 115200);
      });
      await board.stop();
      expect(got.slice(5, 16)).toEqual([0x01, 0x00, 0x08, ...Array.from('AVRISP_2', (ch) => ch.charCodeAt(0))]);
      trips[link] = answeredAt - t0;
    }
    // Wire time alone: 6 + 17 bytes at 117647 baud, about 2 ms.
    const wire = 23 * byteMs;
    expect(trips.fixed).toBeGreaterThan(wire + 8 - 0.5);
    expect(trips.fixed).toBeLessThan(wire + 8 + 1);
    expect(trips.ftdi).toBeLessThan(wire + 1 + 16 + 1);
    expect(trips['16u2']).toBeLessThan(wire + 1 + 4.1 + 1);
    expect(trips.wifi).toBeGreaterThan(wire + 10 - 0.5);
    expect(trips.wifi).toBeLessThan(wire + 60 + 1);
  });
});
