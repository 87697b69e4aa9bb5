// Compact hex rendering of bytes for verbose logs; long buffers are elided in the middle.

export function hexBytes(bytes: Uint8Array, max = 16): string {
  const n = bytes.length;
  const show = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
  if (n <= max) return show(bytes);
  const half = Math.floor(max / 2);
  return `${show(bytes.subarray(0, half))} … ${show(bytes.subarray(n - half))} (${n} bytes)`;
}
