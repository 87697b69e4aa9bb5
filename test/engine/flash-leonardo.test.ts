// Flashes the emulated ATmega32U4 running Caterina's own command loop (built from Debian's
// Caterina.c, byte I/O on the USART in place of USB: test/emulator/caterina-recipe.ts) over AVR109;
// see flash-cases.ts.
import { defineFlashTests } from './flash-cases.js';

defineFlashTests({ bootloader: 'caterina-atmega32u4', board: 'arduino-leonardo' });
