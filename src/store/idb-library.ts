// FirmwareLibrary on IndexedDB through idb-keyval: one database, one object store, an "index"
// key holding the Recent list (changed only through update(), atomic) and one "image:<sha256>"
// key per stored file, so the same image is stored once.
import { createStore, delMany, get, update, type UseStore } from 'idb-keyval';
import {
  cleanName,
  indexWith,
  indexWithAdd,
  newMeta,
  readIndex,
  StoreError,
  type BackupInfo,
  type FirmwareLibrary,
  type FirmwareMeta,
  type LastFlash,
  type StoredFirmware,
} from './firmware-library.js';
import { toStoreError, withTimeout } from './store-errors.js';

const INDEX_KEY = 'index';
const imageKey = (sha256: string): string => `image:${sha256}`;
/** A database that does not answer in this time is reported as blocked. */
const OPEN_TIMEOUT_MS = 8000;

export interface IdbLibraryOptions {
  readonly dbName?: string;
  readonly storeName?: string;
  readonly now?: () => number;
}

export class IdbFirmwareLibrary implements FirmwareLibrary {
  private store: UseStore | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: IdbLibraryOptions = {}) {
    this.now = opts.now ?? Date.now;
  }

  async list(): Promise<FirmwareMeta[]> {
    return this.run(async (s) => readIndex(await get<unknown>(INDEX_KEY, s)));
  }

  async add(name: string, data: Uint8Array, sha256: string, backup?: BackupInfo): Promise<FirmwareMeta> {
    return this.run(async (s) => {
      const fresh = newMeta(sha256, name, data.length, this.now(), backup);
      await update<Uint8Array>(imageKey(sha256), (old) => old ?? data.slice(), s);
      let evicted: string[] = [];
      let stored: FirmwareMeta = fresh;
      await update<unknown>(
        INDEX_KEY,
        (old) => {
          const next = indexWithAdd(readIndex(old), fresh);
          evicted = next.evicted;
          stored = next.index.find((m) => m.sha256 === sha256) ?? fresh;
          return next.index;
        },
        s,
      );
      if (evicted.length > 0) await delMany(evicted.map(imageKey), s);
      return stored;
    });
  }

  async get(sha256: string): Promise<StoredFirmware | undefined> {
    return this.run(async (s) => {
      const meta = readIndex(await get<unknown>(INDEX_KEY, s)).find((m) => m.sha256 === sha256);
      const data = await get<unknown>(imageKey(sha256), s);
      if (!meta || !(data instanceof Uint8Array)) return undefined;
      return { meta, data };
    });
  }

  async rename(sha256: string, name: string): Promise<void> {
    await this.changeEntry(sha256, (m) => ({ ...m, name: cleanName(name) }));
  }

  async remove(sha256: string): Promise<void> {
    await this.run(async (s) => {
      await update<unknown>(INDEX_KEY, (old) => readIndex(old).filter((m) => m.sha256 !== sha256), s);
      await delMany([imageKey(sha256)], s);
    });
  }

  async markFlashed(sha256: string, flash: LastFlash): Promise<void> {
    await this.changeEntry(sha256, (m) => ({ ...m, usedAt: flash.at, lastFlash: flash }));
  }

  private async changeEntry(sha256: string, change: (m: FirmwareMeta) => FirmwareMeta): Promise<void> {
    await this.run(async (s) => {
      let found = false;
      await update<unknown>(
        INDEX_KEY,
        (old) => {
          const index = readIndex(old);
          found = index.some((m) => m.sha256 === sha256);
          return indexWith(index, sha256, change);
        },
        s,
      );
      if (!found) throw new StoreError('missing', 'That firmware is no longer in Recent.');
    });
  }

  /** Opens the store lazily (indexedDB may be missing or refuse) and maps every failure to a StoreError. */
  private async run<T>(op: (s: UseStore) => Promise<T>): Promise<T> {
    if (typeof indexedDB === 'undefined' || indexedDB === null) {
      throw new StoreError('unavailable', 'This browser offers no IndexedDB storage here (a private window, or storage turned off).');
    }
    try {
      this.store ??= createStore(this.opts.dbName ?? 'hexflash', this.opts.storeName ?? 'firmware');
      return await withTimeout(op(this.store), OPEN_TIMEOUT_MS);
    } catch (e) {
      throw toStoreError(e);
    }
  }
}
