// Flashes the emulated arduino-mega2560 (real stk500v2-atmega2560 bootloader) through the core; see flash-cases.ts.
import { defineFlashTests } from './flash-cases.js';

defineFlashTests({ bootloader: 'stk500v2-atmega2560', board: 'arduino-mega2560' });
