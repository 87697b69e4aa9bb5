// A scripted STK500v1 answerer with a flash array, for app-service tests: it answers like
// optiboot on an ATmega328P and keeps what PROG_PAGE wrote. Not a bootloader: protocol
// behaviour is proven on the emulated board; this only lets the app flow run end to end.
import { scriptLink, type ScriptLink } from '../helpers/script-link.js';

export interface MemoryOptiboot extends ScriptLink {
  readonly flash: Uint8Array;
}

/** `flash`: the chip's memory, kept across links (a port opened again gets a new link to the same chip). */
export function memoryOptiboot(opts: { signature?: readonly number[]; silent?: boolean; flash?: Uint8Array } = {}): MemoryOptiboot {
  const flash = opts.flash ?? new Uint8Array(32 * 1024).fill(0xff);
  const sig = opts.signature ?? [0x1e, 0x95, 0x0f];
  let address = 0; // byte address
  const s = scriptLink((w) => {
    if (opts.silent) return null;
    const out: number[] = [];
    let i = 0;
    while (i < w.length) {
      const cmd = w[i] ?? 0;
      let len = 2;
      let payload: number[] = [];
      if (cmd === 0x41) {
        len = 3;
        payload = [0x08];
      } else if (cmd === 0x55) {
        len = 4;
        address = ((w[i + 1] ?? 0) | ((w[i + 2] ?? 0) << 8)) * 2;
      } else if (cmd === 0x56) {
        len = 6;
        payload = [0];
      } else if (cmd === 0x64) {
        const n = ((w[i + 1] ?? 0) << 8) | (w[i + 2] ?? 0);
        len = 5 + n;
        flash.set(w.subarray(i + 4, i + 4 + n), address);
      } else if (cmd === 0x74) {
        const n = ((w[i + 1] ?? 0) << 8) | (w[i + 2] ?? 0);
        len = 5;
        payload = Array.from(flash.subarray(address, address + n));
      } else if (cmd === 0x75) {
        payload = [...sig];
      }
      out.push(0x14, ...payload, 0x10);
      i += len;
    }
    return Uint8Array.from(out);
  });
  return { ...s, flash };
}
