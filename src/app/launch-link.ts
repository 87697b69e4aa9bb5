// Links into the app, for a publisher without a page of their own: `?firmware=URL&board=ID` opens
// the app with that firmware in hand and the board preset chosen; `?manifest=URL[&board=ID]` loads the
// manifest's build for that board (or its only build), its SHA-256 checked. The user still presses
// Flash; the firmware goes into Recent like any other (the firmware controller stores what it loads).
import { BOARDS, isBoardId, type BoardId } from '../core/boards.js';
import { DEVICES, formatSignature } from '../core/devices.js';
import { FlashError } from '../core/errors.js';
import type { FirmwareManifest, ManifestBuild } from '../core/manifest/manifest.js';
import { buildLabel, noBuildError, pickBuild } from '../core/manifest/pick.js';
import type { BoardChoice } from './board-choice.js';
import { firmwareFromUrl, type LoadedFirmware } from './firmware-source.js';
import { fetchBuild, manifestFromUrl } from './manifest-source.js';

export interface LaunchHooks {
  board(choice: BoardChoice): void;
  load(get: () => Promise<LoadedFirmware>): Promise<void>;
}

/** Acts on the link's query; does nothing for a plain visit. */
export function openLaunchLink(href: string, hooks: LaunchHooks): void {
  const q = new URL(href).searchParams;
  const firmware = q.get('firmware');
  const manifest = q.get('manifest');
  const boardText = q.get('board');
  if (firmware === null && manifest === null && boardText === null) return;
  let board: BoardId | null = null;
  if (boardText !== null) {
    if (!isBoardId(boardText)) {
      void hooks.load(() => Promise.reject(new FlashError('unknown-board', `The link names the board "${boardText}", which is not a preset here.`)));
      return;
    }
    board = boardText;
    hooks.board({ kind: 'preset', board });
  }
  if (firmware !== null) void hooks.load(() => firmwareFromUrl(firmware, href));
  else if (manifest !== null) void hooks.load(() => firmwareFromManifest(manifest, href, board));
}

export async function firmwareFromManifest(text: string, base: string, board: BoardId | null): Promise<LoadedFirmware> {
  const m = await manifestFromUrl(text, base);
  return fetchBuild(m, buildFor(m.manifest, board));
}

/** The build for a board preset (its chip and bootloader), or the manifest's only build. */
export function buildFor(manifest: FirmwareManifest, board: BoardId | null): ManifestBuild {
  if (board !== null) {
    const b = BOARDS[board];
    const pick = pickBuild(manifest, { signature: formatSignature(DEVICES[b.mcu].signature), protocol: b.protocol, baud: b.baud, board });
    if (pick.kind === 'none') throw noBuildError(manifest, pick);
    return pick.build;
  }
  const [only, ...more] = manifest.builds;
  if (only && more.length === 0) return only;
  throw new FlashError(
    'no-build-fits',
    `${manifest.name} ${manifest.version} has builds for ${manifest.builds.map(buildLabel).join('; ')}, and the link does not say which board this is: add &board= and the board's preset id.`,
  );
}
