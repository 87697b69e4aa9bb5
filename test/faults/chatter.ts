// What a running firmware prints, as the host's UART receives it: Marlin's boot banner either at
// the bootloader's baud (readable text) or at 250000 baud sampled by a 115200-baud receiver (the
// bit stream resampled frame by frame: start-bit edge, mid-bit samples, stop bit ignored).

export const MARLIN_BANNER =
  'start\n' +
  'echo:Marlin bugfix-2.1.x\n' +
  'echo: Last Updated: 2024-01-20 | Author: (none, default config)\n' +
  'echo:Compiled: Jan 21 2024\n' +
  'echo: Free Memory: 2517  PlannerBufferBytes: 1232\n' +
  'echo:V90 stored settings retrieved (688 bytes; crc 35519)\n' +
  'echo:  G21    ; Units in mm (mm)\n' +
  'echo:  M149 C ; Units in Celsius\n' +
  'echo:; Steps per unit:\n' +
  'echo: M92 X80.00 Y80.00 Z400.00 E93.00\n' +
  'echo:; Max feedrates (units/s):\n' +
  'echo:  M203 X300.00 Y300.00 Z5.00 E25.00\n' +
  'echo:SD card ok\n' +
  'ok T:21.37 /0.00 B:20.94 /0.00 @:0 B@:0\n';

export function bannerBytes(): Uint8Array {
  return new TextEncoder().encode(MARLIN_BANNER);
}

/** `bytes` sent at `sentBaud` as a receiver at `rxBaud` decodes them (8N1 both). */
export function resample(bytes: Uint8Array, sentBaud: number, rxBaud: number): Uint8Array {
  const bit = 1 / sentBaud;
  const level = (t: number): number => {
    const frame = Math.floor(t / (10 * bit));
    const b = bytes[frame];
    if (b === undefined || t < 0) return 1;
    const i = Math.floor((t - frame * 10 * bit) / bit);
    if (i === 0) return 0;
    if (i === 9) return 1;
    return (b >> (i - 1)) & 1;
  };
  const end = bytes.length * 10 * bit;
  const step = bit / 4;
  const rxBit = 1 / rxBaud;
  const out: number[] = [];
  let t = 0;
  while (t < end) {
    if (level(t) === 1) {
      t += step;
      continue;
    }
    // A falling edge: sample the start bit and eight data bits in their middles.
    let value = 0;
    for (let i = 0; i < 8; i++) value |= level(t + (1.5 + i) * rxBit) << i;
    if (level(t + 0.5 * rxBit) === 0) out.push(value);
    t += 9.5 * rxBit;
  }
  return Uint8Array.from(out);
}
