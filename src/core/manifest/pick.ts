// Picks the manifest build for the board that answered: its MCU signature, the bootloader's protocol
// and baud, and the board preset the user or page named, if any. A build keyed by a board preset fits
// when that preset's chip and bootloader protocol are the ones that answered; a build keyed by a
// signature fits that chip. When nothing fits, the result says what the manifest offers and what the board is.
import { BOARDS, type BoardId } from '../boards.js';
import { deviceBySignature, DEVICES, formatSignature } from '../devices.js';
import { FlashError } from '../errors.js';
import type { ProtocolId } from '../programmer.js';
import type { FirmwareManifest, ManifestBuild } from './manifest.js';

export interface BoardFacts {
  /** As formatSignature() writes it: "1e 98 01". */
  readonly signature: string;
  readonly protocol: ProtocolId;
  /** The baud the bootloader answered at (null over a bridge that cannot tell). */
  readonly baud: number | null;
  /** A preset the user or the page chose: its build wins among those that fit. */
  readonly board?: BoardId;
}

export type Pick =
  | { readonly kind: 'build'; readonly build: ManifestBuild; readonly index: number; readonly label: string }
  | { readonly kind: 'none'; readonly offers: readonly string[]; readonly board: string };

export function pickBuild(manifest: FirmwareManifest, facts: BoardFacts): Pick {
  let best: { build: ManifestBuild; index: number; score: number } | null = null;
  for (const [index, build] of manifest.builds.entries()) {
    const score = fitScore(build, facts);
    if (score !== null && (best === null || score > best.score)) best = { build, index, score };
  }
  if (best) return { kind: 'build', build: best.build, index: best.index, label: buildLabel(best.build) };
  return { kind: 'none', offers: manifest.builds.map(buildLabel), board: describeBoard(facts) };
}

/** Null when the build cannot be flashed on this board; higher is a closer fit. */
function fitScore(build: ManifestBuild, facts: BoardFacts): number | null {
  if (build.signature !== undefined && build.signature !== facts.signature) return null;
  let score = build.signature !== undefined ? 1 : 0;
  if (build.board !== undefined) {
    const b = BOARDS[build.board];
    if (formatSignature(DEVICES[b.mcu].signature) !== facts.signature || b.protocol !== facts.protocol) return null;
    if (facts.baud === null || facts.baud === b.baud || b.protocol === 'avr109') score += 2;
    if (facts.board === build.board) score += 4;
  }
  return score;
}

/** "Arduino Mega 2560 (ATmega2560)", or for a signature-only build "ATmega328P (1e 95 0f)". */
export function buildLabel(build: ManifestBuild): string {
  const chip = build.signature !== undefined ? chipName(build.signature) : null;
  if (build.board !== undefined) {
    const b = BOARDS[build.board];
    return `${b.name} (${DEVICES[b.mcu].name}, ${b.protocol.toUpperCase()})`;
  }
  return `${chip ?? 'an unknown chip'} (${build.signature ?? ''})`;
}

export function describeBoard(facts: BoardFacts): string {
  const name = chipName(facts.signature) ?? 'an unknown chip';
  return `${name} (signature ${facts.signature}) with an ${facts.protocol.toUpperCase()} bootloader${facts.baud !== null ? ` at ${facts.baud} baud` : ''}`;
}

/** The FlashError for a board no build fits; nothing has been written. */
export function noBuildError(manifest: FirmwareManifest, pick: Extract<Pick, { kind: 'none' }>): FlashError {
  return new FlashError(
    'no-build-fits',
    `${manifest.name} ${manifest.version} has builds for ${pick.offers.join('; ')}. The board is ${pick.board}. Nothing was written.`,
  );
}

function chipName(signature: string): string | null {
  const bytes = signature.split(' ').map((h) => parseInt(h, 16));
  return deviceBySignature(bytes)?.device.name ?? null;
}
