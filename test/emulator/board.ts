// An emulated AVR board running a real bootloader: avr8js CPU, timers and watchdog, plus what it
// lacks (spm.ts), an honest UART receiver (2-byte FIFO + shift register, bytes lost on overrun,
// 10 bit times per byte, garbled when the host's baud differs), the avr8js UCSRnA flag bug
// worked around, a DTR/RTS auto-reset, and a USB-adapter model by name (link-models.ts). Runs in Node and browsers.
import { AVRUSART, CPU, avrInstruction } from 'avr8js';
import { EMULATED_MCUS, MCUSR_EXTRF, MCUSR_PORF, MCUSR_WDRF, REG, type EmulatedMcuName, type USARTConfig } from './mcus.js';
import { addPeripherals } from './peripherals.js';
import { IdleSkip } from './idle-skip.js';
import { SpmUnit } from './spm.js';
import { ThinkTime } from './think-time.js';
import { CycleClock } from './virtual-clock.js';
import type { Clock } from '../../src/core/link/clock.js';
import { makeLinkModel, type LinkModel, type LinkModelName } from './link-models.js';

/**
 * realtime: emulated time follows the wall clock, and stretches when the CPU loop falls more than
 * MAX_LAG_MS behind; locked: the wall clock's time, never stretched: a CPU loop that fell behind
 * catches up, slice by slice, so the MCU stays where a real one would be for a host that times its
 * commands by the clock (its answers come late, as to a busy host); adaptive: as fast as possible
 * while bytes or SPM are in flight, real time otherwise; fast: always as fast as possible; virtual:
 * as fast as possible, and `board.clock` is emulated time, so host code that uses it shares the MCU's timeline.
 */
export type Speed = 'realtime' | 'locked' | 'adaptive' | 'fast' | 'virtual';

/** What the wire does to each byte, for fault injection (test/faults). */
export interface LineFaults {
  /** Each byte from the host, in order: what the MCU's UART receives, or null when it is lost. */
  toMcu(value: number): number | null;
  /** Each byte from the MCU, in order: what the host receives, or null when it is lost. */
  toHost(value: number): number | null;
}

export interface BoardOptions {
  readonly mcu: EmulatedMcuName;
  /** The bootloader, dense from address 0, and the byte address BOOTRST points to. Null: no bootloader. */
  readonly bootloader: { readonly bytes: Uint8Array; readonly start: number } | null;
  readonly speed?: Speed;
  readonly clockHz?: number;
  readonly pageEraseMs?: number;
  readonly pageWriteMs?: number;
  /**
   * Start-up time after a reset before the CPU runs (the SUT fuses; Arduino boards use 65 ms).
   * The UART is off meanwhile, so bytes sent then are lost, as on a real board. Off by default:
   * avrdude's arduino programmer over a net: port (no DTR) then needs luck with its sync timing.
   */
  readonly startupMs?: number;
  /** Delay a USB-serial adapter adds to each transfer, in each direction. */
  readonly latencyMs?: number;
  /**
   * Each transfer's delay varies by up to this much either way (a Wi-Fi bridge), drawn from
   * `random` (seeded, for replays); bytes never overtake each other.
   */
  readonly latencyJitterMs?: number;
  readonly random?: () => number;
  /** The adapter between host and board (link-models.ts); 'fixed' (the default) uses latencyMs and latencyJitterMs. */
  readonly link?: LinkModelName;
  /** Application bytes placed in flash from address 0. */
  readonly application?: Uint8Array;
  /**
   * The host talks to the MCU's own USB CDC port (ATmega32U4), modelled on its USART: the host's baud
   * does not matter (nothing is garbled), bytes move at the USART's rate, USB flow control loses none
   * (a byte waits on the wire until the receiver has room), and DTR/RTS do not reset the chip. When the
   * bootloader jumps to the application the CPU stops there (the sketch is not emulated) and
   * `onApplicationStart` is called.
   */
  readonly usbCdc?: boolean;
  /** Skip polling loops by whole turns (idle-skip.ts; changes no cycle). On by default except with 'fast', and for 'adaptive' only while it keeps to the wall clock. */
  readonly idleSkip?: boolean;
}

/** When avr8js's next clock event (a timer's count, the UART's flags, the watchdog) is due. */
function nextClockAt(cpu: CPU): number {
  return (cpu as unknown as { nextClockEvent: { cycles: number } | null }).nextClockEvent?.cycles ?? Infinity;
}

const UCSRA_RXC = 0x80;
const UCSRA_UDRE = 0x20;
const UCSRA_DOR = 0x08;
const UCSRB_RXEN = 0x10;
/** Bytes the receiver holds: two in the FIFO and one finished in the shift register. */
const RX_CAPACITY = 3;
/** Byte rate of a USB CDC link while the MCU's USART is still off. */
const CDC_IDLE_BAUD = 1_000_000;
/** Cycles run between two looks at the wall clock and the event loop. */
const SLICE_CYCLES = 160_000;
/** Output is handed over once no more is due within this (a whole answer, not each byte of a stream). */
const FLUSH_GAP_MS = 0.2;
/** How far the real-time loop may trail the wall clock before emulated time is stretched instead. */
const MAX_LAG_MS = 5;
/**
 * A paced board whose CPU sits in a proven polling loop sleeps up to this long, waking this much before
 * its next event (timers end late by a millisecond or so), instead of spinning on slices a few cycles
 * long; a host write or reset wakes it at once.
 */
const IDLE_SLEEP_MS = 4;
const IDLE_WAKE_EARLY_MS = 1.5;

interface RxByte {
  readonly value: number;
  readonly doneAt: number;
  readonly hostBaud: number;
}

interface TxChunk {
  readonly bytes: number[];
  deliverAt: number;
  /** Injected bytes: the UART's output never joins such a chunk. */
  readonly injected?: boolean;
}

/**
 * The timers as they were when this module loaded: a browser test that throttles the page's timers
 * (a background tab, test/e2e/pipeline-steps.ts) throttles the flasher, not the board, which is not
 * in the page in real life.
 */
const setTimer = globalThis.setTimeout.bind(globalThis);
const clearTimer = globalThis.clearTimeout.bind(globalThis);

const WALL_CLOCK: Clock = {
  now: () => performance.now(),
  setTimer: (ms, fn) => {
    const id = setTimer(fn, ms);
    return () => clearTimer(id);
  },
};

/** Deterministic garbling for a byte sampled at the wrong baud rate. */
function garble(b: number): number {
  return ((b * 0x9d) ^ 0x5a) & 0xff;
}

/** Yields to the event loop so host code, I/O and timers run between slices (setImmediate in Node). */
const yieldNow: (fn: () => void) => void = (() => {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
  if (typeof g.setImmediate === 'function') return (fn: () => void) => void g.setImmediate?.(fn);
  if (typeof MessageChannel === 'undefined') return (fn: () => void) => void setTimer(fn, 0);
  const ch = new MessageChannel();
  const queue: (() => void)[] = [];
  ch.port1.onmessage = () => queue.shift()?.();
  return (fn: () => void) => {
    queue.push(fn);
    ch.port2.postMessage(0);
  };
})();

export class EmulatedBoard {
  readonly flash: Uint8Array;
  readonly mcu: EmulatedMcuName;
  readonly clockHz: number;
  /**
   * lagMs: emulated time the real-time loop gave up because the host could not keep up (0 on an idle
   * machine). behindMs: the most the 'locked' loop fell behind the wall clock. zerosLost: of bytesLost, those that were 0x00 (what a flasher may send as idle filler ahead of a
   * command, which a bootloader waiting for a frame start ignores). writesAhead:
   * host writes that came while an answer was still on its way to the host (a pipelining host).
   * slices: turns of the run loop; idleSleeps: of them, those that ended in a sleep in a polling loop.
   */
  readonly stats = { bytesToMcu: 0, bytesFromMcu: 0, bytesLost: 0, zerosLost: 0, resets: 0, lagMs: 0, behindMs: 0, writesAhead: 0, slices: 0, idleSleeps: 0 };
  /** The bootloader's own time, over the session and over the flash's page commands (the bench's floor). */
  readonly think: ThinkTime;
  onHostData: ((bytes: Uint8Array) => void) | null = null;
  /** Fault injection on the wire; null for a clean line. */
  line: LineFaults | null = null;
  /** Called on every external reset (DTR/RTS edge or reset()), before the MCU restarts. */
  onReset: (() => void) | null = null;
  /** With `usbCdc`: called once when the bootloader jumps into the application section. */
  onApplicationStart: (() => void) | null = null;
  /** With `usbCdc`: true from the bootloader's jump into the application until the next reset. */
  inApplication = false;
  /** The board's notion of time: emulated with speed 'virtual', the wall clock otherwise. */
  readonly clock: Clock;
  private readonly cycleClock: CycleClock | null;
  private stallUntil = 0;
  private holdMs = 0;
  private split: { readonly after: number; readonly ms: number } | null = null;
  private eventsChanged = false;
  latencyMs: number;
  jitterMs: number;
  /** How bytes cross the adapter; replaceable between sessions. */
  linkModel: LinkModel;

  private readonly words: Uint16Array;
  private readonly uart: USARTConfig;
  private readonly bootStart: number;
  private readonly speed: Speed;
  /** The self-programming unit (tests reach its counts and worn-out cells). */
  readonly spm: SpmUnit;
  /** Polling loops skipped by whole turns; null when off. */
  readonly idle: IdleSkip | null;
  private cpu!: CPU;
  private usart!: AVRUSART;
  private rxFifo: number[] = [];
  /** When each byte in rxFifo arrived. */
  private rxFifoAt: number[] = [];
  private rxWire: RxByte[] = [];
  private rxLineFreeAt = 0;
  private txChunks: TxChunk[] = [];
  private outbox: number[] = [];
  private haltUntil = 0;
  private pendingReset = 0;
  private running = false;
  private stopped: Promise<void> = Promise.resolve();
  private wallBase = 0;
  private cycleBase = 0;
  private signals = { dtr: false, rts: false };
  private wake: (() => void) | null = null;
  /** Set by an idle sleep: the cycle up to which the CPU only polls, unless the host wakes it first. */
  private idleUntil = 0;
  /** Counts what reaches the board from outside (host bytes, resets, stalls): the idle loop proven before one may not hold after it. */
  private inputs = 0;
  private inputsSeen = 0;

  constructor(private readonly opts: BoardOptions) {
    const m = EMULATED_MCUS[opts.mcu];
    this.mcu = opts.mcu;
    this.uart = m.usart;
    this.clockHz = opts.clockHz ?? 16_000_000;
    this.think = new ThinkTime(m.pageBytes, this.clockHz / 1000);
    this.speed = opts.speed ?? 'realtime';
    this.cycleClock = this.speed === 'virtual' ? new CycleClock(() => this.cpu.cycles, this.clockHz / 1000) : null;
    this.clock = this.cycleClock ?? WALL_CLOCK;
    this.latencyMs = opts.latencyMs ?? 0;
    this.jitterMs = opts.latencyJitterMs ?? 0;
    this.linkModel = makeLinkModel(opts.link ?? 'fixed', opts.random ?? Math.random, () => this);
    this.words = new Uint16Array(m.flashBytes / 2);
    this.flash = new Uint8Array(this.words.buffer);
    this.flash.fill(0xff);
    if (opts.application) this.flash.set(opts.application.subarray(0, m.flashBytes));
    this.bootStart = opts.bootloader?.start ?? m.flashBytes;
    if (opts.bootloader) this.flash.set(opts.bootloader.bytes.subarray(opts.bootloader.start, m.flashBytes), opts.bootloader.start);
    this.spm = new SpmUnit({ flash: this.flash, pageBytes: m.pageBytes, nrwwStart: m.nrwwStart, bootStart: this.bootStart, cyclesPerMs: this.clockHz / 1000 });
    this.spm.eraseMs = opts.pageEraseMs ?? 4;
    this.spm.writeMs = opts.pageWriteMs ?? 4;
    // Not 'fast', nor 'adaptive' while busy (see step()): how far their emulated time runs ahead of the
    // wall clock hangs on the emulator's speed, which skipping raises some thirtyfold, and their users are tuned to it.
    const skips = opts.idleSkip ?? this.speed !== 'fast';
    this.idle = !skips ? null : new IdleSkip(new Set([m.usart.UCSRA, REG.SPMCSR, ...m.timers.map((t) => t.TIFR)]));
    this.powerOn(MCUSR_PORF);
  }

  get cycles(): number {
    return this.cpu.cycles;
  }

  /** The baud rate the firmware configured (0 while the UART is off). */
  get mcuBaud(): number {
    return this.usart.rxEnable ? this.usart.baudRate : 0;
  }

  /** External reset (the RESET pin), as the auto-reset capacitor or a bridge's reset does. */
  reset(): void {
    this.onReset?.();
    this.pendingReset = MCUSR_EXTRF;
    if (!this.running) this.applyReset();
    this.fromOutside();
  }

  /**
   * A watchdog reset that the running firmware asked for, after writing `poke` to RAM (which survives
   * it): how a 32U4 sketch answers the 1200-baud touch (boot key 0x7777 at 0x0800, then the watchdog).
   */
  watchdogReset(poke?: { readonly address: number; readonly bytes: readonly number[] }): void {
    this.pendingPoke = poke ?? null;
    this.pendingReset = MCUSR_WDRF;
    if (!this.running) this.applyReset();
    this.fromOutside();
  }

  /** DTR/RTS from the host; a deasserted-to-asserted edge on either line resets the MCU (not over USB CDC). */
  setSignals(s: { dataTerminalReady?: boolean; requestToSend?: boolean }): void {
    const dtr = s.dataTerminalReady ?? this.signals.dtr;
    const rts = s.requestToSend ?? this.signals.rts;
    if (!this.opts.usbCdc && ((dtr && !this.signals.dtr) || (rts && !this.signals.rts))) this.reset();
    this.signals = { dtr, rts };
  }

  /** Bytes from the host's port opened at `hostBaud`, sent back to back at the adapter's real rate for it, with no flow control. */
  hostWrite(bytes: Uint8Array, hostBaud: number): void {
    this.think.hostWrote(bytes.length);
    const charCycles = (this.clockHz * 10) / (this.opts.usbCdc ? this.usart.baudRate || CDC_IDLE_BAUD : this.linkModel.uartBaud(hostBaud));
    const perMs = this.clockHz / 1000;
    let t = Math.max((this.linkModel.toBoardAt(this.nowCycles() / perMs) + this.holdMs) * perMs, this.rxLineFreeAt, this.stallUntil);
    this.holdMs = 0;
    const split = this.split;
    this.split = null;
    for (let i = 0; i < bytes.length; i++) {
      const sent = bytes[i] ?? 0;
      if (split && i === split.after) t += split.ms * perMs;
      t += charCycles;
      const value = this.line ? this.line.toMcu(sent) : sent;
      if (value !== null) this.rxWire.push({ value, doneAt: t, hostBaud });
    }
    this.rxLineFreeAt = t;
    this.stats.bytesToMcu += bytes.length;
    if (this.txChunks.some((c) => !c.injected)) this.stats.writesAhead++;
    this.lastHostBaud = hostBaud;
    this.fromOutside();
  }

  /** The host's port opened at `baud`: from now on the MCU's output is garbled unless the rates agree. */
  setHostBaud(baud: number): void {
    this.lastHostBaud = baud;
  }

  /**
   * The host's next write is held `ms` on its way (a bridge's or a busy host's queue), the way back
   * untouched: a write that follows it soon queues right behind it.
   */
  holdNextWrite(ms: number): void {
    this.holdMs = ms;
  }

  /**
   * The host's next write reaches the board in two parts: its first `after` bytes on time, the rest
   * `ms` later (a bridge that sends a write as two packets and holds the second).
   */
  splitNextWrite(after: number, ms: number): void {
    this.split = { after, ms };
  }

  /** The line between host and board carries nothing for `ms` (a stalled USB adapter); traffic waits. */
  stall(ms: number): void {
    this.stallUntil = Math.max(this.stallUntil, this.nowCycles() + ms * (this.clockHz / 1000));
    this.fromOutside();
  }

  /** Bytes the host receives `afterMs` from now that the bootloader never sent (a firmware's chatter, noise). */
  injectToHost(bytes: Uint8Array, afterMs: number): void {
    const deliverAt = this.nowCycles() + afterMs * (this.clockHz / 1000);
    let i = this.txChunks.length;
    while (i > 0 && (this.txChunks[i - 1]?.deliverAt ?? 0) > deliverAt) i--;
    this.txChunks.splice(i, 0, { bytes: [...bytes], deliverAt, injected: true });
    this.fromOutside();
  }

  /** Something reached the board from outside: the idle loop proven before it may not hold, and a sleeping loop must run. */
  private fromOutside(): void {
    this.inputs++;
    this.wake?.();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.rebase();
    this.stopped = new Promise<void>((resolve) => {
      const step = (): void => {
        if (!this.running) {
          resolve();
          return;
        }
        const wait = this.step();
        if (wait > 0) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          this.wake = () => {
            this.wake = null;
            clearTimer(timer);
            yieldNow(step);
          };
          timer = setTimer(() => this.wake?.(), wait);
        } else yieldNow(step);
      };
      yieldNow(step);
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.stopped;
  }

  /** Runs one slice; returns how long to sleep before the next (0: go on at once). */
  private step(): number {
    const perMs = this.clockHz / 1000;
    const busy = this.isBusy();
    this.stats.slices++;
    if (this.cycleClock) {
      this.run(Math.min(this.cpu.cycles + SLICE_CYCLES, this.cycleClock.nextAt));
      this.cycleClock.fireDue();
      return 0;
    }
    if (this.speed === 'fast' || (this.speed === 'adaptive' && busy)) {
      this.run(this.cpu.cycles + SLICE_CYCLES, false);
      this.rebase();
      return 0;
    }
    let target = this.cycleBase + (performance.now() - this.wallBase) * perMs;
    if (target <= this.cpu.cycles) return Math.max(1, Math.min(4, (this.cpu.cycles - target) / perMs));
    // Back from an idle sleep: up to the event it woke for nothing happened but the polling loop, so
    // that stretch is run at once (turns skipped), however late the timer was; the lag rules apply after it.
    const idleTo = Math.min(target, this.idleUntil);
    this.idleUntil = 0;
    if (idleTo > this.cpu.cycles) this.run(idleTo);
    if (target - this.cpu.cycles > MAX_LAG_MS * perMs && this.speed === 'locked') {
      this.stats.behindMs = Math.max(this.stats.behindMs, (target - this.cpu.cycles) / perMs);
      this.run(this.cpu.cycles + MAX_LAG_MS * perMs);
      return 0;
    }
    if (target - this.cpu.cycles > MAX_LAG_MS * perMs) {
      this.stats.lagMs += (target - this.cpu.cycles) / perMs - MAX_LAG_MS;
      // A starved host (CPU load) must not make the board catch up in a burst: emulated time stretches instead.
      this.cycleBase = this.cpu.cycles + MAX_LAG_MS * perMs;
      this.wallBase = performance.now();
      target = this.cycleBase;
    }
    this.run(target);
    return this.idleSleepMs();
  }

  /** After a paced slice: how long the loop may sleep, 0 unless the CPU is in a proven polling loop. */
  private idleSleepMs(): number {
    if (!this.idle?.steadyAt(this.cpu.cycles) || this.pendingReset || this.outbox.length > 0) return 0;
    const next = Math.min(this.nextEvent(), nextClockAt(this.cpu));
    const ms = Math.min(IDLE_SLEEP_MS, (next - this.cpu.cycles) / (this.clockHz / 1000) - IDLE_WAKE_EARLY_MS);
    if (ms < 1) return 0;
    this.stats.idleSleeps++;
    this.idleUntil = Math.min(next, this.cpu.cycles + (ms + IDLE_WAKE_EARLY_MS) * (this.clockHz / 1000));
    return ms;
  }

  /**
   * The emulated 'now' for an event from outside: in real time the wall clock's cycle, even while
   * the CPU loop lags behind it, so a late loop never makes bytes arrive earlier than they were sent.
   */
  private nowCycles(): number {
    if (!this.running || this.speed === 'fast' || this.speed === 'virtual') return this.cpu.cycles;
    return Math.max(this.cpu.cycles, this.cycleBase + (performance.now() - this.wallBase) * (this.clockHz / 1000));
  }

  private rebase(): void {
    this.wallBase = performance.now();
    this.cycleBase = this.cpu.cycles;
  }

  private isBusy(): boolean {
    return this.rxWire.length > 0 || this.txChunks.length > 0 || this.spm.busyUntil > this.cpu.cycles;
  }

  private nextEvent(): number {
    let next = Infinity;
    const rx = this.rxWire[0];
    if (rx && !this.rxBlocked()) next = rx.doneAt;
    const tx = this.txChunks[0];
    if (tx && tx.deliverAt < next) next = tx.deliverAt;
    if (this.spm.busyUntil && this.spm.busyUntil < next) next = this.spm.busyUntil;
    return next;
  }

  /** Runs the CPU to `target`; `skipIdle` false: every turn of a polling loop runs (a slice ahead of the wall clock). */
  private run(target: number, skipIdle = true): void {
    const cpu = this.cpu;
    const words = this.words;
    const wrap = words.length;
    let nextEvent = this.nextEvent();
    const idle = skipIdle ? this.idle : null;
    // Since the last slice the host may have sent bytes, or turns ran unchecked: what the loop being checked saw may not hold.
    if (!skipIdle || this.inputs !== this.inputsSeen) this.idle?.forget();
    this.inputsSeen = this.inputs;
    while (cpu.cycles < target) {
      if (this.pendingReset) {
        this.applyReset();
        break;
      }
      if (this.haltUntil > cpu.cycles) {
        cpu.cycles = Math.min(this.haltUntil, target, nextEvent, Math.max(nextClockAt(cpu), cpu.cycles + 1));
        cpu.tick();
      } else {
        if (cpu.pc >= wrap) cpu.pc -= wrap;
        if (cpu.pc < this.appWords) {
          this.enterApplication();
          continue;
        }
        const op = words[cpu.pc];
        if (idle) {
          // A turn of the loop being checked stays within its body, or proves nothing.
          if (idle.head >= 0 && (cpu.pc < idle.head || cpu.pc > idle.last)) idle.forget();
          // Erased words up to the last run at once (the PC moves on; that last word is still 0xFFFF).
          if (op === 0xffff) idle.erased(cpu, wrap, Math.min(nextEvent, nextClockAt(cpu)), target);
        }
        const from = cpu.pc;
        if (op === 0x95e8 || op === 0x95f8) this.doSpm(op);
        else avrInstruction(cpu);
        cpu.tick();
        // The turns skipped end at the next event at the latest: its tick is the one the last turn ends with.
        if (idle && cpu.pc < from && !this.eventsChanged && idle.afterBackJump(cpu, from, Math.min(nextEvent, nextClockAt(cpu)), target)) cpu.tick();
      }
      if (this.eventsChanged) {
        // The UART sent a byte or SPM started: a new event this slice must not run past.
        this.eventsChanged = false;
        nextEvent = this.nextEvent();
      }
      if (cpu.cycles >= nextEvent) {
        this.service();
        nextEvent = this.nextEvent();
        // Output due and nothing more due soon (an answer complete, not one streaming): hand it over
        // now, the host may be waiting for it, even while more of the host's bytes are on the way.
        if (this.outbox.length > 0 && (this.txChunks[0]?.deliverAt ?? Infinity) - cpu.cycles > (FLUSH_GAP_MS * this.clockHz) / 1000) break;
      }
    }
    if (this.pendingReset) this.applyReset();
    this.flushOutbox();
  }

  /** The bootloader jumped to the application (over USB CDC): stop there, the sketch is not emulated. */
  private enterApplication(): void {
    this.inApplication = true;
    this.haltUntil = Infinity;
    this.appWords = 0;
    this.onApplicationStart?.();
  }

  private doSpm(op: number): void {
    const cpu = this.cpu;
    const d = cpu.data;
    const z = ((EMULATED_MCUS[this.mcu].hasRampz ? d[REG.RAMPZ] ?? 0 : 0) << 16) | ((d[31] ?? 0) << 8) | (d[30] ?? 0);
    const word = ((d[1] ?? 0) << 8) | (d[0] ?? 0);
    const r = this.spm.execute(z, word, cpu.pc * 2, cpu.cycles);
    this.idle?.flashChanged();
    if (op === 0x95f8) {
      const zn = (((d[31] ?? 0) << 8) | (d[30] ?? 0)) + 2;
      d[30] = zn & 0xff;
      d[31] = (zn >> 8) & 0xff;
    }
    cpu.pc += 1;
    cpu.cycles += 1;
    if (r.halt) this.haltUntil = r.busyUntil;
    if (r.busyUntil) this.eventsChanged = true;
  }

  /** Moves time-driven things along: finished SPM, received bytes, output due at the host. */
  private service(): void {
    const now = this.cpu.cycles;
    if (this.spm.busyUntil && this.spm.busyUntil <= now) this.spm.finish();
    this.takeArrivedBytes(now);
    while (this.txChunks.length > 0 && (this.txChunks[0]?.deliverAt ?? Infinity) <= now) {
      this.outbox.push(...(this.txChunks.shift()?.bytes ?? []));
    }
  }

  /** Moves bytes whose last bit has arrived into the receiver; over USB CDC only as far as there is room. */
  private takeArrivedBytes(now: number): void {
    while (this.rxWire.length > 0 && (this.rxWire[0]?.doneAt ?? Infinity) <= now && !this.rxBlocked()) {
      const b = this.rxWire.shift();
      if (b) this.receive(b);
    }
  }

  /** USB flow control: the host's bytes wait while the receiver is full. */
  private rxBlocked(): boolean {
    return this.opts.usbCdc === true && this.rxFifo.length >= RX_CAPACITY;
  }

  /** Hands the host what arrived during the slice, in one chunk. */
  private flushOutbox(): void {
    if (this.outbox.length === 0) return;
    const bytes = Uint8Array.from(this.outbox);
    this.outbox = [];
    this.onHostData?.(bytes);
  }

  private baudMismatch(hostBaud: number): boolean {
    if (this.opts.usbCdc) return false;
    const mcu = this.usart.baudRate;
    return Math.abs(this.linkModel.uartBaud(hostBaud) - mcu) / mcu > 0.04;
  }

  private receive(b: RxByte): void {
    const d = this.cpu.data;
    const { UCSRA, UCSRB } = this.uart;
    const ucsrb = d[UCSRB] ?? 0;
    if (!(ucsrb & UCSRB_RXEN) || this.rxFifo.length >= RX_CAPACITY) {
      this.stats.bytesLost++;
      if (b.value === 0) this.stats.zerosLost++;
      if (ucsrb & UCSRB_RXEN) d[UCSRA] = (d[UCSRA] ?? 0) | UCSRA_DOR;
      return;
    }
    this.rxFifo.push(this.baudMismatch(b.hostBaud) ? garble(b.value) : b.value);
    this.rxFifoAt.push(b.doneAt);
    d[UCSRA] = (d[UCSRA] ?? 0) | UCSRA_RXC;
  }

  private transmit(value: number): void {
    const perMs = this.clockHz / 1000;
    const sentAt = this.cpu.cycles + 10 * (this.clockHz / this.usart.baudRate);
    const sent = this.lastHostBaud && this.baudMismatch(this.lastHostBaud) ? garble(value) : value;
    this.stats.bytesFromMcu++;
    this.think.sent(this.cpu.cycles, sentAt);
    const byte = this.line ? this.line.toHost(sent) : sent;
    if (byte === null) return;
    this.eventsChanged = true;
    const last = this.txChunks[this.txChunks.length - 1];
    const open = last && !last.injected ? last : null;
    const d = this.linkModel.toHost(sentAt / perMs, open ? open.deliverAt / perMs : null);
    const deliverAt = Math.max(d.at * perMs, this.stallUntil);
    if (open && d.join) {
      open.bytes.push(byte);
      open.deliverAt = deliverAt;
      return;
    }
    let i = this.txChunks.length;
    while (i > 0 && (this.txChunks[i - 1]?.deliverAt ?? 0) > deliverAt) i--;
    this.txChunks.splice(i, 0, { bytes: [byte], deliverAt });
  }

  /** The host's baud, learnt from its last write; output is garbled when it mismatches the UART's. */
  private lastHostBaud = 0;
  /** RAM bytes a watchdog reset requested by the firmware leaves behind (watchdogReset). */
  private pendingPoke: { readonly address: number; readonly bytes: readonly number[] } | null = null;
  /** Over USB CDC, the word address below which execution means "the application runs"; 0 otherwise. */
  private appWords = 0;

  private applyReset(): void {
    const flags = this.pendingReset || MCUSR_EXTRF;
    this.pendingReset = 0;
    this.powerOn(flags);
  }

  private powerOn(mcusr: number): void {
    const m = EMULATED_MCUS[this.mcu];
    const cycles = this.cpu?.cycles ?? 0;
    const cpu = new CPU(this.words, m.dataBytes);
    cpu.cycles = cycles;
    // SRAM keeps its contents through every reset but power-on.
    if (this.cpu && !(mcusr & MCUSR_PORF)) cpu.data.set(this.cpu.data.subarray(0x100), 0x100);
    for (const [i, b] of (this.pendingPoke?.bytes ?? []).entries()) cpu.data[(this.pendingPoke?.address ?? 0) + i] = b;
    this.pendingPoke = null;
    const usart = addPeripherals(cpu, m, this.bootStart, this.clockHz);
    this.patchUart(cpu, usart);
    cpu.writeHooks[REG.SPMCSR] = (value) => {
      this.spm.write(value, cpu.cycles);
      return true;
    };
    cpu.readHooks[REG.SPMCSR] = () => this.spm.spmcsr;
    // avr8js's watchdog calls cpu.reset() itself; a real watchdog reset restarts at the boot vector.
    cpu.reset = () => {
      this.pendingReset = MCUSR_WDRF;
    };
    cpu.data[REG.MCUSR] = mcusr;
    cpu.pc = this.bootStart < m.flashBytes ? this.bootStart / 2 : 0;
    this.cpu = cpu;
    this.usart = usart;
    this.idle?.forget();
    this.rxFifo = [];
    this.rxFifoAt = [];
    this.haltUntil = cycles + (this.opts.startupMs ?? 0) * (this.clockHz / 1000);
    this.inApplication = false;
    this.appWords = this.opts.usbCdc && this.bootStart < m.flashBytes ? this.bootStart / 2 : 0;
    if (this.spm.busyUntil) this.spm.finish();
    this.stats.resets++;
  }

  private patchUart(cpu: CPU, usart: AVRUSART): void {
    const { UCSRA, UDR } = this.uart;
    const writeUcsra = cpu.writeHooks[UCSRA];
    // avr8js 0.21 clears the read-only RXC/UDRE flags on any UCSRnA write; keep them.
    cpu.writeHooks[UCSRA] = (value, old, addr, mask) => {
      const keep = (cpu.data[UCSRA] ?? 0) & (UCSRA_RXC | UCSRA_UDRE);
      const r = writeUcsra ? writeUcsra(value, old, addr, mask) : false;
      cpu.data[UCSRA] = ((cpu.data[UCSRA] ?? 0) & ~UCSRA_DOR) | keep;
      return r;
    };
    cpu.readHooks[UDR] = () => {
      const v = this.rxFifo.shift() ?? 0;
      const at = this.rxFifoAt.shift();
      if (at !== undefined) this.think.read(at);
      if (this.rxFifo.length === 0) cpu.data[UCSRA] = (cpu.data[UCSRA] ?? 0) & ~(UCSRA_RXC | UCSRA_DOR);
      if (this.opts.usbCdc) {
        // Room again: a byte held back by flow control moves in (the next event may have changed).
        this.takeArrivedBytes(cpu.cycles);
        this.eventsChanged = true;
      }
      return v;
    };
    usart.onByteTransmit = (value) => this.transmit(value);
  }
}
