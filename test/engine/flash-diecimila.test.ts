// Flashes the emulated ATmega168 running Debian's ATmegaBOOT_168_diecimila.hex at 19200 baud; see flash-cases.ts.
import { defineFlashTests } from './flash-cases.js';

defineFlashTests({ bootloader: 'atmegaboot-diecimila-atmega168', board: 'arduino-diecimila' });
