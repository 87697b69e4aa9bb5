// Builds the avr8js peripherals of one emulated MCU from its table row (mcus.ts): timers, USART and
// watchdog, with the interrupt vectors moved to the boot section where the bootloader sets IVSEL
// (avr8js has no IVSEL), and the ATmega8's shared UBRRH/UCSRC address split by URSEL.
import { AVRTimer, AVRUSART, AVRWatchdog, type AVRTimerConfig, type CPU } from 'avr8js';
import type { EmulatedMcu, USARTConfig } from './mcus.js';

const URSEL = 0x80;

/** Moves every non-zero vector field of a config by `base` words. */
function moved<T extends object>(config: T, base: number, fields: readonly (keyof T)[]): T {
  if (base === 0) return config;
  const out = { ...config };
  for (const f of fields) {
    const v = out[f];
    if (typeof v === 'number' && v !== 0) (out as Record<keyof T, unknown>)[f] = v + base;
  }
  return out;
}

const TIMER_VECTORS: readonly (keyof AVRTimerConfig)[] = ['captureInterrupt', 'compAInterrupt', 'compBInterrupt', 'compCInterrupt', 'ovfInterrupt'];
const USART_VECTORS: readonly (keyof USARTConfig)[] = ['rxCompleteInterrupt', 'dataRegisterEmptyInterrupt', 'txCompleteInterrupt'];

/** Creates the MCU's peripherals on `cpu`; returns the USART the board model wires to the host. */
export function addPeripherals(cpu: CPU, m: EmulatedMcu, bootStart: number, clockHz: number): AVRUSART {
  const base = m.vectorsInBootSection ? bootStart / 2 : 0;
  for (const t of m.timers) new AVRTimer(cpu, moved(t, base, TIMER_VECTORS));
  const usart = new AVRUSART(cpu, moved(m.usart, base, USART_VECTORS), clockHz);
  new AVRWatchdog(cpu, moved(m.watchdog, base, ['watchdogInterrupt']), { frequency: clockHz } as never);
  const ursel = m.ursel;
  if (ursel) {
    const writeUcsrc = cpu.writeHooks[ursel.address];
    cpu.writeHooks[ursel.address] = (value, old, addr, mask) => {
      if (value & URSEL) return writeUcsrc ? writeUcsrc(value, old, addr, mask) : false;
      cpu.data[ursel.ubrrh] = value;
      return true;
    };
  }
  return usart;
}
