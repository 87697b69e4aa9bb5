// Several boards at once, the parts the page and the CLI share: which image a board gets (an
// ImageResolver: the same image on all, or each board's own build once manifests exist), one
// summary row per board, and the summary as CSV or Markdown for download. Pure data; the jobs run
// in app/multi-flash-service.ts and cli/run-many.ts.
import type { FlashError } from './errors.js';
import type { FlashResult } from './events.js';
import type { FirmwareImage } from './hex/image.js';
import type { ProtocolId } from './programmer.js';

/** What a board said about itself before anything is written (core/identify.ts). */
export interface BoardIdentity {
  /** "1e 98 01" */
  readonly signature: string;
  readonly protocol: ProtocolId;
  /** The baud the bootloader answered at, or null over a bridge that cannot tell. */
  readonly baud: number | null;
  readonly usbIds?: { readonly vid?: number; readonly pid?: number };
}

/** No image for this board, in words a user reads ("the manifest has builds for ATmega2560 and ATmega328P only"). */
export interface Refusal {
  readonly refused: string;
}

/** Picks the image for one board. `fixed` is set when every board gets the same image: no probe is needed then. */
export type ImageResolver = ((board: BoardIdentity) => Promise<FirmwareImage | Refusal>) & { readonly fixed?: FirmwareImage };

export function sameImage(image: FirmwareImage): ImageResolver {
  return Object.assign(async (): Promise<FirmwareImage> => image, { fixed: image });
}

export function isRefusal(x: FirmwareImage | Refusal): x is Refusal {
  return 'refused' in x;
}

export type BoardResult = 'verified' | 'not verified' | 'failed' | 'refused' | 'cancelled';

export interface FleetRow {
  /** The port's label ("Arduino Uno R3 (USB 2341:0043)", "net:10.0.0.5:2000"). */
  readonly board: string;
  readonly chip: string;
  readonly protocol: string;
  readonly result: BoardResult;
  readonly bytesVerified: number;
  readonly ms: number;
  /** Why it failed, in the words the page and the CLI show; empty on success. */
  readonly error: string;
}

/** What was seen of a board before it ended (the chip and protocol are known once it answered). */
export interface BoardSeen {
  readonly mcu?: string;
  readonly protocol?: string;
}

export type BoardEnd = { readonly result: FlashResult } | { readonly error: FlashError; readonly refused?: boolean };

export function fleetRow(board: string, end: BoardEnd, seen: BoardSeen, ms: number): FleetRow {
  if ('result' in end) {
    const r = end.result;
    const verified = r.bytesVerified >= r.bytesWritten;
    return { board, chip: r.mcu, protocol: r.protocol.toUpperCase(), result: verified ? 'verified' : 'not verified', bytesVerified: r.bytesVerified, ms, error: '' };
  }
  const result: BoardResult = end.refused ? 'refused' : end.error.code === 'aborted' ? 'cancelled' : 'failed';
  return { board, chip: seen.mcu ?? '', protocol: seen.protocol?.toUpperCase() ?? '', result, bytesVerified: 0, ms, error: end.error.message };
}

/** Only a board whose every byte was read back and compared counts. */
export function allVerified(rows: readonly FleetRow[]): boolean {
  return rows.length > 0 && rows.every((r) => r.result === 'verified');
}

export function fleetCounts(rows: readonly FleetRow[]): string {
  const ok = rows.filter((r) => r.result === 'verified').length;
  return `${ok} of ${rows.length} board${rows.length === 1 ? '' : 's'} verified`;
}

const HEADERS = ['Board', 'Chip', 'Protocol', 'Result', 'Bytes verified', 'Time (s)', 'Error'] as const;

function cells(r: FleetRow): string[] {
  return [r.board, r.chip, r.protocol, r.result, String(r.bytesVerified), (r.ms / 1000).toFixed(1), r.error];
}

/** RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled; CRLF line ends. */
export function fleetCsv(rows: readonly FleetRow[]): string {
  const field = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [HEADERS, ...rows.map(cells)].map((line) => line.map(field).join(',')).join('\r\n') + '\r\n';
}

export function fleetMarkdown(rows: readonly FleetRow[]): string {
  const cell = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const line = (c: readonly string[]): string => `| ${c.map(cell).join(' | ')} |`;
  return [line(HEADERS), line(HEADERS.map(() => '---')), ...rows.map((r) => line(cells(r)))].join('\n') + '\n';
}
