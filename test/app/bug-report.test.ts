// The log book and the bug report text: header facts, timestamps, the line cap.
import { describe, expect, it } from 'vitest';
import { buildReport, reportFileName } from '../../src/app/bug-report.js';
import { LogBook, MAX_LOG_LINES } from '../../src/app/log-book.js';
import { portInfo } from '../../src/app/port-info.js';

describe('bug report', () => {
  it('carries version, browser, port IDs, firmware and the log', () => {
    let t = 0;
    const log = new LogBook(() => t);
    t = 1500;
    log.add('info', 'STK500V2 bootloader answered at 115200 baud: AVRISP_2.');
    log.add('debug', '-> 1b 01 00 01 0e 01 14');
    const text = buildReport(
      {
        appVersion: '0.1.0',
        browser: 'Chromium 140 on Linux',
        port: portInfo({ getInfo: () => ({ usbVendorId: 0x1a86, usbProductId: 0x7523 }) }).label,
        firmware: 'marlin.hex',
        target: 'Detect automatically',
        when: new Date('2025-01-02T03:04:05Z'),
      },
      log,
    );
    expect(text).toContain('HexFlash 0.1.0 log');
    expect(text).toContain('Port: CH340 USB-serial adapter (USB 1a86:7523)');
    expect(text).toContain('Browser: Chromium 140 on Linux');
    expect(text).toContain('[   1.500] * STK500V2 bootloader answered');
    expect(text).toContain('[   1.500]   -> 1b 01');
    expect(reportFileName(new Date('2025-01-02T03:04:05Z'))).toBe('hexflash-log-2025-01-02-03-04-05.txt');
  });

  it('keeps the newest lines when the cap is passed', () => {
    const log = new LogBook(() => 0);
    for (let i = 0; i < MAX_LOG_LINES + 5; i++) log.add('debug', `line ${i}`);
    expect(log.size).toBe(MAX_LOG_LINES);
    expect(log.text().split('\n')[0]).toBe('(5 earlier lines dropped)');
  });

  it('labels a port without USB IDs', () => {
    expect(portInfo({ getInfo: () => ({}) }).label).toBe('serial port (no USB IDs)');
  });
});
