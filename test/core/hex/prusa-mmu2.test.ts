// Prusa's firmware files for the MMU2 control board (ATmega32U4) begin with a "; device = mm-control"
// line: the parser takes it as a comment, and the image fits the prusa-mmu2 preset.
import { describe, expect, it } from 'vitest';
import { BOARDS } from '../../../src/core/boards.js';
import { imageFromSegments } from '../../../src/core/hex/binary.js';
import { parseIntelHex, toIntelHex } from '../../../src/core/hex/intel-hex.js';
import { checkRequest } from '../../../src/core/session.js';

describe('a Prusa MMU2 firmware file', () => {
  const data = Uint8Array.from({ length: 3000 }, (_, i) => (i * 13) & 0xff);
  const body = toIntelHex(imageFromSegments([{ address: 0, data }]));

  it('parses with its leading "; device = mm-control" line, LF or CRLF', () => {
    for (const text of [`; device = mm-control\n${body}`, `; device = mm-control\r\n${body.replace(/\n/g, '\r\n')}`]) {
      const image = parseIntelHex(text);
      expect(image.bytes.subarray(0, 3000)).toEqual(data);
      expect(image.end).toBe(3000);
    }
  });

  it('is accepted for the prusa-mmu2 preset (ATmega32U4, AVR109, 4 KiB Caterina)', () => {
    const image = parseIntelHex(`; device = mm-control\n${body}`);
    expect(BOARDS['prusa-mmu2']).toMatchObject({ mcu: 'atmega32u4', protocol: 'avr109', bootloaderBytes: 4096 });
    expect(() => checkRequest({ image, board: 'prusa-mmu2' })).not.toThrow();
  });
});
