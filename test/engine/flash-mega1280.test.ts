// Flashes the emulated arduino-mega1280 (real atmegaboot-atmega1280 bootloader) through the core; see flash-cases.ts.
import { defineFlashTests } from './flash-cases.js';

defineFlashTests({ bootloader: 'atmegaboot-atmega1280', board: 'arduino-mega1280' });
