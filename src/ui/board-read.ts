// <hexflash-board-read>: "Read firmware from board": the button, the read's progress (rate, time
// left), and how it ended: what was read, the backup it is kept as in Recent, and its .hex to download.
import { html, LitElement, nothing } from 'lit';
import type { ReadDone } from '../app/backup-controller.js';
import { IDLE_VIEW, type FlashView } from '../app/flash-view.js';
import './flash-progress.js';
import './flash-result.js';
import { formatBytes, formatMs } from './format.js';
import { saveFile } from './save-file.js';
import { boardReadStyles } from './board-read.styles.js';
import { fire } from './ui-events.js';

/**
 * @fires backup-read - the user asked to read the firmware from the board
 * @fires backup-cancel - the user cancelled the read
 */
export class BoardRead extends LitElement {
  static override styles = boardReadStyles;
  static override properties = {
    view: { attribute: false },
    done: { attribute: false },
    disabled: { type: Boolean },
  };

  declare view: FlashView;
  declare done: ReadDone | null;
  declare disabled: boolean;

  constructor() {
    super();
    this.view = IDLE_VIEW;
    this.done = null;
    this.disabled = false;
  }

  override render() {
    const v = this.view;
    return html`
      <div class="actions">
        <button id="read" ?disabled=${this.disabled || v.running} @click=${() => fire(this, 'backup-read', undefined)}>Read firmware from board</button>
        ${v.running ? html`<button @click=${() => fire(this, 'backup-cancel', undefined)}>Cancel reading</button>` : nothing}
        <span class="muted">${v.noPort ? 'No port was chosen.' : 'Saves what the board runs now as a .hex, and keeps it in Recent.'}</span>
      </div>
      ${v.phase !== 'idle' ? html`<hexflash-flash-progress id="read-progress" label="Read progress" .view=${v}></hexflash-flash-progress>` : nothing}
      ${v.problem ? html`<hexflash-flash-result .problem=${v.problem}></hexflash-flash-result>` : nothing}
      ${this.done && !v.running ? this._renderDone(this.done) : nothing}
    `;
  }

  private _renderDone(d: ReadDone) {
    const r = d.read;
    return html`
      <section class="ok" data-testid="read-ok">
        <h3>Firmware read from the ${r.mcu} (signature ${r.signature})</h3>
        <p>
          ${formatBytes(r.bytesRead)} of flash read in ${formatMs(r.ms)}, the bootloader at 0x${r.appBytes.toString(16)} left out;
          ${d.entry ? `${formatBytes(r.bytes.length)} up to the last used page.` : 'all of it erased: the board holds no firmware.'}
        </p>
        ${d.keptAs ? html`<p data-testid="read-kept">Kept in Recent as “${d.keptAs}”${d.earlier ? ' (the same bytes as that earlier backup)' : ''}.</p>` : nothing}
        ${d.storeProblem ? html`<p role="alert">Not kept in Recent: ${d.storeProblem} Save it as a file instead.</p>` : nothing}
        ${d.entry ? html`<button class="primary" @click=${this._download}>Save ${d.entry.fileName}</button>` : nothing}
      </section>
    `;
  }

  private _download(): void {
    const e = this.done?.entry;
    if (e) saveFile(e.fileName, new Uint8Array(e.data), 'text/plain;charset=us-ascii');
  }
}

customElements.define('hexflash-board-read', BoardRead);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-board-read': BoardRead;
  }
}
