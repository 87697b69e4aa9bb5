// The text a user attaches to a bug report: app version, browser, port IDs, firmware, target
// and the full log. Offered by the log panel as "Copy" and "Download".
import type { LogBook } from './log-book.js';

export interface ReportContext {
  readonly appVersion: string;
  readonly browser: string;
  readonly port: string | null;
  readonly firmware: string | null;
  readonly target: string;
  readonly when: Date;
}

export function buildReport(ctx: ReportContext, log: LogBook): string {
  return [
    `HexFlash ${ctx.appVersion} log`,
    `Date: ${ctx.when.toISOString()}`,
    `Browser: ${ctx.browser}`,
    `Port: ${ctx.port ?? 'none chosen yet'}`,
    `Firmware: ${ctx.firmware ?? 'none loaded'}`,
    `Target: ${ctx.target}`,
    '',
    log.text(),
    '',
  ].join('\n');
}

export function reportFileName(when: Date): string {
  const stamp = when.toISOString().replace(/[:T]/g, '-').replace(/\..*$/, '');
  return `hexflash-log-${stamp}.txt`;
}
