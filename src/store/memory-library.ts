// In-memory FirmwareLibrary for tests (and as the fallback when IndexedDB cannot be opened).
import {
  cleanName,
  indexWith,
  indexWithAdd,
  newMeta,
  StoreError,
  type BackupInfo,
  type FirmwareLibrary,
  type FirmwareMeta,
  type LastFlash,
  type StoredFirmware,
} from './firmware-library.js';

export class MemoryFirmwareLibrary implements FirmwareLibrary {
  private index: FirmwareMeta[] = [];
  private readonly blobs = new Map<string, Uint8Array>();

  constructor(private readonly now: () => number = Date.now) {}

  async list(): Promise<FirmwareMeta[]> {
    return [...this.index];
  }

  async add(name: string, data: Uint8Array, sha256: string, backup?: BackupInfo): Promise<FirmwareMeta> {
    const { index, evicted } = indexWithAdd(this.index, newMeta(sha256, name, data.length, this.now(), backup));
    if (!this.blobs.has(sha256)) this.blobs.set(sha256, data.slice());
    for (const sha of evicted) this.blobs.delete(sha);
    this.index = index;
    return index.find((m) => m.sha256 === sha256) as FirmwareMeta;
  }

  async get(sha256: string): Promise<StoredFirmware | undefined> {
    const meta = this.index.find((m) => m.sha256 === sha256);
    const data = this.blobs.get(sha256);
    return meta && data ? { meta, data: data.slice() } : undefined;
  }

  async rename(sha256: string, name: string): Promise<void> {
    this.requireEntry(sha256);
    this.index = indexWith(this.index, sha256, (m) => ({ ...m, name: cleanName(name) }));
  }

  async remove(sha256: string): Promise<void> {
    this.index = this.index.filter((m) => m.sha256 !== sha256);
    this.blobs.delete(sha256);
  }

  async markFlashed(sha256: string, flash: LastFlash): Promise<void> {
    this.requireEntry(sha256);
    this.index = indexWith(this.index, sha256, (m) => ({ ...m, usedAt: flash.at, lastFlash: flash }));
  }

  private requireEntry(sha256: string): void {
    if (!this.index.some((m) => m.sha256 === sha256)) throw new StoreError('missing', 'That firmware is no longer in Recent.');
  }
}
