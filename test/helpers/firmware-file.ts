// A seeded random firmware image written as an Intel HEX file, for tests that hand a file to the CLI.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { toIntelHex } from '../../src/core/hex/intel-hex.js';
import { randomBytes } from './random.js';

export function writeFirmware(dir: string, bytes: number, seed: number): { file: string; data: Uint8Array } {
  const data = randomBytes(bytes, seed);
  const file = join(dir, `fw-${seed}.hex`);
  writeFileSync(file, toIntelHex(imageFromSegments([{ address: 0, data }])));
  return { file, data };
}
