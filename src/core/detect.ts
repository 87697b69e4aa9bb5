// Finds the bootloader: for each candidate (protocol, baud) it pulses reset and listens. With
// protocol "auto" it tries STK500v2 at 115200 (Mega 2560 'wiring'), STK500v1 at 115200 (optiboot)
// and STK500v1 at 57600 (ATmegaBOOT: old Nano, Anet, Mega 1280), so a wrong guess costs a second,
// not a "Timeout communicating with programmer".
import { FlashError, isFlashError } from './errors.js';
import type { FlashEvent } from './events.js';
import type { ByteLink } from './link/byte-link.js';
import type { AbortSignalLike, Clock } from './link/clock.js';
import type { ClientOptions, Logger, Programmer, ProtocolId } from './programmer.js';
import { runReset, type ResetStep } from './reset.js';
import { Stk500v1Client } from './stk500v1/client.js';
import { Stk500v2Client } from './stk500v2/client.js';

export interface Candidate {
  readonly protocol: ProtocolId;
  readonly baud: number;
}

export const AUTO_CANDIDATES: readonly Candidate[] = [
  { protocol: 'stk500v2', baud: 115200 },
  { protocol: 'stk500v1', baud: 115200 },
  { protocol: 'stk500v1', baud: 57600 },
];

export const DEFAULT_BAUD: Readonly<Record<ProtocolId, number>> = { stk500v2: 115200, stk500v1: 115200 };

/**
 * How long each protocol's bootloader may take to answer after reset: optiboot blinks its LED for
 * 375 ms and ATmegaBOOT for 200 ms before they read the UART; stk500boot answers at once. The
 * margins cover a loaded host (a busy browser tab) as well.
 */
const FIRST_ANSWER_MS: Readonly<Record<ProtocolId, number>> = { stk500v2: 500, stk500v1: 1200 };
const RETRY_ANSWER_MS = 400;

/**
 * The (protocol, baud) pairs to try, in order. With `thenAuto`, what was given comes first and the
 * automatic list follows, so a wrong programmer type or baud costs a second instead of the flash.
 */
export function candidatesFor(protocol: ProtocolId | 'auto', baud: number | undefined, thenAuto = false): Candidate[] {
  let given: Candidate[];
  if (protocol === 'auto') {
    const list = baud === undefined ? AUTO_CANDIDATES : AUTO_CANDIDATES.filter((c) => c.baud === baud);
    given = list.length > 0 ? [...list] : PROTOCOLS.map((p) => ({ protocol: p, baud: baud ?? DEFAULT_BAUD[p] }));
  } else {
    given = [{ protocol, baud: baud ?? DEFAULT_BAUD[protocol] }];
  }
  if (!thenAuto) return given;
  const rest = AUTO_CANDIDATES.filter((a) => !given.some((g) => g.protocol === a.protocol && g.baud === a.baud));
  return [...given, ...rest];
}

const PROTOCOLS: readonly ProtocolId[] = ['stk500v2', 'stk500v1'];

export function createClient(protocol: ProtocolId, opts: ClientOptions): Programmer {
  return protocol === 'stk500v2' ? new Stk500v2Client(opts) : new Stk500v1Client(opts);
}

export interface DetectOptions {
  readonly link: ByteLink;
  readonly clock: Clock;
  readonly candidates: readonly Candidate[];
  readonly reset: readonly ResetStep[];
  /** Reset-and-listen rounds per candidate when only one is given. */
  readonly rounds?: number;
  readonly signal?: AbortSignalLike;
  readonly logger: Logger;
  readonly onAttempt: (c: Candidate, attempt: number, baud: number | null) => void;
}

export interface Detected {
  readonly client: Programmer;
  readonly candidate: Candidate;
  /** The baud the link runs at, or null when the link cannot tell (a TCP bridge). */
  readonly baud: number | null;
  readonly answer: string;
}

/** An onAttempt that reports each try as the 'resetting' and 'connecting' events of a session. */
export function reportAttempts(emit: (e: Extract<FlashEvent, { state: 'resetting' | 'connecting' }>) => void): DetectOptions['onAttempt'] {
  return (c, attempt, baud) => {
    emit({ state: 'resetting', attempt });
    emit({ state: 'connecting', protocol: c.protocol, baud, attempt });
  };
}

export async function detectBootloader(o: DetectOptions): Promise<Detected> {
  const { link } = o;
  const tried = new Set<string>();
  const rounds = o.candidates.length === 1 ? (o.rounds ?? 3) : 1;
  const seen = new Set<string>();
  let attempt = 0;
  for (let round = 0; round < rounds; round++) {
    for (const c of o.candidates) {
      // A link that cannot change baud (TCP bridge) runs at the bridge's rate: try each protocol once there.
      const baud = link.setBaud ? c.baud : (link.baud ?? null);
      const key = `${c.protocol}@${baud ?? 'bridge'}`;
      if (rounds === 1 && seen.has(key)) continue;
      seen.add(key);
      attempt++;
      if (link.setBaud && link.baud !== c.baud) await link.setBaud(c.baud);
      o.onAttempt(c, attempt, baud);
      await runReset(link, o.clock, o.reset, o.signal);
      const client = createClient(c.protocol, { link, clock: o.clock, logger: o.logger, ...(o.signal ? { signal: o.signal } : {}) });
      for (const wait of [FIRST_ANSWER_MS[c.protocol], RETRY_ANSWER_MS]) {
        try {
          const answer = await client.probe(wait);
          o.logger.log('info', `${c.protocol.toUpperCase()} bootloader answered at ${baud ?? 'the bridge'} baud: ${answer}.`);
          return { client, candidate: c, baud, answer };
        } catch (e) {
          if (!isFlashError(e, 'link-timeout') && !isFlashError(e, 'protocol-error')) throw e;
          o.logger.log('info', `${c.protocol.toUpperCase()} at ${baud ?? 'bridge'} baud: ${e instanceof FlashError ? e.detail : ''}`);
        }
      }
      tried.add(`${c.protocol.toUpperCase()} at ${baud === null ? 'the bridge rate' : `${baud} baud`}`);
    }
  }
  throw new FlashError('no-bootloader', `Tried ${[...tried].join(', ')}${rounds > 1 ? ` (${rounds} resets each)` : ''}.`);
}
