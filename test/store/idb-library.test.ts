// The IndexedDB FirmwareLibrary (idb-keyval) on fake-indexeddb: the shared contract, persistence
// across instances, and storage failures turned into StoreErrors.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { IdbFirmwareLibrary } from '../../src/store/idb-library.js';
import { sha256Hex } from '../../src/store/sha256.js';
import { toStoreError, withTimeout } from '../../src/store/store-errors.js';
import { libraryContract } from './library-contract.js';

let db = 0;
libraryContract('IdbFirmwareLibrary', () => {
  let t = 1_000;
  return { lib: new IdbFirmwareLibrary({ dbName: `hexflash-test-${db++}`, now: () => t }), tick: (ms) => void (t += ms) };
});

describe('IdbFirmwareLibrary storage', () => {
  it('keeps images across library instances (a reload)', async () => {
    const data = new TextEncoder().encode(':00000001FF\n');
    const sha = await sha256Hex(data);
    await new IdbFirmwareLibrary({ dbName: 'hexflash-reload' }).add('keep.hex', data, sha);
    const again = new IdbFirmwareLibrary({ dbName: 'hexflash-reload' });
    expect((await again.list()).map((m) => m.name)).toEqual(['keep.hex']);
    expect((await again.get(sha))?.data).toEqual(data);
  });

  it('reports a browser without storage as unavailable', async () => {
    const saved = globalThis.indexedDB;
    Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true, writable: true });
    try {
      const lib = new IdbFirmwareLibrary({ dbName: 'hexflash-none' });
      await expect(lib.list()).rejects.toMatchObject({ name: 'StoreError', kind: 'unavailable' });
    } finally {
      Object.defineProperty(globalThis, 'indexedDB', { value: saved, configurable: true, writable: true });
    }
  });

  it('ignores a malformed index instead of trusting it', async () => {
    const { createStore, set } = await import('idb-keyval');
    const store = createStore('hexflash-bad', 'firmware');
    await set('index', [{ sha256: 1 }, 'x', null], store);
    expect(await new IdbFirmwareLibrary({ dbName: 'hexflash-bad' }).list()).toEqual([]);
  });

  it('keeps an entry whose backup field is malformed, without the field (no Restore for it)', async () => {
    const { createStore, set } = await import('idb-keyval');
    const store = createStore('hexflash-bad-backup', 'firmware');
    const entry = { sha256: 'a', name: 'Backup', size: 1, addedAt: 1, usedAt: 1 };
    await set('index', [{ ...entry, backup: { mcu: 2 } }], store);
    expect(await new IdbFirmwareLibrary({ dbName: 'hexflash-bad-backup' }).list()).toEqual([entry]);
  });
});

describe('store errors', () => {
  it('names a full disk as quota, with what to do', () => {
    const e = toStoreError(new DOMException('full', 'QuotaExceededError'));
    expect(e.kind).toBe('quota');
    expect(e.message).toMatch(/Delete older firmware/);
  });

  it('names private mode as unavailable', () => {
    expect(toStoreError(new DOMException('no', 'InvalidStateError')).kind).toBe('unavailable');
  });

  it('reports a database that never answers as blocked', async () => {
    await expect(withTimeout(new Promise(() => undefined), 20)).rejects.toMatchObject({ kind: 'blocked' });
  });
});
