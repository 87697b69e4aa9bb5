// PROG_PAGE and READ_PAGE pipelined for optiboot and ATmegaBOOT, timed by the session's Pacer
// (core/pipeline): each page goes out as one write of its commands (UNIVERSAL when the extended
// address changes, LOAD_ADDRESS, the page command) and its answers (INSYNC, payload, OK each) are
// checked as they arrive, in order.
import { FlashError } from '../errors.js';
import type { ByteLink } from '../link/byte-link.js';
import type { Clock } from '../link/clock.js';
import { hexBytes } from '../link/hexdump.js';
import type { ClientOptions, LinkStats, Logger } from '../programmer.js';
import { MAX_IN_FLIGHT, type PageKind, type Pacer } from '../pipeline/pacer.js';
import { runPipelined, type PipelineOutcome } from '../pipeline/run.js';
import * as K from './constants.js';

/** Commands the bootloader answers at once: their round trips are the link's own delay (see Pacer). */
export const SHORT_COMMANDS: ReadonlySet<number> = new Set([K.Cmnd_STK_GET_SYNC, K.Cmnd_STK_READ_SIGN, K.Cmnd_STK_ENTER_PROGMODE]);

/**
 * What an exchange answered one at a time tells `pacer` of the link (`tripMs` from its write to its
 * last answer, `firstMs` to its first): a short command's round trip, or a page write's address
 * answer, which travels alone (a read's would share a transfer with the page's).
 */
export function noteTrip(pacer: Pacer, commands: readonly Uint8Array[], payloads: readonly number[], tripMs: number, firstMs: number): void {
  const cmd = commands.length === 1 ? (commands[0]?.[0] ?? -1) : -1;
  if (SHORT_COMMANDS.has(cmd)) pacer.trip(tripMs, commands[0]?.length ?? 0, (payloads[0] ?? 0) + 2);
  else if (commands.length > 1 && payloads[commands.length - 1] === 0 && pacer.wantsLinkSamples) pacer.trip(firstMs, commands[0]?.length ?? 0, (payloads[0] ?? 0) + 2);
}

/** One page's commands in one write, each command's length, and the payload each answer carries. */
export interface PageCommands {
  readonly bytes: Uint8Array;
  readonly lengths: readonly number[];
  readonly payloads: readonly number[];
}

/**
 * Of a page's answer, `got` bytes in: how many bytes at least had to pass on the bootloader's wire
 * from the page's first byte in to the last of those out. The answer to each command leaves after
 * that command is in, its bytes one after another.
 */
export function bytesBefore(c: Pick<PageCommands, 'lengths' | 'payloads'>, got: number): number {
  let commandBytes = 0;
  let answered = 0;
  for (let j = 0; j < c.payloads.length; j++) {
    commandBytes += c.lengths[j] ?? 0;
    const size = (c.payloads[j] ?? 0) + 2;
    if (got <= answered + size) return commandBytes + got - answered;
    answered += size;
  }
  return commandBytes + got - answered;
}

/** What the pipeline needs of the STK500v1 client. */
export interface V1Wire {
  readonly pacer: Pacer;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly answerTimeoutMs: number;
  /** Writes `bytes` (counted as one round trip). */
  send(bytes: Uint8Array): Promise<void>;
  /** Exactly `n` bytes within `ms`, or null (nothing is taken then). */
  receive(n: number, ms: number): Promise<Uint8Array | null>;
  /** Bytes in that no receive took yet. */
  readonly pending: number;
  /** When the last bytes came, on the link's clock (now, when the link cannot tell). */
  readonly lastReceivedAt: number;
}

/**
 * One long answer for the Pacer (see Pacer.answerStart): page 0 read, its answer taken chunk by chunk
 * to bound when the bootloader began it. Checked like any answer; a damaged one is a protocol-error.
 */
export async function sampleLongAnswer(opts: ClientOptions, pacer: Pacer, stats: LinkStats, c: PageCommands, timeoutMs: number): Promise<void> {
  const { link, clock, signal } = opts;
  const total = c.payloads.reduce((s, p) => s + p + 2, 0);
  stats.roundTrips++;
  stats.bytesOut += c.bytes.length;
  pacer.turnarounds.sending(clock.now());
  await link.write(c.bytes);
  const sentAt = clock.now();
  const deadline = sentAt + timeoutMs;
  const answer = new Uint8Array(total);
  let got = 0;
  let start = Infinity;
  while (got < total) {
    const chunk = await link.readSome(total - got, Math.max(0, deadline - clock.now()), signal);
    answer.set(chunk, got);
    got += chunk.length;
    start = Math.min(start, clock.now() - got * (pacer.byteTimeMs ?? 0));
  }
  stats.bytesIn += got;
  pacer.turnarounds.answerArrived(link.lastReceivedAt ?? clock.now());
  if (answer[0] !== K.Resp_STK_INSYNC || answer[total - 1] !== K.Resp_STK_OK) {
    throw new FlashError('protocol-error', "The bootloader's answer was out of sync while measuring the link.", { technical: `Answer ${hexBytes(answer)} to a page read is out of sync.` });
  }
  pacer.answerStart(start - sentAt);
}

/**
 * A page that reaches optiboot or ATmegaBOOT while it writes the one before loses bytes, and then
 * it leaves for the application; only a reset brings it back. A queue on the way (a bridge, a busy
 * host) can hold a page and then deliver the next right behind it, whatever the timing. So pages
 * go ahead only over a link that can reset the board.
 */
export function needReset(link: ByteLink, pacer: Pacer): void {
  if (link.canReset === false) pacer.dropBack('finding that this link cannot reset the board, which a page that reached the bootloader early would need');
}

/** The pipeline's view of a client's link: writes and exact reads, counted and logged as the client's own. */
export function linkWire(opts: ClientOptions, pacer: Pacer, logger: Logger, stats: LinkStats, answerTimeoutMs: number): V1Wire {
  return {
    pacer,
    clock: opts.clock,
    logger,
    answerTimeoutMs,
    get pending() {
      return opts.link.available ?? 0;
    },
    get lastReceivedAt() {
      return opts.link.lastReceivedAt ?? opts.clock.now();
    },
    async send(bytes) {
      pacer.turnarounds.sending(opts.clock.now());
      if (logger.debug) logger.log('debug', `> ${hexBytes(bytes)}`);
      stats.roundTrips++;
      stats.bytesOut += bytes.length;
      await opts.link.write(bytes);
    },
    async receive(n, ms) {
      const answer = await opts.link.read(n, ms, opts.signal).catch((e: unknown) => {
        if (e instanceof FlashError && e.code === 'link-timeout') return null;
        throw e;
      });
      if (answer) {
        pacer.turnarounds.answerArrived(opts.link.lastReceivedAt ?? opts.clock.now());
        stats.bytesIn += answer.length;
        if (logger.debug) logger.log('debug', `< ${hexBytes(answer)}`);
      }
      return answer;
    },
  };
}

/**
 * Runs the pages of `[first, end)` pipelined; `commandsFor(address)` builds each page's commands
 * when it is sent, `onAnswer` gets each page's last payload (the data read) in order.
 */
export async function pipelinedPages(
  w: V1Wire,
  kind: PageKind,
  first: number,
  end: number,
  page: number,
  commandsFor: (address: number) => PageCommands,
  onAnswer: (address: number, payload: Uint8Array) => void,
): Promise<PipelineOutcome> {
  const inFlight: PageCommands[] = new Array<PageCommands>(MAX_IN_FLIGHT);
  /** Each command in flight's whole answer: INSYNC, payload, OK for each of its commands. */
  const answerBytes = new Uint32Array(MAX_IN_FLIGHT);
  let waiting = 0;
  let payload: Uint8Array = new Uint8Array(0);
  return runPipelined(
    {
      count: Math.ceil((end - first) / page),
      send: async (i) => {
        const c = commandsFor(first + i * page);
        inFlight[i % MAX_IN_FLIGHT] = c;
        answerBytes[i % MAX_IN_FLIGHT] = c.payloads.reduce((s, p) => s + p + 2, 0);
        await w.send(c.bytes);
      },
      answer: async (ms) => {
        const payloads = inFlight[waiting % MAX_IN_FLIGHT]?.payloads ?? [];
        const answer = await w.receive(answerBytes[waiting % MAX_IN_FLIGHT] ?? 0, ms);
        if (!answer) return false;
        let at = 0;
        for (const p of payloads) {
          if (answer[at] !== K.Resp_STK_INSYNC || answer[at + p + 1] !== K.Resp_STK_OK) {
            throw new FlashError('protocol-error', `The bootloader's answer was out of sync while ${kind === 'write' ? 'writing' : 'reading'} pages.`, {
              technical: `Answer ${hexBytes(answer)} to a pipelined page is out of sync (expected 14 … 10 for each command).`,
            });
          }
          payload = answer.subarray(at + 1, at + 1 + p);
          at += p + 2;
        }
        return true;
      },
      answered: (i) => {
        waiting = i + 1;
        onAnswer(first + i * page, payload);
      },
      clearAt:
        kind === 'read'
          ? () => {
              const got = w.pending;
              return got > 0 ? w.pacer.clearAfter(w.lastReceivedAt, got, answerBytes[waiting % MAX_IN_FLIGHT] ?? 0) : null;
            }
          : () => {
              const got = w.pending;
              const c = inFlight[waiting % MAX_IN_FLIGHT];
              return w.pacer.pageClearAfter(w.lastReceivedAt, got, got > 0 && c ? bytesBefore(c, got) : 0);
            },
    },
    { pacer: w.pacer, kind, clock: w.clock, settleMs: w.answerTimeoutMs, log: { logger: w.logger, protocol: 'STK500v1', first, page } },
  );
}
