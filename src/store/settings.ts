// Small preferences in localStorage (the last board choice, verbose log). Storage that throws
// (private mode, disabled cookies) only means the preference is not remembered.

export interface Settings {
  read(key: string): string | null;
  write(key: string, value: string): void;
}

export const localSettings: Settings = {
  read(key) {
    try {
      return globalThis.localStorage?.getItem(`hexflash.${key}`) ?? null;
    } catch {
      return null;
    }
  },
  write(key, value) {
    try {
      globalThis.localStorage?.setItem(`hexflash.${key}`, value);
    } catch {
      // Not remembered; nothing else depends on it.
    }
  },
};

export function memorySettings(): Settings {
  const map = new Map<string, string>();
  return { read: (k) => map.get(k) ?? null, write: (k, v) => void map.set(k, v) };
}
