// PROGRAM_FLASH_ISP and READ_FLASH_ISP pipelined over one contiguous run (stk500boot auto-increments
// its address), timed by the session's Pacer (core/pipeline). Each answer is matched by its sequence
// number and its status (and a read's size) checked as it arrives.
import type { Clock } from '../link/clock.js';
import type { Logger } from '../programmer.js';
import type { PageKind, Pacer } from '../pipeline/pacer.js';
import { runPipelined, type PipelineOutcome } from '../pipeline/run.js';
import { MAX_IN_FLIGHT } from '../pipeline/pacer.js';
import * as K from './constants.js';
import type { FrameWire } from './wire.js';

/** What the pipeline needs of the STK500v2 client. */
export interface V2Wire {
  readonly pacer: Pacer;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The deadline for an answer one at a time. */
  readonly answerTimeoutMs: number;
  sendFrame(body: Uint8Array, lead?: number): Promise<number>;
  readonly answerBytesIn: number;
  readonly lastReceivedAt: number;
  answerTo(seq: number, cmd: number, ms: number): Promise<Uint8Array | null>;
  checkStatus(answer: Uint8Array): void;
  checkReadSize(answer: Uint8Array, block: number): void;
}

/** What the pipeline needs of a client's FrameWire, with the session's timing. */
export function wireView(w: FrameWire, pacer: Pacer, clock: Clock, logger: Logger, answerTimeoutMs: number): V2Wire {
  return {
    pacer,
    clock,
    logger,
    answerTimeoutMs,
    sendFrame: (b, lead) => w.sendFrame(b, lead),
    answerTo: (q, c, ms) => w.answerTo(q, c, ms),
    checkStatus: (a) => w.checkStatus(a),
    checkReadSize: (a, n) => w.checkReadSize(a, n),
    get answerBytesIn() {
      return w.answerBytesIn;
    },
    get lastReceivedAt() {
      return w.lastReceivedAt;
    },
  };
}

/**
 * Runs the pages of `[first, end)` pipelined: `bodyFor(address)` builds each command's body (it may
 * reuse one buffer: the frame is encoded when sent), `onAnswer` gets each right answer in order.
 */
export async function pipelinedPages(
  w: V2Wire,
  kind: PageKind,
  first: number,
  end: number,
  block: number,
  bodyFor: (address: number) => Uint8Array,
  onAnswer: (address: number, answer: Uint8Array) => void,
): Promise<PipelineOutcome> {
  const cmd = kind === 'write' ? K.CMD_PROGRAM_FLASH_ISP : K.CMD_READ_FLASH_ISP;
  const seqs = new Uint8Array(MAX_IN_FLIGHT);
  // Page writes lead with idle filler as long as the bootloader's gap after the one before (see
  // Pacer.leadBytes); page reads too where that goes faster than timing them (filler that reaches
  // the bootloader while it sends an answer is lost in its UART, and costs nothing).
  const commandBytes = K.FRAME_BYTES + bodyFor(first).length;
  const answerBytes = kind === 'read' ? readAnswerBytes(block) : undefined;
  const lead = answerBytes === undefined ? w.pacer.leadBytes(kind, commandBytes) : w.pacer.readLeadBytes(commandBytes, answerBytes);
  const byteMs = w.pacer.byteTimeMs ?? 0;
  let waiting = 0;
  let answer: Uint8Array | null = null;
  return runPipelined(
    {
      count: Math.ceil((end - first) / block),
      send: async (i) => {
        seqs[i % MAX_IN_FLIGHT] = await w.sendFrame(bodyFor(first + i * block), lead);
      },
      answer: async (ms) => {
        answer = await w.answerTo(seqs[waiting % MAX_IN_FLIGHT] ?? 0, cmd, ms);
        if (!answer) return false;
        w.checkStatus(answer);
        if (kind === 'read') w.checkReadSize(answer, block);
        return true;
      },
      answered: (i) => {
        waiting = i + 1;
        if (answer) onAnswer(first + i * block, answer);
      },
      ...(lead > 0 ? { selfPaced: true, wireMs: (lead + commandBytes) * byteMs, leadMs: lead * byteMs } : answerBytes !== undefined ? { clearAt: () => clearAt(w, answerBytes) } : {}),
    },
    { pacer: w.pacer, kind, clock: w.clock, settleMs: w.answerTimeoutMs, log: { logger: w.logger, protocol: 'STK500v2', first, page: block } },
  );
}

/** When the next page read may leave, going by the answer arriving (`total` bytes, framed). */
function clearAt(w: V2Wire, total: number): number | null {
  const got = w.answerBytesIn;
  return got > 0 ? w.pacer.clearAfter(w.lastReceivedAt, got, total) : null;
}

/** READ_FLASH_ISP's answer on the wire: its frame around command, status, `block` bytes, status. */
export function readAnswerBytes(block: number): number {
  return K.FRAME_BYTES + block + 3;
}
