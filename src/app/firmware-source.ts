// Turns a picked file, a dropped file, a URL or a Recent entry into firmware in hand: the file
// bytes, their SHA-256 and the parsed image. Parse and download failures come back as Problems.
// download() is shared with the firmware manifest (manifest-source.ts).
import { isFlashError } from '../core/errors.js';
import type { FirmwareImage } from '../core/hex/image.js';
import { parseIntelHex } from '../core/hex/intel-hex.js';
import { sha256Hex } from '../store/sha256.js';
import { Problem, problemFromError } from './problem.js';

export interface LoadedFirmware {
  readonly name: string;
  readonly data: Uint8Array;
  readonly sha256: string;
  readonly image: FirmwareImage;
}

/** A .hex for the largest supported chip is under 1 MB; anything far larger is not firmware. */
export const MAX_FIRMWARE_BYTES = 4 * 1024 * 1024;

export async function firmwareFromBytes(name: string, data: Uint8Array): Promise<LoadedFirmware> {
  if (data.length > MAX_FIRMWARE_BYTES) throw tooLarge(name, data.length);
  const text = new TextDecoder('utf-8').decode(data);
  let image: FirmwareImage;
  try {
    image = parseIntelHex(text);
  } catch (e) {
    if (isFlashError(e)) throw problemFromError(e);
    throw e;
  }
  return { name, data, sha256: await sha256Hex(data), image };
}

export async function firmwareFromFile(file: Blob & { readonly name: string }): Promise<LoadedFirmware> {
  if (file.size > MAX_FIRMWARE_BYTES) throw tooLarge(file.name, file.size);
  return firmwareFromBytes(file.name, new Uint8Array(await file.arrayBuffer()));
}

/** Downloads firmware from a URL the user typed; the host must allow cross-origin requests (CORS). */
export async function firmwareFromUrl(text: string, base: string, signal?: AbortSignal): Promise<LoadedFirmware> {
  const { url, data } = await download(text, base, 'firmware', signal);
  return firmwareFromBytes(nameFromUrl(url), data);
}

/**
 * The bytes at `text` (resolved against `base`): https, or the page's own origin. Failures come back
 * as Problems naming `what` ("firmware", "manifest") and the next step.
 */
export async function download(text: string, base: string, what: string, signal?: AbortSignal): Promise<{ readonly url: URL; readonly data: Uint8Array }> {
  let url: URL;
  try {
    url = new URL(text.trim(), base);
  } catch {
    throw new Problem('That is not a web address.', `"${text}" could not be read as a URL.`, 'Paste the full address, starting with https://.');
  }
  const sameOrigin = url.origin === new URL(base).origin;
  if (url.protocol !== 'https:' && !sameOrigin) {
    throw new Problem('Only https addresses can be downloaded.', `${url.href} is not an https address.`, `Use the https:// address of the ${what}, or download it and pick the file.`);
  }
  let response: Response;
  try {
    response = await fetch(url.href, { credentials: 'omit', ...(signal ? { signal } : {}) });
  } catch (e) {
    throw new Problem(
      `The ${what} could not be downloaded.`,
      `${url.href}: ${e instanceof Error ? e.message : String(e)}.`,
      'The server may not allow downloads from other sites (CORS), or the network is off. Download the file and pick it instead.',
      { cause: e },
    );
  }
  if (!response.ok) {
    throw new Problem('The server refused the download.', `${url.href} answered HTTP ${response.status} ${response.statusText}.`, 'Check the address.');
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_FIRMWARE_BYTES) throw tooLarge(nameFromUrl(url), declared);
  return { url, data: new Uint8Array(await response.arrayBuffer()) };
}

function tooLarge(name: string, size: number): Problem {
  return new Problem(
    'This file is too large to be AVR firmware.',
    `"${name}" has ${size} bytes; an Intel HEX file for the largest supported chip is under 1 MB.`,
    'Pick the compiled firmware (.hex) for the board.',
  );
}

function nameFromUrl(url: URL): string {
  const last = url.pathname.split('/').filter(Boolean).pop();
  if (!last) return 'firmware.hex';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
