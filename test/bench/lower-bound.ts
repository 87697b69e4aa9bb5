// The least time writing and verifying an image can take over a bootloader: every byte one round
// trip per page needs, at the bootloader's real baud, plus the flash time it cannot hide, plus latency.
import type { ProtocolId } from '../../src/core/programmer.js';

/** 16 MHz, U2X, UBRR 16: what "115200" really is on these boards. */
const REAL_BAUD = 16e6 / (8 * 17);
/** The emulated 32U4's USB CDC link: its USART at 16 MHz, UBRR 0 (test/emulator/caterina-recipe.ts). */
const CDC_BAUD = 16e6 / 16;

interface PageCost {
  readonly writeBytes: number;
  readonly readBytes: number;
  readonly flashMs: number;
}

function pageCost(protocol: ProtocolId, page: number): PageCost {
  if (protocol === 'avr109') {
    // 'B' size 'F' data -> '\r'; 'g' size 'F' -> data. Caterina erases before it reads the block and
    // writes after it, waiting for each: 4 + 4 ms exposed.
    return { writeBytes: 4 + page + 1, readBytes: 4 + page, flashMs: 8 };
  }
  if (protocol === 'stk500v2') {
    // PROGRAM_FLASH_ISP: frame 6 + header 10 + data, answer frame 6 + 2. READ_FLASH_ISP: 6 + 4, answer 6 + data + 3.
    // stk500boot erases, then writes, with the CPU halted: 4 + 4 ms.
    return { writeBytes: 6 + 10 + page + 8, readBytes: 10 + 6 + page + 3, flashMs: 8 };
  }
  // LOAD_ADDRESS 4, PROG_PAGE 5 + data + answer 2; READ_PAGE 5 + answer data + 2. LOAD_ADDRESS goes in
  // the same write as the page command, so its answer (2) leaves while the page command arrives.
  // optiboot starts the erase while the data still arrives, so only the 4 ms write is exposed.
  return { writeBytes: 4 + 5 + page + 2, readBytes: 4 + 5 + page + 2, flashMs: 4 };
}

/**
 * The floor of acceptance 3: every byte one round trip per page needs at the bootloader's real baud,
 * plus the bootloader's own time (from a command's last byte in to its answer's first byte out, page
 * erase and write included, and the time its wire idles between the bytes of its answer), as measured
 * on the emulated board during the run over the flash's page commands (EmulatedBoard pageThinkMs).
 */
export function floorMs(protocol: ProtocolId, page: number, imageEnd: number, bootloaderMs: number): number {
  const pages = Math.ceil(imageEnd / page);
  const c = pageCost(protocol, page);
  return ((pages * (c.writeBytes + c.readBytes) * 10) / (protocol === 'avr109' ? CDC_BAUD : REAL_BAUD)) * 1000 + bootloaderMs;
}

export function lowerBoundMs(protocol: ProtocolId, page: number, imageEnd: number, latencyMs: number): number {
  const pages = Math.ceil(imageEnd / page);
  const c = pageCost(protocol, page);
  const wire = ((pages * (c.writeBytes + c.readBytes) * 10) / (protocol === 'avr109' ? CDC_BAUD : REAL_BAUD)) * 1000;
  return wire + pages * c.flashMs + pages * 2 * 2 * latencyMs;
}
