// A backup is the application section the read session brought back (trailing erased pages
// trimmed), kept as an Intel HEX file. Restoring it writes those bytes and erases the rest of the
// application section, so nothing of the firmware that replaced it stays behind.
import { DEVICES, type McuId } from './devices.js';
import { imageFromSegments } from './hex/binary.js';
import type { FirmwareImage } from './hex/image.js';
import { toIntelHex } from './hex/intel-hex.js';
import type { ProtocolId } from './programmer.js';
import { neverErasedRegion } from './stk500v2/stk500boot.js';

/** The Intel HEX text of `bytes` from address 0 (only an end record when there are none). */
export function backupHex(bytes: Uint8Array): string {
  return toIntelHex(imageFromSegments(bytes.length > 0 ? [{ address: 0, data: bytes }] : []));
}

export interface BackupTarget {
  readonly mcu: McuId;
  readonly protocol: ProtocolId;
  /** Where the bootloader starts: the end of the application section that was read. */
  readonly appBytes: number;
}

/**
 * Where a restore stops erasing: the end of the application section, except that the 'wiring'
 * bootloader (STK500v2) can never erase its never-erased region, so a backup that ends below it
 * stops there rather than write into it (which that bootloader refuses to verify over old bytes).
 */
export function restoreEnd(t: BackupTarget, backupEnd: number): number {
  if (t.protocol !== 'stk500v2') return t.appBytes;
  const region = neverErasedRegion(DEVICES[t.mcu].flashBytes);
  return backupEnd <= region.start && region.start < t.appBytes ? region.start : t.appBytes;
}

/** The image a restore writes: the backup's bytes, then 0xFF up to restoreEnd(). */
export function restoreImage(backup: FirmwareImage, t: BackupTarget): FirmwareImage {
  const end = restoreEnd(t, backup.end);
  const data = new Uint8Array(Math.max(end, backup.end)).fill(0xff);
  data.set(backup.bytes.subarray(0, data.length));
  return imageFromSegments([{ address: 0, data }]);
}
