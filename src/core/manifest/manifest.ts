// The firmware manifest a publisher hosts (schema/firmware-manifest.schema.json is its one
// description): name, version, and builds keyed by board preset and/or MCU signature, each with a
// .hex URL and an optional SHA-256. A focused validator whose errors name the field
// ("builds[1].sha256: must be 64 hex digits"); test/core/manifest.test.ts holds it to the schema file.
import { BOARD_IDS, isBoardId, type BoardId } from '../boards.js';
import { FlashError } from '../errors.js';

export interface ManifestBuild {
  readonly board?: BoardId;
  /** Three bytes as lowercase hex with spaces, as formatSignature() writes them ("1e 95 0f"). */
  readonly signature?: string;
  /** As written in the manifest: may be relative to the manifest's URL. */
  readonly url: string;
  /** Lowercase hex. */
  readonly sha256?: string;
}

export interface FirmwareManifest {
  readonly name: string;
  readonly version: string;
  readonly builds: readonly ManifestBuild[];
}

/** What the schema file says, as the validator applies it (the agreement test compares the two). */
export const MANIFEST_FIELDS = {
  required: ['name', 'version', 'builds'],
  properties: ['$schema', 'name', 'version', 'builds'],
  build: {
    required: ['url'],
    /** At least one of these. */
    keys: ['board', 'signature'],
    properties: ['board', 'signature', 'url', 'sha256'],
    boards: BOARD_IDS,
    patterns: { signature: '^[0-9a-fA-F]{2}( ?[0-9a-fA-F]{2}){2}$', sha256: '^[0-9a-fA-F]{64}$' },
  },
} as const;

const SIGNATURE = new RegExp(MANIFEST_FIELDS.build.patterns.signature);
const SHA256 = new RegExp(MANIFEST_FIELDS.build.patterns.sha256);

export type ManifestCheck = { readonly ok: true; readonly manifest: FirmwareManifest } | { readonly ok: false; readonly errors: readonly string[] };

/** Checks parsed JSON against the manifest schema; every error names its field. */
export function checkManifest(value: unknown): ManifestCheck {
  const errors: string[] = [];
  if (!isObject(value)) return { ok: false, errors: [`(top level): must be an object, not ${kind(value)}`] };
  unknownFields(value, MANIFEST_FIELDS.properties, '', errors);
  const name = text(value, 'name', '', errors);
  const version = text(value, 'version', '', errors);
  const builds: ManifestBuild[] = [];
  const list = value.builds;
  if (list === undefined) errors.push('builds: is required');
  else if (!Array.isArray(list)) errors.push(`builds: must be an array, not ${kind(list)}`);
  else if (list.length === 0) errors.push('builds: must list at least one build');
  else list.forEach((b: unknown, i) => {
    const build = checkBuild(b, `builds[${i}]`, errors);
    if (build) builds.push(build);
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, manifest: { name: name ?? '', version: version ?? '', builds } };
}

/** The manifest, or a FlashError 'manifest-invalid' that lists every field at fault. */
export function parseManifest(json: string, where: string): FirmwareManifest {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new FlashError('manifest-invalid', `${where} is not JSON (${e instanceof Error ? e.message : String(e)}).`, { cause: e });
  }
  const check = checkManifest(value);
  if (!check.ok) throw new FlashError('manifest-invalid', `${where}: ${check.errors.join('; ')}.`);
  return check.manifest;
}

function checkBuild(b: unknown, at: string, errors: string[]): ManifestBuild | null {
  if (!isObject(b)) {
    errors.push(`${at}: must be an object, not ${kind(b)}`);
    return null;
  }
  const before = errors.length;
  unknownFields(b, MANIFEST_FIELDS.build.properties, `${at}.`, errors);
  const url = text(b, 'url', `${at}.`, errors);
  let board: BoardId | undefined;
  if (b.board !== undefined) {
    if (typeof b.board === 'string' && isBoardId(b.board)) board = b.board;
    else errors.push(`${at}.board: "${String(b.board)}" is not a HexFlash board preset (one of ${BOARD_IDS.join(', ')})`);
  }
  let signature: string | undefined;
  if (b.signature !== undefined) {
    if (typeof b.signature === 'string' && SIGNATURE.test(b.signature)) signature = normalSignature(b.signature);
    else errors.push(`${at}.signature: must be three bytes in hex, like "1e950f" or "1e 95 0f"`);
  }
  if (b.board === undefined && b.signature === undefined) errors.push(`${at}: needs a board or a signature (or both)`);
  let sha256: string | undefined;
  if (b.sha256 !== undefined) {
    if (typeof b.sha256 === 'string' && SHA256.test(b.sha256)) sha256 = b.sha256.toLowerCase();
    else errors.push(`${at}.sha256: must be 64 hex digits`);
  }
  if (errors.length > before || url === undefined) return null;
  return { url, ...(board ? { board } : {}), ...(signature ? { signature } : {}), ...(sha256 ? { sha256 } : {}) };
}

/** "1E950F" or "1e 95 0f" -> "1e 95 0f". */
export function normalSignature(s: string): string {
  const hex = s.replace(/ /g, '').toLowerCase();
  return [hex.slice(0, 2), hex.slice(2, 4), hex.slice(4, 6)].join(' ');
}

function text(o: Record<string, unknown>, key: string, at: string, errors: string[]): string | undefined {
  const v = o[key];
  if (v === undefined) errors.push(`${at}${key}: is required`);
  else if (typeof v !== 'string') errors.push(`${at}${key}: must be a string, not ${kind(v)}`);
  else if (v.trim() === '') errors.push(`${at}${key}: must not be empty`);
  else return v;
  return undefined;
}

function unknownFields(o: Record<string, unknown>, known: readonly string[], at: string, errors: string[]): void {
  for (const k of Object.keys(o)) if (!known.includes(k)) errors.push(`${at}${k}: is not a manifest field (known: ${known.join(', ')})`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  return Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}
