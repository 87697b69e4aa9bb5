// A publisher's firmware manifest from its URL: downloaded like firmware from a URL (https or the
// page's own origin), checked against the schema (core/manifest), and the picked build downloaded
// with its SHA-256 checked, so a file that is not the one named is refused before a byte is written.
import { FlashError } from '../core/errors.js';
import { parseManifest, type FirmwareManifest, type ManifestBuild } from '../core/manifest/manifest.js';
import { download, firmwareFromUrl, type LoadedFirmware } from './firmware-source.js';

export interface LoadedManifest {
  /** Where it was downloaded from: relative build URLs resolve against it. */
  readonly url: string;
  readonly manifest: FirmwareManifest;
}

export async function manifestFromUrl(text: string, base: string, signal?: AbortSignal): Promise<LoadedManifest> {
  const { url, data } = await download(text, base, 'manifest', signal);
  const manifest = parseManifest(new TextDecoder('utf-8').decode(data), url.href);
  const bad = manifest.builds.findIndex((b) => !URL.canParse(b.url, url.href));
  if (bad >= 0) throw new FlashError('manifest-invalid', `${url.href}: builds[${bad}].url: "${manifest.builds[bad]?.url ?? ''}" is not a URL.`);
  return { url: url.href, manifest };
}

export function buildUrl(m: LoadedManifest, build: ManifestBuild): string {
  return new URL(build.url, m.url).href;
}

/** Downloads `build`; throws a FlashError 'firmware-mismatch' when its SHA-256 is not the manifest's. */
export async function fetchBuild(m: LoadedManifest, build: ManifestBuild, signal?: AbortSignal): Promise<LoadedFirmware> {
  const url = buildUrl(m, build);
  const fw = await firmwareFromUrl(url, m.url, signal);
  if (build.sha256 !== undefined && fw.sha256 !== build.sha256) {
    throw new FlashError('firmware-mismatch', `${url} has SHA-256 ${fw.sha256}; the manifest names ${build.sha256}.`);
  }
  return fw;
}
