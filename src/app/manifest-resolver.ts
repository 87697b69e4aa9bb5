// Each board's build from a publisher's manifest, for several boards at once: the board's chip,
// bootloader and baud pick the build (core/manifest/pick.ts); a board no build fits is refused with
// what the manifest offers, and nothing is written to it. Each build is downloaded and its SHA-256
// checked once, however many boards take it.
import type { ImageResolver, Refusal } from '../core/fleet.js';
import type { FirmwareImage } from '../core/hex/image.js';
import { pickBuild } from '../core/manifest/pick.js';
import { fetchBuild, type LoadedManifest } from './manifest-source.js';

export function manifestResolver(m: LoadedManifest, signal?: AbortSignal): ImageResolver {
  const builds = new Map<number, Promise<FirmwareImage>>();
  return async (board): Promise<FirmwareImage | Refusal> => {
    const pick = pickBuild(m.manifest, { signature: board.signature, protocol: board.protocol, baud: board.baud });
    if (pick.kind === 'none') return { refused: `${m.manifest.name} ${m.manifest.version} has builds for ${pick.offers.join('; ')}; the board is ${pick.board}.` };
    let image = builds.get(pick.index);
    if (!image) {
      image = fetchBuild(m, pick.build, signal).then((fw) => fw.image);
      builds.set(pick.index, image);
    }
    return image;
  };
}
