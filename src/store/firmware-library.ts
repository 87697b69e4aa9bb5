// The firmware library's contract: recent images with metadata, stored once per SHA-256.
// Two implementations: IndexedDB (idb-library.ts) for the app, in memory (memory-library.ts) for tests.

/** How the last flash of an image went. */
export interface LastFlash {
  /** Board preset name or "Detect automatically" / "Custom ...". */
  readonly board: string;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly ok: boolean;
  /** "ATmega2560, 1e 98 01" on success, the error title on failure. */
  readonly summary: string;
}

/** Where a backup came from: what the board reported when its application section was read. */
export interface BackupInfo {
  /** MCU id of the devices table ("atmega2560"): a restore is refused on another chip. */
  readonly mcu: string;
  /** "ATmega2560" */
  readonly mcuName: string;
  readonly signature: string;
  /** The protocol and baud that answered, tried first by a restore. */
  readonly protocol: string;
  readonly baud: number | null;
  /** Where the bootloader starts: nothing at or above it was read. */
  readonly appBytes: number;
  /** The port's label ("CH340 USB-serial adapter (USB 1a86:7523)"). */
  readonly port: string;
  /** Epoch milliseconds of the read. */
  readonly at: number;
}

export interface FirmwareMeta {
  /** Lowercase hex SHA-256 of the file bytes; the key. */
  readonly sha256: string;
  readonly name: string;
  /** File size in bytes. */
  readonly size: number;
  /** Epoch milliseconds when first stored. */
  readonly addedAt: number;
  /** Epoch milliseconds of the last add or flash; Recent is sorted by it, newest first. */
  readonly usedAt: number;
  readonly lastFlash?: LastFlash;
  /** Set when the image is a backup read from a board (Recent offers Restore). */
  readonly backup?: BackupInfo;
}

export interface StoredFirmware {
  readonly meta: FirmwareMeta;
  readonly data: Uint8Array;
}

export type StoreErrorKind = 'quota' | 'unavailable' | 'blocked' | 'missing' | 'unknown';

/** A storage failure in words a user can act on. The firmware in hand is never affected. */
export class StoreError extends Error {
  readonly kind: StoreErrorKind;

  constructor(kind: StoreErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.kind = kind;
  }
}

export interface FirmwareLibrary {
  /** Newest first. */
  list(): Promise<FirmwareMeta[]>;
  /** Stores `data` under its SHA-256 unless already there; either way it becomes the most recent. */
  add(name: string, data: Uint8Array, sha256: string, backup?: BackupInfo): Promise<FirmwareMeta>;
  get(sha256: string): Promise<StoredFirmware | undefined>;
  rename(sha256: string, name: string): Promise<void>;
  remove(sha256: string): Promise<void>;
  markFlashed(sha256: string, flash: LastFlash): Promise<void>;
}

/** Keeps at most this many images besides backups; the least recently used go first. Backups go only when deleted. */
export const MAX_RECENT = 20;

/** Applies an add to an index: pure, shared by both implementations. */
export function indexWithAdd(index: readonly FirmwareMeta[], meta: FirmwareMeta): { index: FirmwareMeta[]; evicted: string[] } {
  const old = index.find((m) => m.sha256 === meta.sha256);
  const backup = old?.backup ?? meta.backup;
  const entry: FirmwareMeta = old ? { ...old, usedAt: meta.usedAt, ...(backup ? { backup } : {}) } : meta;
  const rest = index.filter((m) => m.sha256 !== meta.sha256);
  const next = [entry, ...rest].sort((a, b) => b.usedAt - a.usedAt);
  const evicted = next.filter((m) => !m.backup).slice(MAX_RECENT).map((m) => m.sha256);
  return { index: next.filter((m) => !evicted.includes(m.sha256)), evicted };
}

/** A new index entry; the backup field only when given. */
export function newMeta(sha256: string, name: string, size: number, at: number, backup?: BackupInfo): FirmwareMeta {
  return { sha256, name: cleanName(name), size, addedAt: at, usedAt: at, ...(backup ? { backup } : {}) };
}

/** Reads a stored index defensively: malformed entries are dropped, a malformed backup field is left out. */
export function readIndex(value: unknown): FirmwareMeta[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isMeta).map((m) => {
    if (m.backup === undefined || isBackupInfo(m.backup)) return m;
    const { backup: _dropped, ...rest } = m;
    return rest;
  });
}

function isMeta(v: unknown): v is FirmwareMeta {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return typeof m.sha256 === 'string' && typeof m.name === 'string' && typeof m.size === 'number' && typeof m.addedAt === 'number' && typeof m.usedAt === 'number';
}

function isBackupInfo(v: unknown): v is BackupInfo {
  if (typeof v !== 'object' || v === null) return false;
  const b = v as Record<string, unknown>;
  const strings = ['mcu', 'mcuName', 'signature', 'protocol', 'port'].every((k) => typeof b[k] === 'string');
  return strings && typeof b.appBytes === 'number' && typeof b.at === 'number' && (b.baud === null || typeof b.baud === 'number');
}

export function indexWith(index: readonly FirmwareMeta[], sha256: string, change: (m: FirmwareMeta) => FirmwareMeta): FirmwareMeta[] {
  return index.map((m) => (m.sha256 === sha256 ? change(m) : m)).sort((a, b) => b.usedAt - a.usedAt);
}

export function cleanName(name: string): string {
  const trimmed = name.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return trimmed === '' ? 'firmware.hex' : trimmed;
}
