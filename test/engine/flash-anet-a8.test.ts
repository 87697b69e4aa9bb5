// Flashes the emulated anet-a8 (real atmegaboot-atmega1284p bootloader) through the core; see flash-cases.ts.
import { defineFlashTests } from './flash-cases.js';

defineFlashTests({ bootloader: 'atmegaboot-atmega1284p', board: 'anet-a8' });
