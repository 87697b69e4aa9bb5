// Flashes the emulated ATmega168 running Debian's ATmegaBOOT_168_ng.hex (19200 baud, three LED
// flashes before it listens: the slowest start of the 19200-baud bootloaders); the full image set runs
// on the Diecimila build of the same source (flash-diecimila.test.ts). See flash-cases.ts.
import { defineFlashTests } from './flash-cases.js';

defineFlashTests({ bootloader: 'atmegaboot-ng-atmega168', board: 'arduino-ng-168', only: ['image with gaps'] });
