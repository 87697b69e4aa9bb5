// The install element's job as a Lit ReactiveController: the manifest (loading, ready, or its
// problem), then one install at a time (install-service.ts) folded into the app's FlashView, with the
// build that was picked for the chip and the file being downloaded. <hexflash-install> only renders it.
import type { ReactiveControllerHost } from 'lit';
import type { BoardId } from '../core/boards.js';
import { preventUnload } from './flash-controller.js';
import { IDLE_VIEW, phaseLabel, reduceFlashView, startView, type FlashView } from './flash-view.js';
import { JobController } from './job-controller.js';
import { runInstall, type InstallDeps, type InstallUpdate } from './install-service.js';
import { manifestFromUrl, type LoadedManifest } from './manifest-source.js';
import { problemFromError, type Problem } from './problem.js';

export type ManifestState =
  | { readonly state: 'none' }
  | { readonly state: 'loading'; readonly url: string }
  | { readonly state: 'ready'; readonly url: string; readonly loaded: LoadedManifest }
  | { readonly state: 'invalid'; readonly url: string; readonly problem: Problem };

export interface PickedBuild {
  readonly label: string;
  readonly mcu: string;
  readonly signature: string;
  /** The build's file, once it is being downloaded. */
  readonly url: string | null;
  /** The downloaded file's name and SHA-256, once it is in hand. */
  readonly file: { readonly name: string; readonly sha256: string } | null;
}

export interface InstallHooks {
  deps(): InstallDeps;
  announce(text: string): void;
}

export class InstallController extends JobController {
  manifest: ManifestState = { state: 'none' };
  picked: PickedBuild | null = null;

  constructor(
    host: ReactiveControllerHost,
    private readonly hooks: InstallHooks,
  ) {
    super(host);
  }


  /** Downloads and checks the manifest at `url` unless it is in hand already. */
  async load(url: string, base: string): Promise<void> {
    const m = this.manifest;
    if (m.state !== 'none' && m.state !== 'invalid' && m.url === url) return;
    this.manifest = { state: 'loading', url };
    this.host.requestUpdate();
    try {
      this.manifest = { state: 'ready', url, loaded: await manifestFromUrl(url, base) };
    } catch (e) {
      const problem = problemFromError(e);
      this.manifest = { state: 'invalid', url, problem };
      this.hooks.announce(`The firmware manifest cannot be used: ${problem.title}`);
    }
    this.host.requestUpdate();
  }


  /** Back to the start (after a result), keeping the manifest. */
  clear(): void {
    if (this.running) return;
    this.view = IDLE_VIEW;
    this.picked = null;
    this.host.requestUpdate();
  }

  async install(board?: BoardId): Promise<void> {
    const m = this.manifest;
    if (m.state !== 'ready' || this.running) return;
    this.abort = new AbortController();
    this.picked = null;
    this.set(startView(true));
    window.addEventListener('beforeunload', preventUnload);
    try {
      const out = await runInstall({ manifest: m.loaded, verbose: false, ...(board ? { board } : {}) }, this.hooks.deps(), (u) => this.update(u), this.abort.signal);
      if (out.state === 'refused') this.set({ ...this.view, phase: 'error', running: false, secondsLeft: null, problem: out.problem, port: out.port });
      if (out.state === 'no-port') this.hooks.announce('No port was chosen.');
    } finally {
      window.removeEventListener('beforeunload', preventUnload);
      this.abort = null;
    }
    const v = this.view;
    this.hooks.announce(v.result ? `Installed and verified: ${v.result.mcu}.` : v.problem ? `Not installed: ${v.problem.title}` : phaseLabel(v));
  }

  private update(u: InstallUpdate): void {
    if (u.state === 'picked') {
      this.picked = { label: u.label, mcu: u.mcu, signature: u.signature, url: null, file: null };
      this.hooks.announce(`Build picked for the ${u.mcu}: ${u.label}.`);
    } else if (u.state === 'fetching') {
      if (this.picked) this.picked = { ...this.picked, url: u.url };
    } else if (u.state === 'fetched') {
      if (this.picked) this.picked = { ...this.picked, file: { name: u.firmware.name, sha256: u.firmware.sha256 } };
    } else if (u.state !== 'log') {
      const before = this.view.phase;
      this.view = reduceFlashView(this.view, u);
      if (this.view.running && this.view.phase !== before) this.hooks.announce(phaseLabel(this.view));
    }
    this.host.requestUpdate();
  }

  private set(view: FlashView): void {
    this.view = view;
    this.host.requestUpdate();
  }
}
