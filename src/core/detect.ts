// Finds the bootloader: for each candidate (protocol, baud) it pulses reset and listens. With
// protocol "auto" it tries STK500v2 at 115200 (Mega 2560 'wiring'), STK500v1 at 115200 (optiboot),
// STK500v1 at 57600 (ATmegaBOOT: old Nano, Anet, Mega 1280), then the rarer ones: STK500v1 at 19200
// (ATmegaBOOT on the ATmega168/ATmega8 boards: Diecimila, NG, Mini/Pro 168, BT) and AVR109 (Caterina,
// ATmega32U4), so a wrong guess costs a second, not a "Timeout communicating with programmer", and
// the common boards are found as fast as before. A hint (the port's USB ID names a 32U4 board) moves
// its protocol to the front.
import type { Pacer } from './pipeline/pacer.js';
import { FlashError, isFlashError } from './errors.js';
import type { FlashEvent } from './events.js';
import type { ByteLink } from './link/byte-link.js';
import type { AbortSignalLike, Clock } from './link/clock.js';
import type { ClientOptions, Logger, Programmer, ProtocolId } from './programmer.js';
import { runReset, type ResetStep } from './reset.js';
import { Avr109Client } from './avr109/client.js';
import { Stk500v1Client } from './stk500v1/client.js';
import { Stk500v2Client } from './stk500v2/client.js';

export interface Candidate {
  readonly protocol: ProtocolId;
  readonly baud: number;
  /** The largest flash of the chips whose bootloader answers this way: larger images skip it. */
  readonly maxFlashBytes?: number;
}

export const AUTO_CANDIDATES: readonly Candidate[] = [
  { protocol: 'stk500v2', baud: 115200 },
  { protocol: 'stk500v1', baud: 115200 },
  { protocol: 'stk500v1', baud: 57600 },
  // ATmegaBOOT at 19200 runs on the ATmega168 (16 KiB), ATmega8 and the BT's ATmega328 (32 KiB).
  { protocol: 'stk500v1', baud: 19200, maxFlashBytes: 32 * 1024 },
  // Caterina is on the ATmega32U4 (32 KiB); over USB CDC the baud is not used.
  { protocol: 'avr109', baud: 57600, maxFlashBytes: 32 * 1024 },
];

export const DEFAULT_BAUD: Readonly<Record<ProtocolId, number>> = { stk500v2: 115200, stk500v1: 115200, avr109: 57600 };

/**
 * How long each protocol's bootloader may take to answer after reset: optiboot blinks its LED for
 * 375 ms and ATmegaBOOT for 200 ms before they read the UART; stk500boot answers at once. The
 * margins cover a loaded host (a busy browser tab) as well.
 */
const FIRST_ANSWER_MS: Readonly<Record<ProtocolId, number>> = { stk500v2: 500, stk500v1: 1200, avr109: 500 };
const RETRY_ANSWER_MS = 400;

export interface CandidateHints {
  /** One past the image's last byte: candidates whose chips are all smaller are skipped. */
  readonly imageEnd?: number;
  /** A protocol the port's USB ID points to: its candidates go first. */
  readonly likely?: ProtocolId;
  /**
   * With a protocol or baud given: when nothing answers there, go on to the automatic list, so a
   * wrong programmer type or baud costs a second instead of the flash (avrdude's dialect).
   */
  readonly thenAuto?: boolean;
}

/** The (protocol, baud) pairs to try, in order. */
export function candidatesFor(protocol: ProtocolId | 'auto', baud: number | undefined, hints: CandidateHints = {}): Candidate[] {
  const fits = AUTO_CANDIDATES.filter((c) => c.maxFlashBytes === undefined || (hints.imageEnd ?? 0) <= c.maxFlashBytes);
  let given: Candidate[];
  if (protocol === 'auto') {
    const list = baud === undefined ? fits : fits.filter((c) => c.baud === baud);
    const found = list.length > 0 ? list : PROTOCOLS.map((p) => ({ protocol: p, baud: baud ?? DEFAULT_BAUD[p] }));
    const likely = found.filter((c) => c.protocol === hints.likely);
    given = [...likely, ...found.filter((c) => c.protocol !== hints.likely)];
  } else {
    given = [{ protocol, baud: baud ?? DEFAULT_BAUD[protocol] }];
  }
  if (!hints.thenAuto) return given;
  return [...given, ...fits.filter((a) => !given.some((g) => g.protocol === a.protocol && g.baud === a.baud))];
}

const PROTOCOLS: readonly ProtocolId[] = ['stk500v2', 'stk500v1', 'avr109'];

export function createClient(protocol: ProtocolId, opts: ClientOptions): Programmer {
  if (protocol === 'avr109') return new Avr109Client(opts);
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
  /** The session's pipeline timing, handed to the client (see core/pipeline). */
  readonly pacer?: Pacer;
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
      const client = createClient(c.protocol, { link, clock: o.clock, logger: o.logger, wireBaud: baud ?? c.baud, ...(o.pacer ? { pacer: o.pacer } : {}), ...(o.signal ? { signal: o.signal } : {}) });
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
