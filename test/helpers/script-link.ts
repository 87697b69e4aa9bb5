// A ByteLink driven by a script, for unit tests of command bytes: every write is recorded and
// handed to `respond`, whose answer bytes are queued for reading. Not a bootloader: protocol
// behaviour is proven on the emulated board (test/emulator).
import { QueueLink } from '../../src/core/link/queue-link.js';
import { systemClock } from '../../src/transports/system-clock.js';

export interface ScriptLink {
  readonly link: QueueLink;
  readonly writes: Uint8Array[];
  readonly signals: { dataTerminalReady?: boolean; requestToSend?: boolean }[];
}

export function scriptLink(respond: (written: Uint8Array, index: number) => Uint8Array | Uint8Array[] | null): ScriptLink {
  const writes: Uint8Array[] = [];
  const signals: ScriptLink['signals'] = [];
  const link: QueueLink = new QueueLink({
    description: 'script',
    clock: systemClock,
    write: async (bytes) => {
      const copy = bytes.slice();
      writes.push(copy);
      const answer = respond(copy, writes.length - 1);
      const parts = answer === null ? [] : Array.isArray(answer) ? answer : [answer];
      queueMicrotask(() => parts.forEach((p) => link.queue.push(p)));
    },
    setSignals: async (s) => {
      signals.push({ ...s });
    },
    close: async () => undefined,
  });
  return { link, writes, signals };
}

export const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).filter(Boolean), (x) => parseInt(x, 16));
