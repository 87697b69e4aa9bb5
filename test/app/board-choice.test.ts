// Board choice: FlashRequest fields, the size check before the port chooser, remembering it.
import { describe, expect, it } from 'vitest';
import { choiceLabel, loadChoice, parseChoice, precheckImage, requestFor, saveChoice } from '../../src/app/board-choice.js';
import { isFlashError } from '../../src/core/errors.js';
import type { FirmwareImage } from '../../src/core/hex/image.js';
import { memorySettings } from '../../src/store/settings.js';

const sized = (n: number): FirmwareImage => ({ bytes: new Uint8Array(n), segments: [{ start: 0, end: n }], end: n, dataBytes: n, warnings: [] });

describe('board choice', () => {
  it('maps to request fields', () => {
    expect(requestFor({ kind: 'auto' })).toEqual({ protocol: 'auto' });
    expect(requestFor({ kind: 'preset', board: 'ramps' })).toEqual({ board: 'ramps' });
    expect(requestFor({ kind: 'custom', mcu: 'atmega1284p', protocol: 'stk500v1', baud: 57600 })).toEqual({
      mcu: 'atmega1284p',
      protocol: 'stk500v1',
      baud: 57600,
    });
    expect(requestFor({ kind: 'custom', mcu: 'auto', protocol: 'auto', baud: 'auto' })).toEqual({ protocol: 'auto' });
  });

  it('refuses an image too large for the preset before a port is asked for', () => {
    expect(() => precheckImage(sized(40_000), { kind: 'preset', board: 'arduino-uno' })).toThrow(
      expect.objectContaining({ code: 'image-too-large' }),
    );
    const atEnd: FirmwareImage = { ...sized(32_310), segments: [{ start: 32_300, end: 32_310 }], dataBytes: 10 };
    expect(() => precheckImage(atEnd, { kind: 'preset', board: 'arduino-uno' })).toThrow(
      expect.objectContaining({ code: 'image-overlaps-bootloader' }),
    );
    expect(() => precheckImage(sized(40_000), { kind: 'preset', board: 'arduino-mega2560' })).not.toThrow();
    expect(() => precheckImage(sized(300_000), { kind: 'auto' })).not.toThrow();
    try {
      precheckImage(sized(0), { kind: 'auto' });
      expect.unreachable();
    } catch (e) {
      expect(isFlashError(e, 'image-empty')).toBe(true);
    }
  });

  it('is remembered, and a stored value that is not a choice is ignored', () => {
    const s = memorySettings();
    expect(loadChoice(s)).toEqual({ kind: 'auto' });
    saveChoice(s, { kind: 'preset', board: 'prusa-mk3' });
    expect(loadChoice(s)).toEqual({ kind: 'preset', board: 'prusa-mk3' });
    s.write('board', '{"kind":"preset","board":"toaster"}');
    expect(loadChoice(s)).toEqual({ kind: 'auto' });
    s.write('board', 'not json');
    expect(loadChoice(s)).toEqual({ kind: 'auto' });
    expect(parseChoice({ kind: 'custom', mcu: 'atmega2560', protocol: 'stk500v2', baud: 115200 })).toBeDefined();
    expect(parseChoice({ kind: 'custom', mcu: 'atmega2560', protocol: 'xmodem', baud: 115200 })).toBeUndefined();
  });

  it('has labels for the result and the log', () => {
    expect(choiceLabel({ kind: 'auto' })).toBe('Detect automatically');
    expect(choiceLabel({ kind: 'preset', board: 'melzi' })).toMatch(/Melzi/);
    expect(choiceLabel({ kind: 'custom', mcu: 'atmega328p', protocol: 'stk500v1', baud: 57600 })).toBe('Custom (ATmega328P, STK500V1, 57600 baud)');
  });
});
