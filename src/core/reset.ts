// Auto-reset sequences as data. A step string like "D0R0|W100|D1R1|W70" reads: DTR and RTS off,
// wait 100 ms, DTR and RTS on (the capacitor on the board turns this edge into a reset pulse), wait
// 70 ms: Arduino fuses (SUT=11) hold the chip 65 ms after a reset, and bytes sent then are lost.
import { FlashError } from './errors.js';
import type { ByteLink, SerialSignals } from './link/byte-link.js';
import { sleep, type AbortSignalLike, type Clock } from './link/clock.js';

export type ResetStep = { readonly signals: SerialSignals } | { readonly waitMs: number };

export const RESET_SEQUENCES = {
  /** Classic Arduino auto-reset through DTR and RTS (Uno, Nano, Mega, RAMPS, Melzi, Anet). */
  arduino: 'D0R0|W100|D1R1|W70',
  /** For boards whose reset circuit needs a longer low phase (as avrdude's 250 ms). */
  slow: 'D0R0|W250|D1R1|W100',
  /** No auto-reset: the user presses the reset button. */
  none: '',
} as const;

export type ResetName = keyof typeof RESET_SEQUENCES;

export function parseResetSequence(text: string): ResetStep[] {
  const steps: ResetStep[] = [];
  for (const raw of text.split('|')) {
    const part = raw.trim().toUpperCase();
    if (part === '') continue;
    const wait = /^W(\d{1,5})$/.exec(part);
    if (wait) {
      steps.push({ waitMs: Number(wait[1]) });
      continue;
    }
    const signals: { dataTerminalReady?: boolean; requestToSend?: boolean } = {};
    const re = /([DR])([01])/g;
    let consumed = 0;
    for (let m = re.exec(part); m; m = re.exec(part)) {
      if (m[1] === 'D') signals.dataTerminalReady = m[2] === '1';
      else signals.requestToSend = m[2] === '1';
      consumed += 2;
    }
    if (consumed === 0 || consumed !== part.length) {
      throw new FlashError('bad-argument', `Reset step "${raw}" is not understood; use D0/D1, R0/R1 and W<ms>, e.g. "D0R0|W100|D1R1|W70".`);
    }
    steps.push({ signals });
  }
  return steps;
}

export async function runReset(link: ByteLink, clock: Clock, steps: readonly ResetStep[], signal?: AbortSignalLike): Promise<void> {
  for (const step of steps) {
    if ('waitMs' in step) await sleep(clock, step.waitMs, signal);
    else await link.setSignals(step.signals);
  }
}
