// LOAD_ADDRESS and UNIVERSAL (the extended address byte) for a page, and where a write goes when
// one bit of them is damaged on the way (STK500v1 carries no checksum).
import type { FlashGeometry } from '../programmer.js';
import * as K from './constants.js';

/**
 * LOAD_ADDRESS then `command` for the page at `address`, with UNIVERSAL first when the extended
 * address differs from `extendedByte` (the one the bootloader was last sent).
 */
export function pageCommands(address: number, g: FlashGeometry, command: Uint8Array, payload: number, extendedByte: number): { commands: Uint8Array[]; payloads: number[] } {
  const commands: Uint8Array[] = [];
  const payloads: number[] = [];
  const ext = address >>> 17;
  if (g.flashBytes > 0x20000 && ext !== extendedByte) {
    commands.push(Uint8Array.of(K.Cmnd_STK_UNIVERSAL, K.ISP_LOAD_EXTENDED_ADDRESS, 0x00, ext, 0x00, K.Sync_CRC_EOP));
    payloads.push(1);
  }
  const word = (address >>> 1) & 0xffff;
  commands.push(Uint8Array.of(K.Cmnd_STK_LOAD_ADDRESS, word & 0xff, word >> 8, K.Sync_CRC_EOP), command);
  payloads.push(0, payload);
  return { commands, payloads };
}

export function joined(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, c) => s + c.length, 0));
  let o = 0;
  for (const c of parts) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/**
 * LOAD_ADDRESS carries the word address in two bytes (and UNIVERSAL the extended byte) with no
 * checksum: one flipped bit moves the write to address ^ (2 << bit). Those pages, within the flash.
 */
export function misdirectTargets(page: number, g: FlashGeometry): readonly number[] {
  const targets: number[] = [];
  const bits = g.flashBytes > 0x20000 ? 24 : 16;
  for (let bit = 0; bit < bits; bit++) {
    const address = page ^ (2 << bit);
    const target = address - (address % g.pageBytes);
    if (target !== page && target < g.flashBytes && !targets.includes(target)) targets.push(target);
  }
  return targets;
}
