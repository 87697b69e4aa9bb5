// Flashes the emulated arduino-uno (real optiboot-atmega328p bootloader) through the core; see flash-cases.ts.
import { defineFlashTests } from './flash-cases.js';

defineFlashTests({ bootloader: 'optiboot-atmega328p', board: 'arduino-uno' });
