// Small statistics the Pacer learns the link from: medians and ranges of a few samples.

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return ((s[(s.length - 1) >> 1] ?? 0) + (s[s.length >> 1] ?? 0)) / 2;
}

export function withoutLargest(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b).slice(0, -1);
}

/** The largest of `xs` less the least; 0 for none. */
export function range(xs: readonly number[]): number {
  return xs.length > 0 ? Math.max(...xs) - Math.min(...xs) : 0;
}

/** The range of `xs`, stretched by what the range of n samples falls short of the whole by: (n + 1) / (n - 1). */
export function stretched(xs: readonly number[]): number {
  const n = xs.length;
  return n < 2 ? 0 : (range(xs) * (n + 1)) / (n - 1);
}
