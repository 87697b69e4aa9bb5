// What a backup is in the library: the Intel HEX of the application section read from a board,
// named "Backup of ATmega2560, <date>, <port label>", with where it came from; and back from a
// Recent entry to the image and request that restore it to the same chip.
import { backupHex, restoreImage } from '../core/backup.js';
import { DEVICES, isMcuId } from '../core/devices.js';
import type { FirmwareImage } from '../core/hex/image.js';
import { isProtocolId } from '../core/programmer.js';
import type { ReadResult } from '../core/read-session.js';
import { checkRequest, type FlashRequest } from '../core/session.js';
import type { BackupInfo } from '../store/firmware-library.js';
import { Problem } from './problem.js';

export interface BackupEntry {
  readonly name: string;
  /** The .hex file's bytes, as stored and downloaded. */
  readonly data: Uint8Array;
  readonly fileName: string;
  readonly info: BackupInfo;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** "2026-12-01 14:05", local time. */
export function backupDate(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

export function backupEntry(read: ReadResult, portLabel: string, at: number): BackupEntry {
  const date = backupDate(at);
  return {
    name: `Backup of ${read.mcu}, ${date}, ${portLabel}`,
    data: new TextEncoder().encode(backupHex(read.bytes)),
    fileName: `backup-${read.mcuId}-${date.replace(/[-: ]/g, '')}.hex`,
    info: {
      mcu: read.mcuId,
      mcuName: read.mcu,
      signature: read.signature,
      protocol: read.protocol,
      baud: read.baud,
      appBytes: read.appBytes,
      port: portLabel,
      at,
    },
  };
}

export interface RestorePlan {
  readonly image: FirmwareImage;
  readonly request: Omit<FlashRequest, 'image'>;
  /** "ATmega2560 (the board this backup came from)" */
  readonly target: string;
  /** Refuses, before any port, an image that cannot fit (the session checks again). */
  readonly precheck: () => void;
}

/** The restore of a backup: its bytes, the rest of the application section erased, on its own chip only. */
export function restorePlan(backup: FirmwareImage, info: BackupInfo): RestorePlan {
  const { mcu, protocol } = info;
  if (!isMcuId(mcu) || !isProtocolId(protocol)) {
    throw new Problem('This backup cannot be restored here.', `It names ${info.mcuName} over ${info.protocol}, which this version does not know.`, 'Flash it with Flash instead, choosing the board.');
  }
  const image = restoreImage(backup, { mcu, protocol, appBytes: info.appBytes });
  // The chip it came from: any other signature is refused before a byte is written.
  const request = { mcu, protocol, ...(info.baud !== null ? { baud: info.baud } : {}), thenAuto: true, bootloaderBytes: DEVICES[mcu].flashBytes - info.appBytes };
  return { image, request, target: `${info.mcuName} (the board this backup came from)`, precheck: () => checkRequest({ ...request, image }) };
}
