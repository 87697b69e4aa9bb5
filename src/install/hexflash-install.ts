// <hexflash-install manifest="firmware.json">: the install button a firmware publisher embeds on
// their own page, built as its own module (dist/install-button.js). A click opens a dialog that reads
// the manifest; "Connect and install" asks for the port, reads the chip, picks its build, checks the
// file and flashes it, with the app's own progress and result components. The dialog cannot be
// closed while a flash runs. The job lives in InstallController; this element only renders it.
import { html, LitElement, nothing } from 'lit';
import { isBoardId } from '../core/boards.js';
import { buildLabel } from '../core/manifest/pick.js';
import { InstallController } from '../app/install-controller.js';
import type { InstallDeps } from '../app/install-service.js';
import { serialSupport, type SerialSupport } from '../app/serial-support.js';
import { webSerialDeps } from '../app/web-serial-deps.js';
import '../ui/flash-progress.js';
import '../ui/flash-result.js';
import { installStyles } from './hexflash-install.styles.js';

/**
 * @slot - the button's text (default "Install")
 * @slot unsupported - shown instead of the button where the browser has no Web Serial
 * @csspart button - the install button
 */
export class HexflashInstall extends LitElement {
  static override styles = installStyles;
  static override properties = {
    manifest: { type: String },
    board: { type: String },
    _announce: { state: true },
  };

  /** The manifest's URL, relative to the page. */
  declare manifest: string;
  /** Optional board preset id: its build wins when several fit the chip. */
  declare board: string;
  declare _announce: string;
  /** Replaceable before the first install (tests). */
  deps: InstallDeps | null = null;
  private readonly support: SerialSupport = serialSupport();
  private readonly job = new InstallController(this, {
    deps: () => (this.deps ??= webSerialDeps()),
    announce: (text) => (this._announce = text),
  });

  constructor() {
    super();
    this.manifest = '';
    this.board = '';
    this._announce = '';
  }

  override render() {
    if (this.support !== 'ok') {
      const why = this.support === 'insecure-context' ? 'this page is not served over https' : 'this browser has no Web Serial';
      return html`<slot name="unsupported"><span class="unsupported" role="note">Installing from this page needs a serial port, and ${why}. Use Chrome or Edge on a computer.</span></slot>`;
    }
    return html`
      <button part="button" class="primary" @click=${this._open}><slot>Install</slot></button>
      <dialog aria-labelledby="install-title" @cancel=${this._onCancel} @close=${this._onClose}>${this._body()}</dialog>
    `;
  }

  private _body() {
    const m = this.job.manifest;
    const v = this.job.view;
    const ready = m.state === 'ready' ? m.loaded.manifest : null;
    const started = v.phase !== 'idle';
    // A refusal before any byte moved (no build fits, a file that is not the one named) needs no progress bar.
    const progress = v.running || v.total > 0;
    return html`
      <h2 id="install-title">${ready ? `Install ${ready.name} ${ready.version}` : 'Install firmware'}</h2>
      ${m.state === 'loading' ? html`<p data-testid="manifest-loading">Reading the firmware manifest…</p>` : nothing}
      ${m.state === 'invalid' ? html`<hexflash-flash-result data-testid="manifest-problem" .problem=${m.problem}></hexflash-flash-result>` : nothing}
      ${ready && !started
        ? html`<p>Plug the board in by USB, press <strong>Connect and install</strong> and choose its port. The chip is read first, and the build made for it is flashed and verified.</p>
            <div>Builds offered:<ul data-testid="builds">${ready.builds.map((b) => html`<li>${buildLabel(b)}</li>`)}</ul></div>`
        : nothing}
      ${this._picked()}
      ${progress ? html`<hexflash-flash-progress .view=${v} label="Install progress"></hexflash-flash-progress>` : nothing}
      <hexflash-flash-result id="result" .result=${v.result} .problem=${v.problem} .firmwareName=${this.job.picked?.file?.name ?? ''}></hexflash-flash-result>
      <div class="actions">
        ${ready && !v.running
          ? html`<button class="primary" data-testid="connect" @click=${this._install}>${started ? 'Install again' : 'Connect and install'}</button>`
          : nothing}
        ${v.running ? html`<button @click=${() => this.job.cancel()}>Cancel</button>` : nothing}
        <button data-testid="close" ?disabled=${v.running} @click=${this._close}>Close</button>
      </div>
      <div class="sr-only" aria-live="polite">${this._announce}</div>
    `;
  }

  private _picked() {
    const p = this.job.picked;
    if (!p) return nothing;
    return html`<div class="picked" data-testid="picked">
      <p>The board has an <strong>${p.mcu}</strong> (signature <span class="mono">${p.signature}</span>): installing the build for <strong>${p.label}</strong>.</p>
      ${p.url ? html`<p class="muted">File: <span class="mono">${p.url}</span></p>` : nothing}
      ${p.file ? html`<p class="muted">SHA-256 <span class="mono">${p.file.sha256}</span></p>` : nothing}
    </div>`;
  }

  private get _dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  private readonly _open = (): void => {
    this.job.clear();
    this._dialog?.showModal();
    if (this.manifest) void this.job.load(new URL(this.manifest, document.baseURI).href, location.href);
  };

  private readonly _install = (): void => {
    void this.job.install(isBoardId(this.board) ? this.board : undefined);
  };

  private readonly _close = (): void => {
    if (!this.job.running) this._dialog?.close();
  };

  /** Escape (or the browser's close request) while a flash runs is refused. */
  private readonly _onCancel = (e: Event): void => {
    if (this.job.running) e.preventDefault();
  };

  /** A close that got through anyway (a repeated Escape is not cancelable in Chrome) reopens the dialog. */
  private readonly _onClose = (): void => {
    if (this.job.running) this._dialog?.showModal();
  };
}

customElements.define('hexflash-install', HexflashInstall);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-install': HexflashInstall;
  }
}
