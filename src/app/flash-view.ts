// Folds the flash service's updates into one view model that components render: the phase,
// overall percent (writing and verifying each count half when verifying), bytes, rate, time left,
// and the end result. Pure, so it is tested without a DOM.
import type { FlashResult } from '../core/events.js';
import type { ProtocolId } from '../core/programmer.js';
import type { FlashUpdate } from './flash-service.js';
import type { PortInfo } from './port-info.js';
import { Problem, problemFromError } from './problem.js';

export type FlashPhase =
  | 'idle'
  | 'choosing-port'
  | 'opening'
  | 'touching'
  | 'resetting'
  | 'connecting'
  | 'reading'
  | 'writing'
  | 'verifying'
  | 'leaving'
  | 'done'
  | 'error';

export interface FlashView {
  readonly phase: FlashPhase;
  readonly running: boolean;
  /** 0..100 over the whole job. */
  readonly percent: number;
  /** Bytes of the current phase. */
  readonly done: number;
  readonly total: number;
  readonly bytesPerSecond: number;
  readonly secondsLeft: number | null;
  readonly verify: boolean;
  readonly attempt: number;
  readonly protocol: ProtocolId | null;
  readonly baud: number | null;
  readonly chip: { readonly mcu: string; readonly signature: string } | null;
  readonly port: PortInfo | null;
  readonly result: FlashResult | null;
  readonly problem: Problem | null;
  /** The port chooser was dismissed: back to idle with a note. */
  readonly noPort: boolean;
}

export const IDLE_VIEW: FlashView = {
  phase: 'idle',
  running: false,
  percent: 0,
  done: 0,
  total: 0,
  bytesPerSecond: 0,
  secondsLeft: null,
  verify: true,
  attempt: 0,
  protocol: null,
  baud: null,
  chip: null,
  port: null,
  result: null,
  problem: null,
  noPort: false,
};

export function startView(verify: boolean): FlashView {
  return { ...IDLE_VIEW, phase: 'choosing-port', running: true, verify };
}

export function reduceFlashView(v: FlashView, u: FlashUpdate): FlashView {
  switch (u.state) {
    case 'log':
      return v;
    case 'choosing-port':
      return { ...v, phase: 'choosing-port', running: true };
    case 'opening':
      return { ...v, phase: 'opening', port: u.port };
    case 'touching':
      return { ...v, phase: 'touching', port: u.port };
    case 'resetting':
      return { ...v, phase: 'resetting', attempt: u.attempt };
    case 'connecting':
      return { ...v, phase: 'connecting', attempt: u.attempt, protocol: u.protocol, baud: u.baud };
    case 'connected':
      return { ...v, protocol: u.protocol, baud: u.baud, chip: { mcu: u.mcu, signature: u.signature } };
    case 'reading': {
      // A read of its own, or the backup before a write: its own 0..100, the write starts again at 0.
      const percent = Math.min(100, u.total > 0 ? (u.done * 100) / u.total : 100);
      const secondsLeft = u.bytesPerSecond > 0 ? (u.total - u.done) / u.bytesPerSecond : null;
      return { ...v, phase: 'reading', done: u.done, total: u.total, bytesPerSecond: u.bytesPerSecond, percent, secondsLeft };
    }
    case 'writing':
    case 'verifying': {
      const half = v.verify ? 50 : 100;
      const base = u.state === 'verifying' ? 50 : 0;
      const frac = u.total > 0 ? u.done / u.total : 1;
      const floor = v.phase === 'reading' ? 0 : v.percent;
      const percent = Math.min(100, Math.max(floor, base + frac * half));
      return { ...v, phase: u.state, done: u.done, total: u.total, bytesPerSecond: u.bytesPerSecond, percent, secondsLeft: timeLeft(v.verify, u) };
    }
    case 'leaving':
      return { ...v, phase: 'leaving', percent: Math.max(v.percent, 99.9), secondsLeft: 0 };
    case 'done':
      return {
        ...v,
        phase: 'done',
        running: false,
        percent: 100,
        done: v.total,
        secondsLeft: 0,
        result: u.result,
        port: u.port,
        chip: { mcu: u.result.mcu, signature: u.result.signature },
      };
    case 'error':
      return { ...v, phase: 'error', running: false, secondsLeft: null, problem: problemFromError(u.error), port: u.port ?? v.port };
    case 'no-port':
      return { ...IDLE_VIEW, noPort: true };
  }
}

function timeLeft(verify: boolean, u: { state: 'writing' | 'verifying'; done: number; total: number; bytesPerSecond: number }): number | null {
  if (u.bytesPerSecond <= 0) return null;
  const rest = u.total - u.done + (u.state === 'writing' && verify ? u.total : 0);
  return rest / u.bytesPerSecond;
}

const LABELS: Record<FlashPhase, string> = {
  idle: 'Ready',
  'choosing-port': 'Choose the serial port in the browser dialog',
  opening: 'Opening the port',
  touching: 'Resetting the board into its bootloader (1200-baud touch)',
  resetting: 'Resetting the board',
  connecting: 'Connecting to the bootloader',
  reading: 'Reading the firmware on the board',
  writing: 'Writing',
  verifying: 'Verifying',
  leaving: 'Starting the firmware',
  done: 'Done',
  error: 'Failed',
};

export function phaseLabel(v: FlashView): string {
  if (v.phase === 'error' && v.problem?.code === 'aborted') return 'Cancelled';
  if (v.phase === 'connecting' && v.protocol) {
    return `Connecting: ${v.protocol.toUpperCase()} at ${v.baud ?? 'the line'} baud (try ${v.attempt})`;
  }
  return LABELS[v.phase];
}

export { Problem };
