// STK500v1 client command bytes against AN2525 / FIELD-NOTES, with a scripted answerer.
import { describe, expect, it } from 'vitest';
import { FlashError, isFlashError } from '../../../src/core/errors.js';
import { Stk500v1Client } from '../../../src/core/stk500v1/client.js';
import { systemClock } from '../../../src/transports/system-clock.js';
import { hex, scriptLink } from '../../helpers/script-link.js';

/** Splits a write into STK500v1 commands and answers each like optiboot. */
function optiboot(opts: { dropFirstAnswer?: boolean } = {}) {
  const commands: number[][] = [];
  let answered = 0;
  const s = scriptLink((w) => {
    const out: number[] = [];
    let i = 0;
    while (i < w.length) {
      const cmd = w[i] ?? 0;
      let len = 2;
      if (cmd === 0x55) len = 4;
      else if (cmd === 0x56) len = 6;
      else if (cmd === 0x64) len = 5 + (((w[i + 1] ?? 0) << 8) | (w[i + 2] ?? 0));
      else if (cmd === 0x74) len = 5;
      commands.push(Array.from(w.subarray(i, i + len)));
      const payload = cmd === 0x75 ? [0x1e, 0x95, 0x0f] : cmd === 0x74 ? new Array<number>(w[i + 2] ?? 0).fill(0xa5) : cmd === 0x56 ? [0] : [];
      if (!(opts.dropFirstAnswer && answered === 0)) out.push(0x14, ...payload, 0x10);
      answered++;
      i += len;
    }
    return Uint8Array.from(out);
  });
  return { ...s, commands };
}

const g328 = { pageBytes: 128, flashBytes: 32 * 1024 };

describe('Stk500v1Client', () => {
  it('syncs with 30 20 and reads the signature with 75 20', async () => {
    const o = optiboot();
    const c = new Stk500v1Client({ link: o.link, clock: systemClock });
    await c.probe(100);
    expect(await c.readSignature()).toEqual(hex('1e 95 0f'));
    expect(o.writes.map((w) => Array.from(w))).toEqual([[0x30, 0x20], [0x75, 0x20]]);
  });

  it('sends LOAD_ADDRESS (word, little-endian) and PROG_PAGE in one write per page', async () => {
    const o = optiboot();
    const c = new Stk500v1Client({ link: o.link, clock: systemClock });
    const image = Uint8Array.from({ length: 256 }, (_, i) => i);
    await c.writeFlash(image, 0, 256, g328, () => undefined);
    expect(o.writes).toHaveLength(2);
    expect(Array.from(o.writes[1]?.subarray(0, 8) ?? [])).toEqual([0x55, 0x40, 0x00, 0x20, 0x64, 0x00, 0x80, 0x46]);
    expect(o.writes[1]?.subarray(8, 136)).toEqual(image.subarray(128));
    expect(o.writes[1]?.[136]).toBe(0x20);
    expect(c.stats.roundTrips).toBe(2);
  });

  it('reads a page with 55 lo hi 20 74 00 80 46 20', async () => {
    const o = optiboot();
    const c = new Stk500v1Client({ link: o.link, clock: systemClock });
    const pages: number[] = [];
    await c.readFlash(0x7000, 0x7080, g328, (a, d) => {
      pages.push(a);
      expect(d.length).toBe(128);
    });
    expect(pages).toEqual([0x7000]);
    expect(Array.from(o.writes[0] ?? [])).toEqual([0x55, 0x00, 0x38, 0x20, 0x74, 0x00, 0x80, 0x46, 0x20]);
  });

  it('sets the extended address with UNIVERSAL 56 4D 00 ext 00 20 above 128 KiB, once per change', async () => {
    const o = optiboot();
    const c = new Stk500v1Client({ link: o.link, clock: systemClock });
    await c.writeFlash(new Uint8Array(0x20200), 0x20000, 0x20200, { pageBytes: 256, flashBytes: 256 * 1024 }, () => undefined);
    expect(o.commands.filter((x) => x[0] === 0x56)).toEqual([[0x56, 0x4d, 0x00, 0x01, 0x00, 0x20]]);
    expect(o.commands.filter((x) => x[0] === 0x55).map((x) => x.slice(1, 3))).toEqual([[0x00, 0x00], [0x80, 0x00]]);
  });

  it('after a lost answer re-syncs and falls back to one command per round trip', async () => {
    const o = optiboot({ dropFirstAnswer: true });
    const c = new Stk500v1Client({ link: o.link, clock: systemClock, commandTimeoutMs: 100 });
    await c.writeFlash(new Uint8Array(128), 0, 128, g328, () => undefined);
    const shapes = o.writes.map((w) => w[0]);
    expect(shapes).toEqual([0x55, 0x30, 0x55, 0x64]);
  });

  it('rejects an out-of-sync answer to a command as a protocol-error', async () => {
    const s = scriptLink(() => hex('15 1e 95 0f 10'));
    const c = new Stk500v1Client({ link: s.link, clock: systemClock, commandTimeoutMs: 100 });
    const e = await c.readSignature().catch((x: unknown) => x);
    expect(isFlashError(e, 'protocol-error')).toBe(true);
    expect(String(e)).toContain('out of sync');
    expect((e as FlashError).technical).toMatch(/^Answer .* to command 0x[0-9a-f]+ is out of sync/);
  });

  it('probe: skips bytes that are no answer (a firmware talking) and finds INSYNC OK among them', async () => {
    const s = scriptLink(() => [new TextEncoder().encode('echo:Marlin 2.1\n\x14ok\n'), hex('14 10')]);
    const c = new Stk500v1Client({ link: s.link, clock: systemClock });
    expect(await c.probe(300)).toBe('in sync');
    expect(s.writes).toHaveLength(1);
  });

  it('probe: only noise within the wait is a link-timeout, not a wrong answer', async () => {
    const s = scriptLink(() => hex('15 10 14 14 00'));
    const c = new Stk500v1Client({ link: s.link, clock: systemClock });
    const e = await c.probe(100).catch((x: unknown) => x);
    expect(isFlashError(e, 'link-timeout')).toBe(true);
  });
});
