// Emulator-side MCU facts (datasheet "Register Summary" and "Memory" chapters): data-space sizes and
// the addresses the board model hooks. USART0, MCUSR, WDTCSR, SPMCSR and Timer1 sit at the same
// data addresses on all of these parts, so avr8js's usart0Config/timer1Config/watchdogConfig apply.

export interface EmulatedMcu {
  readonly flashBytes: number;
  readonly pageBytes: number;
  /** Bytes of data space above the 0x100 that avr8js reserves for registers (RAMEND + 1 - 0x100). */
  readonly dataBytes: number;
  readonly nrwwStart: number;
  readonly hasRampz: boolean;
}

export const EMULATED_MCUS = {
  atmega328p: { flashBytes: 0x8000, pageBytes: 128, dataBytes: 0x900 - 0x100, nrwwStart: 0x7000, hasRampz: false },
  atmega168: { flashBytes: 0x4000, pageBytes: 128, dataBytes: 0x500 - 0x100, nrwwStart: 0x3800, hasRampz: false },
  atmega644p: { flashBytes: 0x10000, pageBytes: 256, dataBytes: 0x1100 - 0x100, nrwwStart: 0xe000, hasRampz: false },
  atmega1280: { flashBytes: 0x20000, pageBytes: 256, dataBytes: 0x2200 - 0x100, nrwwStart: 0x1e000, hasRampz: true },
  atmega1284p: { flashBytes: 0x20000, pageBytes: 256, dataBytes: 0x4100 - 0x100, nrwwStart: 0x1e000, hasRampz: true },
  atmega2560: { flashBytes: 0x40000, pageBytes: 256, dataBytes: 0x2200 - 0x100, nrwwStart: 0x3e000, hasRampz: true },
} as const satisfies Record<string, EmulatedMcu>;

export type EmulatedMcuName = keyof typeof EMULATED_MCUS;

export const REG = {
  MCUSR: 0x54,
  SPMCSR: 0x57,
  RAMPZ: 0x5b,
} as const;

export const MCUSR_PORF = 0x01;
export const MCUSR_EXTRF = 0x02;
export const MCUSR_WDRF = 0x08;
