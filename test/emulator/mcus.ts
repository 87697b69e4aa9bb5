// Emulator-side MCU facts (datasheet "Register Summary", "Interrupts" and "Memory" chapters): data-space
// sizes, the USART, timers and watchdog as avr8js configuration objects, and the addresses the board
// model hooks. The 328P family, 644P, 1280, 1284P and 2560 share avr8js's own configs (USART0, Timer0-2,
// WDTCSR at the same addresses and vectors near enough for bootloaders that poll). The ATmega32U4 has
// USART1 only and other vector numbers; the ATmega8 has its USART in I/O space with UBRRH and UCSRC
// sharing one address (URSEL picks), 1-word vectors, and no timer the bootloaders use.
import { timer0Config, timer1Config, timer2Config, usart0Config, watchdogConfig, type AVRTimerConfig, type WatchdogConfig } from 'avr8js';

export type USARTConfig = typeof usart0Config;

export interface EmulatedMcu {
  readonly flashBytes: number;
  readonly pageBytes: number;
  /** Bytes of data space above the 0x100 that avr8js reserves for registers (RAMEND + 1 - 0x100). */
  readonly dataBytes: number;
  readonly nrwwStart: number;
  readonly hasRampz: boolean;
  readonly usart: USARTConfig;
  readonly timers: readonly AVRTimerConfig[];
  readonly watchdog: WatchdogConfig;
  /**
   * Interrupt vectors sit at the boot section's start (MCUCR.IVSEL = 1): Caterina sets IVSEL before
   * it enables its timer interrupt, and avr8js has no IVSEL, so the vector addresses in `timers` are
   * moved by the boot start. The application (sketch) is not emulated on these parts.
   */
  readonly vectorsInBootSection?: boolean;
  /** ATmega8: UBRRH and UCSRC share this address; writes with URSEL (bit 7) set go to UCSRC. */
  readonly ursel?: { readonly address: number; readonly ubrrh: number };
}

/** 32U4 vector numbers (datasheet table 9-1) as avr8js word addresses, 2 words a vector. */
const v32u4 = (n: number): number => n * 2;

/** ATmega32U4: USART1 (0xC8-0xCE), vectors 25-27. */
const USART1_32U4: USARTConfig = {
  rxCompleteInterrupt: v32u4(25),
  dataRegisterEmptyInterrupt: v32u4(26),
  txCompleteInterrupt: v32u4(27),
  UCSRA: 0xc8,
  UCSRB: 0xc9,
  UCSRC: 0xca,
  UBRRL: 0xcc,
  UBRRH: 0xcd,
  UDR: 0xce,
};

/** ATmega8 data space: 0x60 registers and I/O, then 1 KiB SRAM to 0x45F; one spare byte past it holds UBRRH. */
const M8_UBRRH_SHADOW = 0x460;
const USART_M8: USARTConfig = {
  rxCompleteInterrupt: 0x0b,
  dataRegisterEmptyInterrupt: 0x0c,
  txCompleteInterrupt: 0x0d,
  UCSRA: 0x2b,
  UCSRB: 0x2a,
  UCSRC: 0x40,
  UBRRL: 0x29,
  UBRRH: M8_UBRRH_SHADOW,
  UDR: 0x2c,
};

const CLASSIC = { usart: usart0Config, timers: [timer0Config, timer1Config, timer2Config], watchdog: watchdogConfig } as const;

export const EMULATED_MCUS = {
  atmega8: {
    flashBytes: 0x2000,
    pageBytes: 64,
    dataBytes: M8_UBRRH_SHADOW + 2 - 0x100, // even: avr8js views the data space as 16-bit words too
    nrwwStart: 0x1800,
    hasRampz: false,
    usart: USART_M8,
    timers: [],
    watchdog: { watchdogInterrupt: 0, MCUSR: 0x54, WDTCSR: 0x41 },
    ursel: { address: 0x40, ubrrh: M8_UBRRH_SHADOW },
  },
  atmega328p: { flashBytes: 0x8000, pageBytes: 128, dataBytes: 0x900 - 0x100, nrwwStart: 0x7000, hasRampz: false, ...CLASSIC },
  atmega168: { flashBytes: 0x4000, pageBytes: 128, dataBytes: 0x500 - 0x100, nrwwStart: 0x3800, hasRampz: false, ...CLASSIC },
  atmega32u4: {
    flashBytes: 0x8000,
    pageBytes: 128,
    dataBytes: 0xb00 - 0x100,
    nrwwStart: 0x7000,
    hasRampz: false,
    usart: USART1_32U4,
    timers: [
      { ...timer0Config, compAInterrupt: v32u4(21), compBInterrupt: v32u4(22), ovfInterrupt: v32u4(23) },
      { ...timer1Config, captureInterrupt: v32u4(16), compAInterrupt: v32u4(17), compBInterrupt: v32u4(18), compCInterrupt: v32u4(19), ovfInterrupt: v32u4(20) },
    ],
    watchdog: { ...watchdogConfig, watchdogInterrupt: v32u4(12) },
    vectorsInBootSection: true,
  },
  atmega644p: { flashBytes: 0x10000, pageBytes: 256, dataBytes: 0x1100 - 0x100, nrwwStart: 0xe000, hasRampz: false, ...CLASSIC },
  atmega1280: { flashBytes: 0x20000, pageBytes: 256, dataBytes: 0x2200 - 0x100, nrwwStart: 0x1e000, hasRampz: true, ...CLASSIC },
  atmega1284p: { flashBytes: 0x20000, pageBytes: 256, dataBytes: 0x4100 - 0x100, nrwwStart: 0x1e000, hasRampz: true, ...CLASSIC },
  atmega2560: { flashBytes: 0x40000, pageBytes: 256, dataBytes: 0x2200 - 0x100, nrwwStart: 0x3e000, hasRampz: true, ...CLASSIC },
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
