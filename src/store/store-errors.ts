// Maps what IndexedDB throws (quota, private mode, a blocked or broken database) to a StoreError
// whose message says what happened and that the firmware in hand is still usable.
import { StoreError } from './firmware-library.js';

export function toStoreError(e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const name = e instanceof Error || (typeof DOMException !== 'undefined' && e instanceof DOMException) ? (e as Error).name : '';
  const text = e instanceof Error ? e.message : String(e);
  if (name === 'QuotaExceededError') {
    return new StoreError('quota', 'The browser has no storage left for this site. Delete older firmware from Recent or free disk space.', { cause: e });
  }
  if (name === 'InvalidStateError' || name === 'SecurityError' || name === 'ReferenceError' || name === 'NotSupportedError') {
    return new StoreError('unavailable', 'This browser window cannot store data (a private window, or storage is turned off for this site).', { cause: e });
  }
  if (name === 'VersionError' || name === 'AbortError') {
    return new StoreError('blocked', 'The firmware database is busy or blocked by another tab of HexFlash. Close other HexFlash tabs and reload.', { cause: e });
  }
  return new StoreError('unknown', `The firmware library failed: ${text || name || 'unknown error'}.`, { cause: e });
}

/** Rejects with a 'blocked' StoreError when `p` takes longer than `ms` (a blocked open never settles). */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new StoreError('blocked', 'The firmware database did not answer. Another tab of HexFlash may hold it; close other tabs and reload.'));
    }, ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
