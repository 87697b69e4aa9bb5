// Seeded fault plans for the emulated link: which fault, where in the byte stream, how big. A plan
// is data derived from (seed, kind, board) only, so a run replays exactly on virtual time.
import type { EmulatedBoard, LineFaults } from '../emulator/board.js';
import type { EmulatedSerialPort } from '../emulator/serial-port.js';
import { prng } from '../helpers/random.js';
import { bannerBytes, resample } from './chatter.js';

export const FAULT_KINDS = [
  'lost-to-board',
  'lost-from-board',
  'flipped-to-board',
  'flipped-from-board',
  'chatter-same-baud',
  'chatter-250000',
  'stall',
  'disconnect',
  'bootloader-restart',
  'port-busy',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * Families that last the whole session instead of striking once: faults at fixed rates on every
 * byte, every reconnect included (a long or worn cable, a noisy printer frame), and a link whose
 * every transfer is late by a varying amount (a Wi-Fi bridge).
 */
export const FAMILY_KINDS = ['persistent', 'latency-jitter'] as const;
export type FamilyKind = (typeof FAMILY_KINDS)[number];

/** The rates of the persistent family: per byte, in the direction named. */
export const PERSISTENT_RATES = { lostToBoard: 1 / 2000, flippedToBoard: 1 / 2000, flippedFromBoard: 1 / 2000 } as const;
export const LATENCY_JITTER = { latencyMs: 20, jitterMs: 10 } as const;

export interface StreamShape {
  /** Rough bytes the host sends, and receives, for the whole session (setup, write, verify). */
  readonly toBoard: number;
  readonly fromBoard: number;
}

export type FaultPlan =
  | { readonly kind: 'lost-to-board' | 'lost-from-board'; readonly at: readonly number[] }
  | { readonly kind: 'flipped-to-board' | 'flipped-from-board'; readonly at: readonly number[]; readonly bits: readonly number[] }
  | { readonly kind: 'chatter-same-baud' | 'chatter-250000'; readonly resets: number; readonly chunks: readonly { readonly afterMs: number; readonly bytes: number }[] }
  | { readonly kind: 'stall'; readonly at: number; readonly ms: number }
  | { readonly kind: 'disconnect' | 'bootloader-restart'; readonly at: number }
  | { readonly kind: 'port-busy' }
  | { readonly kind: 'persistent'; readonly seed: number; readonly rates: typeof PERSISTENT_RATES }
  | { readonly kind: 'latency-jitter'; readonly latencyMs: number; readonly jitterMs: number };

export function makePlan(seed: number, kind: FaultKind | FamilyKind, shape: StreamShape): FaultPlan {
  const r = prng(seed * 7919 + 17);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const positions = (total: number): number[] =>
    Array.from({ length: int(1, 3) }, () => int(8, Math.max(9, total - 1))).sort((a, b) => a - b);
  switch (kind) {
    case 'lost-to-board':
      return { kind, at: positions(shape.toBoard) };
    case 'lost-from-board':
      return { kind, at: positions(shape.fromBoard) };
    case 'flipped-to-board':
    case 'flipped-from-board': {
      const at = positions(kind === 'flipped-to-board' ? shape.toBoard : shape.fromBoard);
      return { kind, at, bits: at.map(() => int(0, 7)) };
    }
    case 'chatter-same-baud':
    case 'chatter-250000': {
      const chunks = Array.from({ length: int(1, 4) }, () => ({ afterMs: int(0, 150), bytes: int(16, 160) }));
      return { kind, resets: int(1, 3), chunks };
    }
    case 'stall':
      return { kind, at: int(8, shape.toBoard - 1), ms: [300, 900, 1500, 2500, 4000, 7000][int(0, 5)] ?? 1500 };
    case 'disconnect':
    case 'bootloader-restart':
      return { kind, at: int(8, shape.toBoard - 1) };
    case 'port-busy':
      return { kind };
    case 'persistent':
      return { kind, seed, rates: PERSISTENT_RATES };
    case 'latency-jitter':
      return { kind, ...LATENCY_JITTER };
  }
}

/** Wires `plan` into the board's line (and, for a disconnect, the port). Returns a description. */
export function installPlan(plan: FaultPlan, board: EmulatedBoard, port: EmulatedSerialPort, bootloaderBaud: number): void {
  let toBoard = 0;
  let fromBoard = 0;
  const hit = (list: readonly number[], i: number): number => list.indexOf(i);
  if (plan.kind === 'persistent') {
    board.line = persistentLine(plan.seed, plan.rates);
    return;
  }
  if (plan.kind === 'latency-jitter') {
    board.latencyMs = plan.latencyMs;
    board.jitterMs = plan.jitterMs;
    return;
  }
  const line: LineFaults = {
    toMcu: (v) => {
      const i = toBoard++;
      switch (plan.kind) {
        case 'lost-to-board':
          return hit(plan.at, i) >= 0 ? null : v;
        case 'flipped-to-board': {
          const k = hit(plan.at, i);
          return k >= 0 ? v ^ (1 << (plan.bits[k] ?? 0)) : v;
        }
        case 'stall':
          if (i === plan.at) board.stall(plan.ms);
          return v;
        case 'disconnect':
          if (i === plan.at) queueMicrotask(() => port.disconnect());
          return v;
        case 'bootloader-restart':
          if (i === plan.at) board.reset();
          return v;
        default:
          return v;
      }
    },
    toHost: (v) => {
      const i = fromBoard++;
      if (plan.kind === 'lost-from-board') return hit(plan.at, i) >= 0 ? null : v;
      if (plan.kind === 'flipped-from-board') {
        const k = hit(plan.at, i);
        return k >= 0 ? v ^ (1 << (plan.bits[k] ?? 0)) : v;
      }
      return v;
    },
  };
  board.line = line;
  if (plan.kind === 'chatter-same-baud' || plan.kind === 'chatter-250000') {
    const banner = plan.kind === 'chatter-250000' ? resample(bannerBytes(), 250000, bootloaderBaud) : bannerBytes();
    let resetsLeft = plan.resets;
    let offset = 0;
    board.onReset = () => {
      if (resetsLeft-- <= 0) return;
      // The firmware was talking when reset came: what it sent is still on its way to the host.
      for (const c of plan.chunks) {
        const bytes = new Uint8Array(c.bytes).map((_, j) => banner[(offset + j) % banner.length] ?? 0);
        offset += c.bytes;
        board.injectToHost(bytes, c.afterMs);
      }
    };
  }
  if (plan.kind === 'port-busy') port.options.failOpen = 'busy';
}

/** Loses and flips bytes at fixed rates for as long as the line is installed (seeded: replays exactly). */
function persistentLine(seed: number, rates: typeof PERSISTENT_RATES): LineFaults {
  const r = prng(seed * 104_729 + 3);
  const flip = (v: number): number => v ^ (1 << Math.floor(r() * 8));
  return {
    toMcu: (v) => {
      const x = r();
      if (x < rates.lostToBoard) return null;
      return x < rates.lostToBoard + rates.flippedToBoard ? flip(v) : v;
    },
    toHost: (v) => (r() < rates.flippedFromBoard ? flip(v) : v),
  };
}

/** Takes every fault away: the next run on this board and port is a clean one. */
export function clearFaults(board: EmulatedBoard, port: EmulatedSerialPort): void {
  board.line = null;
  board.latencyMs = 0;
  board.jitterMs = 0;
  board.onReset = null;
  port.options.failOpen = null;
}
