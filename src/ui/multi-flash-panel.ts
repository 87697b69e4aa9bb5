// The "several boards at once" panel, loaded on demand and hosted by <hexflash-multi-dock>: the
// job's controller (MultiFlashController) and its view: the boards added, each with its own
// progress and result (the single flash's components), "Flash all", "Cancel all", and the summary.
import { html, nothing } from 'lit';
import { choiceLabel, precheckImage, requestFor } from '../app/board-choice.js';
import { MultiFlashController, type MultiBoard } from '../app/multi-flash-controller.js';
import { manifestResolver } from '../app/manifest-resolver.js';
import { manifestFromUrl } from '../app/manifest-source.js';
import { problemFromError } from '../app/problem.js';
import { allVerified, fleetCounts, sameImage, type FleetRow } from '../core/fleet.js';
import './fleet-summary.js';
import './flash-progress.js';
import './flash-result.js';
import type { MultiDock } from './multi-dock.js';

export class MultiPanel {
  readonly job: MultiFlashController;
  /** The manifest whose builds the boards get, or why it could not be used. */
  private manifestNote = '';

  constructor(private readonly host: MultiDock) {
    this.job = new MultiFlashController(host, {
      deps: () => host.deps(),
      note: (level, text) => host.note(level, text),
      announce: (text) => host.announce(text),
      record: (rows) => this.record(rows),
      running: (on) => host.onRunning(on),
    });
  }

  render() {
    const { job: j, host: h } = this;
    const idle = !j.running && !h.disabled;
    const offers = h.granted.filter((g) => !j.has(g.port));
    const n = j.boards.length;
    const fw = h.firmware;
    return html`
      <p class="muted">
        ${h.images && !h.images.fixed ? "Each board's own build" : fw ? html`<strong>${fw.name}</strong>` : 'The firmware in hand'} goes on every board in the list at once, as
        ${choiceLabel(h.choice)}. Add each board once; one that fails stops no other.
      </p>
      <form class="actions" @submit=${(e: Event) => void this.useManifest(e)}>
        <label for="multi-manifest">Or each board's build from a manifest:</label>
        <input id="multi-manifest" name="manifest" type="url" placeholder="https://…/firmware.json" ?disabled=${!idle} />
        <button type="submit" ?disabled=${!idle}>Use manifest</button>
        ${h.images ? html`<button type="button" ?disabled=${!idle} @click=${() => this.dropManifest()}>Use the firmware in hand</button>` : nothing}
      </form>
      ${this.manifestNote ? html`<p class="muted" role="status" data-testid="multi-manifest-note">${this.manifestNote}</p>` : nothing}
      <div class="actions">
        <button id="add-board" ?disabled=${!idle} @click=${() => void j.choose()}>Add a board…</button>
        ${offers.map((g) => html`<button ?disabled=${!idle} @click=${() => j.add(g.port)}>Add ${g.label}</button>`)}
      </div>
      ${n === 0
        ? html`<p class="muted" data-testid="multi-empty">No boards in the list yet.</p>`
        : html`<ul class="boards" aria-label="Boards to flash">
            ${j.boards.map((b) => this.board(b, idle))}
          </ul>`}
      <div class="actions">
        <button id="flash-all" class="primary" ?disabled=${!idle || n === 0 || (!fw && !h.images)} @click=${() => void this.flashAll()}>
          Flash all ${n} board${n === 1 ? '' : 's'}
        </button>
        ${j.running ? html`<button @click=${() => j.cancel()}>Cancel all</button>` : nothing}
      </div>
      ${j.problem ? html`<hexflash-flash-result .problem=${j.problem}></hexflash-flash-result>` : nothing}
      ${j.rows.length > 0 ? html`<hexflash-fleet-summary .rows=${j.rows}></hexflash-fleet-summary>` : nothing}
    `;
  }

  private board(b: MultiBoard, idle: boolean) {
    return html`<li class="board" data-key=${b.key}>
      <div class="head">
        <h3 data-testid="board-label">${b.label}</h3>
        <button class="danger" ?disabled=${!idle} aria-label=${`Remove ${b.label}`} @click=${() => this.job.remove(b.key)}>Remove</button>
      </div>
      <hexflash-flash-progress .view=${b.view} label=${`Progress on ${b.label}`}></hexflash-flash-progress>
      <hexflash-flash-result .result=${b.view.result} .problem=${b.view.problem}></hexflash-flash-result>
    </li>`;
  }

  private async useManifest(e: Event): Promise<void> {
    e.preventDefault();
    const url = new FormData(e.target as HTMLFormElement).get('manifest');
    if (typeof url !== 'string' || url.trim() === '') return;
    try {
      const m = await manifestFromUrl(url, location.href);
      this.host.images = manifestResolver(m);
      this.manifestNote = `Each board gets its build from ${m.manifest.name} ${m.manifest.version} (${m.manifest.builds.length} builds), chosen by the chip that answers.`;
    } catch (err) {
      const p = problemFromError(err);
      this.manifestNote = `${p.title} ${p.detail}${p.hint ? ` ${p.hint}` : ''}`;
    }
    this.host.requestUpdate();
  }

  private dropManifest(): void {
    this.host.images = null;
    this.manifestNote = '';
    this.host.requestUpdate();
  }

  /** Recent's "last flashed ... on 3 boards: failed (2 of 3 boards verified)". */
  private async record(rows: readonly FleetRow[]): Promise<void> {
    const fw = this.host.firmware;
    // With a resolver of its own (a manifest's builds) the firmware in hand is not what was written.
    if (!fw || !this.host.library || this.host.images) return;
    await this.host.library.markFlashed(fw.sha256, { board: `${rows.length} boards`, at: Date.now(), ok: allVerified(rows), summary: fleetCounts(rows) });
  }

  private async flashAll(): Promise<void> {
    const { firmware: fw, choice } = this.host;
    const images = this.host.images ?? (fw ? sameImage(fw.image) : null);
    if (!images) return;
    await this.job.flashAll({
      images,
      request: requestFor(choice),
      verbose: false,
      // A per-board resolver's builds are checked by each board's session once its chip is known.
      precheck: () => (images.fixed ? precheckImage(images.fixed, choice) : undefined),
    });
  }
}
