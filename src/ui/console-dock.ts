// <hexflash-console-dock>: the page's entry to the serial console. Small on purpose (it is in the
// app shell): "Open console" (on the port of the last good flash when there is one, or a port the
// user picks), and only then loads the console itself with import(), as a chunk of its own.
import { css, html, LitElement, nothing } from 'lit';
import type { ConsoleDeps } from '../app/console-service.js';
import { portInfo } from '../app/port-info.js';
import type { SerialConsole } from './serial-console.js';
import { sharedStyles } from './shared.styles.js';

export class ConsoleDock extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 0.8rem;
        margin-bottom: 0.6rem;
      }
    `,
  ];
  static override properties = {
    lastPort: { attribute: false },
    disabled: { type: Boolean },
    _shown: { state: true },
    _status: { state: true },
  };

  /** The port of the last successful flash: "Open console" reopens it without the chooser. */
  declare lastPort: SerialPort | null;
  /** A flash runs, or the browser has no Web Serial. */
  declare disabled: boolean;
  declare _shown: boolean;
  declare _status: string;
  deps: () => ConsoleDeps = () => {
    throw new Error('no serial deps given');
  };
  announce: (text: string) => void = () => undefined;

  constructor() {
    super();
    this.lastPort = null;
    this.disabled = false;
    this._shown = false;
    this._status = '';
  }

  override render() {
    const label = this.lastPort ? portInfo(this.lastPort).label : '';
    return html`
      <h2 id="console-h">Serial console</h2>
      <div class="actions">
        ${this.lastPort
          ? html`<button class=${this._shown ? '' : 'primary'} id="open-console" ?disabled=${this.disabled} @click=${() => void this._open(this.lastPort)}>Open console on ${label}</button>
              <button ?disabled=${this.disabled} @click=${() => void this._open(null)}>Choose another port…</button>`
          : html`<button id="open-console" ?disabled=${this.disabled} @click=${() => void this._open(null)}>Open console</button>`}
        ${this._shown ? html`<button @click=${() => void this._close()}>Close console</button>` : nothing}
        ${this._shown && !this._status ? nothing : html`<span class="muted">${this._status || 'See what the board prints (a Marlin printer\u2019s start-up, an Arduino sketch) and send it lines.'}</span>`}
      </div>
      ${this._shown ? html`<hexflash-serial-console .deps=${this.deps} .announce=${this.announce}></hexflash-serial-console>` : nothing}
    `;
  }

  /** Releases the console's port (before a flash). */
  async release(): Promise<void> {
    await this._console()?.release();
  }

  private _console(): SerialConsole | null {
    return this.renderRoot.querySelector('hexflash-serial-console');
  }

  private async _open(port: SerialPort | null): Promise<void> {
    try {
      await import('./serial-console.js');
    } catch {
      this._status = 'The console could not be loaded; reload the page and try again.';
      return;
    }
    await this._console()?.release();
    this._shown = true;
    this._status = '';
    await this.updateComplete;
    await this._console()?.job.open(port);
  }

  private async _close(): Promise<void> {
    await this.release();
    this._shown = false;
    this.announce('Console closed; the port is free.');
  }
}

customElements.define('hexflash-console-dock', ConsoleDock);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-console-dock': ConsoleDock;
  }
}
