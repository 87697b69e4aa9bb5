// <hexflash-multi-dock>: "several boards at once". Small on purpose (it is in the app shell): a
// heading, a line of what it does, and a button that loads the panel (multi-flash-panel.ts: the
// job's controller and its view) with import(), as a chunk of its own, hosted by this element.
import { html, LitElement } from 'lit';
import type { BoardChoice } from '../app/board-choice.js';
import type { LoadedFirmware } from '../app/firmware-source.js';
import type { FlashDeps } from '../app/flash-service.js';
import type { GrantedPort } from '../app/granted-ports.js';
import type { ImageResolver } from '../core/fleet.js';
import type { FirmwareLibrary } from '../store/firmware-library.js';
import type { MultiPanel } from './multi-flash-panel.js';
import { multiPanelStyles } from './multi-flash-panel.styles.js';

export class MultiDock extends LitElement {
  static override styles = multiPanelStyles;
  static override properties = {
    firmware: { attribute: false },
    choice: { attribute: false },
    granted: { attribute: false },
    images: { attribute: false },
    disabled: { type: Boolean },
    _status: { state: true },
  };

  declare firmware: LoadedFirmware | null;
  declare choice: BoardChoice;
  declare granted: readonly GrantedPort[];
  /** Which image each board gets; null: the firmware in hand on all (a manifest's builds plug in here). */
  declare images: ImageResolver | null;
  /** A single flash or a read runs, or the browser has no Web Serial. */
  declare disabled: boolean;
  declare _status: string;
  deps: () => FlashDeps = () => {
    throw new Error('no serial deps given');
  };
  note: (level: 'info' | 'debug' | 'error', text: string) => void = () => undefined;
  announce: (text: string) => void = () => undefined;
  /** Told when a run starts or ends (the page holds back other flashes and reloads meanwhile). */
  onRunning: (on: boolean) => void = () => undefined;
  /** Where the run's outcome is kept for Recent. */
  library: FirmwareLibrary | null = null;
  private panel: MultiPanel | null = null;

  constructor() {
    super();
    this.firmware = null;
    this.choice = { kind: 'auto' };
    this.granted = [];
    this.images = null;
    this.disabled = false;
    this._status = '';
  }

  /** True while the boards are being flashed. */
  get running(): boolean {
    return this.panel?.job.running === true;
  }

  override render() {
    return html`
      <h2 id="multi-h">Several boards at once</h2>
      ${this.panel
        ? this.panel.render()
        : html`<div class="actions">
            <button id="open-multi" ?disabled=${this.disabled} @click=${() => void this._open()}>Flash several boards…</button>
            <span class="muted">${this._status || 'The same firmware on a row of printers or boards, in parallel, each with its own progress and result.'}</span>
          </div>`}
    `;
  }

  private async _open(): Promise<void> {
    try {
      const { MultiPanel } = await import('./multi-flash-panel.js');
      this.panel ??= new MultiPanel(this);
    } catch {
      this._status = 'This part of the page could not be loaded; reload the page and try again.';
      return;
    }
    this.requestUpdate();
  }
}

customElements.define('hexflash-multi-dock', MultiDock);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-multi-dock': MultiDock;
  }
}
