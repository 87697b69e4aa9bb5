// One install from a firmware manifest, on one port: the chooser, open (flash-service's
// onBoardPort, so the port is released on every path), find the bootloader and read the signature
// (core/identify.ts), pick the build for that chip, download it and check its SHA-256, then flash and
// verify on the same open port. Nothing is written unless a build fits and its file is the one named.
// A plain async function that reports through a callback; never throws.
import type { FlashResult } from '../core/events.js';
import { identifyBoard } from '../core/identify.js';
import type { ManifestBuild } from '../core/manifest/manifest.js';
import { noBuildError, pickBuild } from '../core/manifest/pick.js';
import type { BoardId } from '../core/boards.js';
import { flashFirmware } from '../core/session.js';
import type { LoadedFirmware } from './firmware-source.js';
import { problemFromError, type Problem } from './problem.js';
import { onBoardPort, type FlashDeps, type FlashUpdate } from './flash-service.js';
import { buildUrl, fetchBuild, type LoadedManifest } from './manifest-source.js';
import type { PortInfo } from './port-info.js';

export type InstallUpdate =
  | FlashUpdate
  | { readonly state: 'picked'; readonly build: ManifestBuild; readonly label: string; readonly mcu: string; readonly signature: string }
  | { readonly state: 'fetching'; readonly url: string }
  | { readonly state: 'fetched'; readonly firmware: LoadedFirmware };

export interface InstallJob {
  readonly manifest: LoadedManifest;
  /** A board preset the page names: its build wins among those that fit. */
  readonly board?: BoardId;
  readonly verbose: boolean;
}

export interface InstallDeps extends FlashDeps {
  /** Downloads the picked build and checks its SHA-256 (manifest-source.ts; tests may count calls). */
  fetchBuild?: typeof fetchBuild;
}

export type InstallOutcome =
  | { readonly state: 'done'; readonly result: FlashResult; readonly firmware: LoadedFirmware; readonly port: PortInfo }
  /** The picked build could not be downloaded or is not the file named: nothing was written. */
  | { readonly state: 'refused'; readonly problem: Problem; readonly port: PortInfo }
  | Extract<FlashUpdate, { state: 'error' | 'no-port' }>;

type Worked = { readonly kind: 'flashed'; readonly result: FlashResult; readonly firmware: LoadedFirmware } | { readonly kind: 'refused'; readonly problem: Problem };

export async function runInstall(job: InstallJob, deps: InstallDeps, report: (u: InstallUpdate) => void, signal?: AbortSignal): Promise<InstallOutcome> {
  const fetch = deps.fetchBuild ?? fetchBuild;
  const request = job.board ? { board: job.board } : { protocol: 'auto' as const };
  const out = await onBoardPort(request, deps, report, signal, undefined, async (link, info): Promise<Worked> => {
    const usb = { ...(info.usbVendorId !== undefined ? { vid: info.usbVendorId } : {}), ...(info.usbProductId !== undefined ? { pid: info.usbProductId } : {}) };
    const ctx = { link, clock: deps.clock, verbose: job.verbose, ...(signal ? { signal } : {}) };
    // Detection follows the bootloader, not the preset: a build is picked for what answered.
    const found = await identifyBoard({ protocol: 'auto', usb }, { ...ctx, onEvent: report });
    const pick = pickBuild(job.manifest.manifest, { signature: found.signature, protocol: found.protocol, baud: found.baud, ...(job.board ? { board: job.board } : {}) });
    if (pick.kind === 'none') {
      await found.leave();
      throw noBuildError(job.manifest.manifest, pick);
    }
    report({ state: 'picked', build: pick.build, label: pick.label, mcu: found.mcu, signature: found.signature });
    report({ state: 'fetching', url: buildUrl(job.manifest, pick.build) });
    let firmware: LoadedFirmware;
    try {
      firmware = await fetch(job.manifest, pick.build, signal);
    } catch (e) {
      await found.leave();
      return { kind: 'refused', problem: problemFromError(e) };
    }
    report({ state: 'fetched', firmware });
    const result = await flashFirmware(
      {
        image: firmware.image,
        ...(pick.build.board ? { board: pick.build.board } : {}),
        mcu: found.mcuId,
        protocol: found.protocol,
        ...(found.baud !== null ? { baud: found.baud } : {}),
        usb,
      },
      { ...ctx, onEvent: (e) => e.state !== 'done' && report(e) },
    );
    return { kind: 'flashed', result, firmware };
  });
  if (out.state !== 'done') return finish(report, out);
  const v = out.value;
  if (v.kind === 'refused') return { state: 'refused', problem: v.problem, port: out.port };
  report({ state: 'done', result: v.result, port: out.port });
  return { state: 'done', result: v.result, firmware: v.firmware, port: out.port };
}

function finish<O extends InstallUpdate>(report: (u: InstallUpdate) => void, o: O): O {
  report(o);
  return o;
}
