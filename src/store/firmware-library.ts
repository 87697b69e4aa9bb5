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
  add(name: string, data: Uint8Array, sha256: string): Promise<FirmwareMeta>;
  get(sha256: string): Promise<StoredFirmware | undefined>;
  rename(sha256: string, name: string): Promise<void>;
  remove(sha256: string): Promise<void>;
  markFlashed(sha256: string, flash: LastFlash): Promise<void>;
}

/** Keeps at most this many images; the least recently used go first. */
export const MAX_RECENT = 20;

/** Applies an add to an index: pure, shared by both implementations. */
export function indexWithAdd(index: readonly FirmwareMeta[], meta: FirmwareMeta): { index: FirmwareMeta[]; evicted: string[] } {
  const old = index.find((m) => m.sha256 === meta.sha256);
  const entry: FirmwareMeta = old ? { ...old, usedAt: meta.usedAt } : meta;
  const rest = index.filter((m) => m.sha256 !== meta.sha256);
  const next = [entry, ...rest].sort((a, b) => b.usedAt - a.usedAt);
  return { index: next.slice(0, MAX_RECENT), evicted: next.slice(MAX_RECENT).map((m) => m.sha256) };
}

export function indexWith(index: readonly FirmwareMeta[], sha256: string, change: (m: FirmwareMeta) => FirmwareMeta): FirmwareMeta[] {
  return index.map((m) => (m.sha256 === sha256 ? change(m) : m)).sort((a, b) => b.usedAt - a.usedAt);
}

export function cleanName(name: string): string {
  const trimmed = name.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return trimmed === '' ? 'firmware.hex' : trimmed;
}
