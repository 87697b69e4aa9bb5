// Flashes the emulated ATmega8 (USART in I/O space, UBRRH/UCSRC shared by URSEL: test/emulator/mcus.ts)
// running Debian's atmega8/ATmegaBOOT.hex at 19200 baud; see flash-cases.ts.
import { defineFlashTests } from './flash-cases.js';

defineFlashTests({ bootloader: 'atmegaboot-atmega8', board: 'arduino-atmega8' });
