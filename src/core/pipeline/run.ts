// Runs a client's page commands pipelined: the next one leaves the Pacer's interval after the one
// before (or at once when every answer is in: the bootloader is listening then), every answer is
// checked as it arrives, in order. At the first answer that is late, wrong or missing the Pacer drops
// back; commands already sent are still waited for, so the caller knows exactly how many were answered
// right and whether anything sent may have gone astray. Timers only ever make a send later, never
// earlier (a throttled background tab sends late, which is safe).
import { FlashError } from '../errors.js';
import type { Clock } from '../link/clock.js';
import type { Logger } from '../programmer.js';
import { HOST_TIMED_IN_FLIGHT, MAX_IN_FLIGHT, type PageKind, type Pacer } from './pacer.js';

export interface PipelinedCommands {
  readonly count: number;
  /** Writes command `i` (in order, each once). */
  send(i: number): Promise<void>;
  /**
   * Waits up to `ms` for the answer to the oldest command not yet answered. True once it is in and
   * right; false when the wait ran out (bytes read so far are kept for the next call). Rejects with a
   * FlashError ('protocol-error') on a wrong answer.
   */
  answer(ms: number): Promise<boolean>;
  /** Answer `i` was right. */
  answered(i: number): void;
  /**
   * The earliest the next command may leave, going by the answer to the oldest one not yet answered
   * (Pacer.clearAfter for page reads, pageClearAfter for optiboot's page writes), or null while none
   * of it has arrived. The next one goes ahead only once that answer has begun, and not before the
   * bootloader may listen again: a command held on its way holds its answer too, and the next one
   * sent on time would reach the bootloader while it is still busy with it.
   */
  clearAt?(): number | null;
  /**
   * Each command leads with filler that covers the bootloader's whole gap after the one before
   * (Pacer.leadBytes): it may leave as soon as there is room, and arrive right behind the one before.
   */
  readonly selfPaced?: boolean;
  /**
   * Self-paced: each command's time on the wire, its filler included, at the nominal rate. Filler
   * is counted for the fastest adapter, so on a slower one the commands follow each other that much
   * further apart than the interval: an answer is late only counting from there.
   */
  readonly wireMs?: number;
  /** Self-paced: the filler's part of wireMs; it leads, so the answer comes that much later than one learnt without it. */
  readonly leadMs?: number;
}

export interface PipelineOutcome {
  /** Commands answered right, from the first: the caller goes on one at a time from there. */
  readonly answered: number;
  /** False when a command sent may not have been carried out as sent (an answer wrong or missing). */
  readonly clean: boolean;
}

export interface PipelineContext {
  readonly pacer: Pacer;
  readonly kind: PageKind;
  readonly clock: Clock;
  /** How long to wait for each answer still due after dropping back (the client's normal deadline). */
  readonly settleMs: number;
  /** For the log: the protocol's name, and the address of command 0 and the bytes each covers. */
  readonly log?: { readonly logger: Logger; readonly protocol: string; readonly first: number; readonly page: number };
}

export async function runPipelined(c: PipelinedCommands, x: PipelineContext): Promise<PipelineOutcome> {
  const before = x.pacer.stats.pipelined;
  const every = (c.selfPaced === true ? c.wireMs : undefined) ?? x.pacer.interval(x.kind) ?? 0;
  const out = await pipelined(c, x.pacer, x.kind, x.clock, x.settleMs);
  const l = x.log;
  if (l) {
    const sent = x.pacer.stats.pipelined - before;
    if (sent > 0) l.logger.log('info', `${l.protocol}: ${sent} page ${x.kind}s sent before the answer to the one before (one every ${every.toFixed(1)} ms).`);
    if (!x.pacer.active) l.logger.log('info', `${l.protocol}: one command at a time from page 0x${(l.first + out.answered * l.page).toString(16)} on, after ${x.pacer.stats.droppedBack ?? 'a problem'}.`);
  }
  return out;
}

async function pipelined(c: PipelinedCommands, pacer: Pacer, kind: PageKind, clock: Clock, settleMs: number): Promise<PipelineOutcome> {
  const interval = pacer.interval(kind, c.selfPaced === true);
  if (interval === null) return { answered: 0, clean: true };
  const late = pacer.lateAfter(kind);
  // Self-paced, the wire paces them: its time per command is the slot (filler may be sized from
  // more than the interval knows, such as a long answer's start).
  const slot = c.selfPaced === true && c.wireMs !== undefined ? c.wireMs : interval;
  const depth = c.selfPaced === true ? MAX_IN_FLIGHT : HOST_TIMED_IN_FLIGHT;
  const lead = c.selfPaced === true ? (c.leadMs ?? 0) : 0;
  const sentAt = new Float64Array(MAX_IN_FLIGHT);
  let sent = 0;
  let done = 0;
  let nextAt = 0;
  while (done < c.count) {
    const now = clock.now();
    const room = sent < c.count && pacer.active && sent - done < depth;
    const clear = room && sent > done && c.clearAt ? c.clearAt() : -Infinity;
    const held = clear === null && now >= nextAt;
    const at = Math.max(nextAt, clear ?? Infinity);
    if (room && (sent === done || c.selfPaced === true || now >= at)) {
      if (sent > done) pacer.turnarounds.skip();
      await c.send(sent);
      const t = clock.now();
      // Self-paced, it waits behind the one before on the wire: late counts from when it would have left.
      sentAt[sent % MAX_IN_FLIGHT] = c.selfPaced && sent > done ? Math.max(t, (sentAt[(sent - 1) % MAX_IN_FLIGHT] ?? 0) + slot) : t;
      nextAt = t + interval;
      if (sent > done) pacer.stats.pipelined++;
      sent++;
      continue;
    }
    if (sent === done) return { answered: done, clean: true };
    const lateAt = (sentAt[done % MAX_IN_FLIGHT] ?? 0) + lead + late;
    // Held: the answer is waited for whole; then the next command goes at once.
    const wake = Math.min(lateAt, room && !held ? (clear === null ? nextAt : at) : Infinity);
    let ok: boolean;
    try {
      ok = await c.answer(Math.max(0, wake - now));
    } catch (e) {
      if (!(e instanceof FlashError) || (e.code !== 'protocol-error' && e.code !== 'link-timeout')) throw e;
      pacer.dropBack(`a wrong answer to a pipelined command (${e.technical ?? e.detail})`);
      return { answered: done, clean: false };
    }
    if (ok) {
      c.answered(done++);
    } else if (clock.now() >= lateAt) {
      pacer.dropBack(`an answer later than ${Math.round(late)} ms`);
      return settle(c, done, sent, settleMs);
    }
  }
  return { answered: done, clean: true };
}

/** After dropping back: the answers to commands already sent, each within `ms`. */
async function settle(c: PipelinedCommands, done: number, sent: number, ms: number): Promise<PipelineOutcome> {
  while (done < sent) {
    const ok = await c.answer(ms).catch((e: unknown) => {
      if (e instanceof FlashError && (e.code === 'protocol-error' || e.code === 'link-timeout')) return false;
      throw e;
    });
    if (!ok) return { answered: done, clean: false };
    c.answered(done++);
  }
  return { answered: done, clean: true };
}
