// One open serial console: a ByteLink to the port, a reader loop that feeds every received byte into
// the bounded line ring (core/console), sending a line, a DTR/RTS reset pulse (the flash path's
// sequence), a baud change, and "Auto": try the common rates, resetting the board at each so it
// prints its start-up text again, and keep the first whose output reads as text. A plain class that
// reports through callbacks; the controller (console-controller.ts) holds what the view shows.
import { AUTO_RATES, bestTry, encodeLine, readsAsText, textShare, type LineEnding, type RateTry } from '../core/console/baud.js';
import { LineRing } from '../core/console/line-ring.js';
import { FlashError, toFlashError } from '../core/errors.js';
import type { ByteLink } from '../core/link/byte-link.js';
import { sleep, type Clock } from '../core/link/clock.js';
import { parseResetSequence, RESET_SEQUENCES, runReset } from '../core/reset.js';
import type { FlashDeps } from './flash-service.js';

export type ConsoleDeps = Pick<FlashDeps, 'requestPort' | 'openLink' | 'clock'>;

/** How long Auto listens at one rate after the reset: bootloaders wait about 1 s before the firmware starts. */
export const AUTO_LISTEN_MS = 3000;
/** Auto stops listening early once it has this many bytes and a line end. */
const AUTO_ENOUGH_BYTES = 48;
const READ_CHUNK = 64 * 1024;
/** Reads wake up this often with nothing received, to notice a close. */
const IDLE_READ_MS = 1000;

export interface ConsoleEvents {
  /** New bytes are in the ring. */
  data(): void;
  /** The link ended without being asked to (unplugged, read error). */
  ended(error: FlashError): void;
}

export class ConsoleSession {
  private auto: { bytes: number[] } | null = null;
  private closed = false;
  private readonly loop: Promise<void>;

  private constructor(
    private readonly link: ByteLink,
    readonly ring: LineRing,
    private readonly clock: Clock,
    private readonly events: ConsoleEvents,
    private readonly wallTime: () => number,
  ) {
    this.loop = this.pump();
  }

  static async open(
    port: SerialPort,
    baud: number,
    deps: ConsoleDeps,
    ring: LineRing,
    events: ConsoleEvents,
    wallTime: () => number = Date.now,
  ): Promise<ConsoleSession> {
    let session: ConsoleSession | null = null;
    const link = await deps.openLink(port, {
      baud,
      onDisconnect: () => session?.fail(new FlashError('link-closed', 'The USB device was unplugged or reset.')),
    });
    session = new ConsoleSession(link, ring, deps.clock, events, wallTime);
    return session;
  }

  get baud(): number | undefined {
    return this.link.baud;
  }

  get description(): string {
    return this.link.description;
  }

  async send(text: string, ending: LineEnding): Promise<void> {
    await this.link.write(encodeLine(text, ending));
  }

  /** The auto-reset pulse on DTR and RTS, as before a flash; `beforeEdge` runs just before the lines go up again. */
  async resetBoard(beforeEdge?: () => Promise<void>): Promise<void> {
    const steps = parseResetSequence(RESET_SEQUENCES.arduino);
    const found = steps.findIndex((s) => 'signals' in s && s.signals.dataTerminalReady === true);
    const edge = found < 0 ? steps.length : found;
    await runReset(this.link, this.clock, steps.slice(0, edge));
    await beforeEdge?.();
    await runReset(this.link, this.clock, steps.slice(edge));
  }

  async setBaud(baud: number): Promise<void> {
    if (baud === this.link.baud) return;
    if (!this.link.setBaud) throw new FlashError('bad-argument', 'This port cannot change its baud rate.');
    await this.link.setBaud(baud);
  }

  /**
   * Tries `rates` in turn and stays at the first whose output reads as text; its bytes go into the
   * ring. With none: stays at the best-looking rate that sent anything, or where it started.
   */
  async autoBaud(rates: readonly number[] = AUTO_RATES, onTry?: (baud: number) => void): Promise<{ found: RateTry | null; tries: RateTry[] }> {
    const start = this.link.baud;
    const tries: RateTry[] = [];
    const kept = new Map<number, number[]>();
    try {
      for (const baud of rates) {
        if (this.closed) break;
        onTry?.(baud);
        const auto: { bytes: number[] } = { bytes: [] };
        this.auto = auto;
        await this.setBaud(baud);
        // What was still on its way at the old rate is dropped just before the reset edge, so the
        // judgement covers only what the board prints from its start at this rate.
        await this.resetBoard(async () => {
          await this.link.drain();
          auto.bytes = [];
        });
        const bytes = await this.listen();
        const t: RateTry = { baud, bytes: bytes.length, share: textShare(Uint8Array.from(bytes)) };
        tries.push(t);
        kept.set(baud, bytes);
        if (readsAsText(t)) {
          this.keep(bytes);
          return { found: t, tries };
        }
      }
      const best = bestTry(tries);
      const back = best?.baud ?? start;
      if (back !== undefined && !this.closed) await this.setBaud(back);
      if (best) this.keep(kept.get(best.baud) ?? []);
      return { found: null, tries };
    } finally {
      this.auto = null;
    }
  }

  /** Releases the port. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.link.close();
    await this.loop;
  }

  private keep(bytes: readonly number[]): void {
    this.auto = null;
    this.ring.push(Uint8Array.from(bytes), this.wallTime());
    this.events.data();
  }

  /** Collects Auto's bytes until there is enough to judge, or the window closes. */
  private async listen(): Promise<number[]> {
    const started = this.clock.now();
    const auto = this.auto;
    if (!auto) return [];
    while (this.clock.now() - started < AUTO_LISTEN_MS && !this.closed) {
      const b = auto.bytes;
      if (b.length >= AUTO_ENOUGH_BYTES && (b.includes(0x0a) || b.includes(0x0d))) break;
      // Plainly not text already: no need to wait for more.
      if (b.length >= 16 && textShare(Uint8Array.from(b)) < 0.5) break;
      await sleep(this.clock, 50);
    }
    return auto.bytes;
  }

  private fail(error: FlashError): void {
    if (this.closed) return;
    this.closed = true;
    void this.link.close();
    this.events.ended(error);
  }

  private async pump(): Promise<void> {
    while (!this.closed) {
      let chunk: Uint8Array;
      try {
        chunk = await this.link.readSome(READ_CHUNK, IDLE_READ_MS);
      } catch (e) {
        const err = toFlashError(e);
        if (err.code === 'link-timeout') continue;
        this.fail(err);
        return;
      }
      if (this.auto) {
        for (const b of chunk) this.auto.bytes.push(b);
        continue;
      }
      this.ring.push(chunk, this.wallTime());
      this.events.data();
    }
  }
}
