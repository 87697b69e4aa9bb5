// Test firmware for the browser tests: seeded random bytes written as an Intel HEX file by the
// core's writer, plus the dense image it stands for.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { toIntelHex } from '../../src/core/hex/intel-hex.js';
import { randomBytes } from '../helpers/random.js';

export interface HexFixture {
  readonly name: string;
  readonly path: string;
  /** Dense bytes from 0 to the end of the data. */
  readonly bytes: Uint8Array;
}

/** Writes `<dir>/<name>` with `size` seeded random bytes from address 0. */
export function makeHexFixture(dir: string, name: string, size: number, seed: number): HexFixture {
  const bytes = randomBytes(size, seed);
  const path = join(dir, name);
  writeFileSync(path, toIntelHex(imageFromSegments([{ address: 0, data: bytes }])));
  return { name, path, bytes };
}

/** Null when equal, else where they first differ. */
export function sameBytes(got: Uint8Array, want: Uint8Array): string | null {
  if (got.length !== want.length) return `length ${got.length} != ${want.length}`;
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) return `first difference at 0x${i.toString(16)}: ${got[i]} != ${want[i]}`;
  return null;
}
