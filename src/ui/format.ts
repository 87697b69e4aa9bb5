// Numbers and dates as the UI prints them: sizes in KiB, rates, durations, short hashes.

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

export function formatRate(bytesPerSecond: number): string {
  return bytesPerSecond > 0 ? `${formatBytes(Math.round(bytesPerSecond))}/s` : '—';
}

export function formatSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '—';
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export function formatMs(ms: number): string {
  return formatSeconds(ms / 1000);
}

export function formatDate(epochMs: number): string {
  return new Date(epochMs).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function shortHash(sha256: string): string {
  return sha256.slice(0, 12);
}

/** What the session had to do to succeed, in words; null when nothing went wrong. */
export function formatRecovery(r: { resyncs: number; repairs: number; reconnects: number }): string | null {
  const n = (count: number, one: string, many: string): string | null => (count === 0 ? null : `${count} ${count === 1 ? one : many}`);
  const parts = [
    n(r.resyncs, 'damaged or lost answer asked for again', 'damaged or lost answers asked for again'),
    n(r.repairs, 'repair pass (pages that read back wrong were written again)', 'repair passes (pages that read back wrong were written again)'),
    n(r.reconnects, 'reset to reach the bootloader again', 'resets to reach the bootloader again'),
  ].filter((p): p is string => p !== null);
  return parts.length === 0 ? null : `${parts.join('; ')}. The data on the way was unreliable: check the cable if this repeats.`;
}
