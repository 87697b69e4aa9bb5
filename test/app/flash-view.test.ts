// The flash view model: phases, overall percent (write and verify halves), time left, outcomes.
import { describe, expect, it } from 'vitest';
import { IDLE_VIEW, phaseLabel, reduceFlashView, startView, type FlashView } from '../../src/app/flash-view.js';
import type { FlashUpdate } from '../../src/app/flash-service.js';
import { FlashError } from '../../src/core/errors.js';
import type { FlashResult } from '../../src/core/events.js';

const fold = (v: FlashView, us: FlashUpdate[]): FlashView => us.reduce(reduceFlashView, v);
const port = { label: 'USB 2341:0042', usbVendorId: 0x2341, usbProductId: 0x42 };

describe('flash view', () => {
  it('counts writing as the first half and verifying as the second', () => {
    let v = fold(startView(true), [
      { state: 'opening', port },
      { state: 'resetting', attempt: 1 },
      { state: 'connecting', protocol: 'stk500v2', baud: 115200, attempt: 1 },
      { state: 'connected', protocol: 'stk500v2', baud: 115200, signature: '1e 98 01', mcu: 'ATmega2560' },
      { state: 'writing', done: 500, total: 1000, bytesPerSecond: 100 },
    ]);
    expect(v.percent).toBe(25);
    expect(v.secondsLeft).toBe(15); // 500 to write + 1000 to verify at 100 B/s
    expect(v.chip).toEqual({ mcu: 'ATmega2560', signature: '1e 98 01' });
    v = reduceFlashView(v, { state: 'verifying', done: 500, total: 1000, bytesPerSecond: 250 });
    expect(v.percent).toBe(75);
    expect(v.secondsLeft).toBe(2);
    expect(phaseLabel(v)).toBe('Verifying');
  });

  it('shows a backup read with its own bar, rate and time left, then the write from 0', () => {
    let v = fold(startView(true), [{ state: 'reading', done: 2000, total: 8000, bytesPerSecond: 1000 }]);
    expect(v).toMatchObject({ phase: 'reading', percent: 25, secondsLeft: 6, bytesPerSecond: 1000 });
    expect(phaseLabel(v)).toBe('Reading the firmware on the board');
    v = fold(v, [{ state: 'reading', done: 8000, total: 8000, bytesPerSecond: 1000 }, { state: 'writing', done: 100, total: 1000, bytesPerSecond: 100 }]);
    expect(v.percent).toBe(5);
    expect(v.secondsLeft).toBe(19);
  });

  it('never goes backwards and ends at 100 with the result', () => {
    const result = { mcu: 'ATmega328P', signature: '1e 95 0f' } as FlashResult;
    const v = fold(startView(true), [
      { state: 'writing', done: 800, total: 1000, bytesPerSecond: 10 },
      { state: 'writing', done: 0, total: 1000, bytesPerSecond: 0 },
      { state: 'done', result, port },
    ]);
    expect(v).toMatchObject({ phase: 'done', running: false, percent: 100, result, port });
  });

  it('counts writing as the whole bar without verify', () => {
    expect(reduceFlashView(startView(false), { state: 'writing', done: 500, total: 1000, bytesPerSecond: 100 }).percent).toBe(50);
  });

  it('turns an error into a problem with title, detail and hint', () => {
    const v = reduceFlashView(startView(true), { state: 'error', error: new FlashError('link-closed', 'Unplugged.'), port: null });
    expect(v.running).toBe(false);
    expect(v.problem).toMatchObject({ code: 'link-closed', title: 'The board was disconnected.', detail: 'Unplugged.' });
    expect(v.problem?.hint).toMatch(/bootloader is not touched/);
  });

  it('goes back to idle, with a note, when no port was chosen', () => {
    expect(reduceFlashView(startView(true), { state: 'no-port' })).toEqual({ ...IDLE_VIEW, noPort: true });
  });

  it('names the attempt while connecting', () => {
    const v = reduceFlashView(startView(true), { state: 'connecting', protocol: 'stk500v1', baud: 57600, attempt: 3 });
    expect(phaseLabel(v)).toBe('Connecting: STK500V1 at 57600 baud (try 3)');
  });

  it('labels a cancel as cancelled and any other error as failed', () => {
    const start = startView(true);
    const cancelled = reduceFlashView(start, { state: 'error', error: new FlashError('aborted', 'Cancelled by the user.'), port: null });
    expect(phaseLabel(cancelled)).toBe('Cancelled');
    const failed = reduceFlashView(start, { state: 'error', error: new FlashError('link-closed', 'Unplugged.'), port: null });
    expect(phaseLabel(failed)).toBe('Failed');
  });

  it('shows the 1200-baud touch as its own phase, on the sketch port, before the bootloader port opens', () => {
    const sketch = { label: 'Arduino Leonardo (USB 2341:8036)', usbVendorId: 0x2341, usbProductId: 0x8036 };
    const boot = { label: 'Arduino Leonardo bootloader (USB 2341:0036)', usbVendorId: 0x2341, usbProductId: 0x0036 };
    let v = reduceFlashView(startView(true), { state: 'touching', port: sketch });
    expect(v).toMatchObject({ phase: 'touching', running: true, port: sketch });
    expect(phaseLabel(v)).toBe('Resetting the board into its bootloader (1200-baud touch)');
    v = reduceFlashView(v, { state: 'opening', port: boot });
    expect(v.port).toEqual(boot);
  });
});
