// How the UI prints sizes, rates and durations.
import { describe, expect, it } from 'vitest';
import { formatBytes, formatRate, formatRecovery, formatSeconds, shortHash } from '../../src/ui/format.js';

describe('format', () => {
  it('prints sizes and rates', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(253952)).toBe('248.0 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.00 MiB');
    expect(formatRate(0)).toBe('—');
    expect(formatRate(11520)).toBe('11.3 KiB/s');
  });

  it('prints durations', () => {
    expect(formatSeconds(null)).toBe('—');
    expect(formatSeconds(2.345)).toBe('2.3 s');
    expect(formatSeconds(42.4)).toBe('42 s');
    expect(formatSeconds(125)).toBe('2 min 5 s');
    expect(shortHash('abcdef0123456789')).toBe('abcdef012345');
  });

  it('says what a flash had to recover from, and nothing when all went well', () => {
    expect(formatRecovery({ resyncs: 0, repairs: 0, reconnects: 0 })).toBeNull();
    expect(formatRecovery({ resyncs: 2, repairs: 1, reconnects: 0 })).toBe(
      '2 damaged or lost answers asked for again; 1 repair pass (pages that read back wrong were written again). The data on the way was unreliable: check the cable if this repeats.',
    );
  });
});
