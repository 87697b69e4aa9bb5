// <hexflash-log-panel>: the session log (every command and answer at the verbose level), with
// Copy and Download of a report that adds the browser, the port's USB IDs and the app version.
import { html, LitElement, nothing } from 'lit';
import type { LogBook } from '../app/log-book.js';
import { logPanelStyles } from './log-panel.styles.js';
import { saveFile } from './save-file.js';
import { fire } from './ui-events.js';

/**
 * @fires log-verbose - the verbose switch changed (detail: boolean)
 * @fires log-clear - the user cleared the log
 */
export class LogPanel extends LitElement {
  static override styles = logPanelStyles;
  static override properties = {
    book: { attribute: false },
    version: { type: Number },
    verbose: { type: Boolean },
    report: { attribute: false },
    fileName: { attribute: false },
    _open: { state: true },
    _status: { state: true },
  };

  declare book: LogBook | null;
  /** The book's version; a new value re-renders the text. */
  declare version: number;
  declare verbose: boolean;
  /** Builds the full report text (header plus log). */
  declare report: () => string;
  declare fileName: () => string;
  declare _open: boolean;
  declare _status: string;

  constructor() {
    super();
    this.book = null;
    this.version = 0;
    this.verbose = true;
    this.report = () => this.book?.text() ?? '';
    this.fileName = () => 'hexflash-log.txt';
    this._open = false;
    this._status = '';
  }

  private _stick = true;

  /** Follows the end of the log unless the user scrolled up to read. */
  protected override willUpdate(): void {
    const pre = this.renderRoot?.querySelector('pre');
    this._stick = !pre || pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 24;
  }

  protected override updated(): void {
    const pre = this.renderRoot.querySelector('pre');
    if (pre && this._stick) pre.scrollTop = pre.scrollHeight;
  }

  override render() {
    const lines = this.book?.size ?? 0;
    return html`
      <details @toggle=${this._onToggle} ?open=${this._open}>
        <summary>Log (${lines} lines)</summary>
        <div class="tools">
          <label><input type="checkbox" .checked=${this.verbose} @change=${this._onVerbose} /> Every command and answer</label>
          <button @click=${this._copy}>Copy</button>
          <button @click=${this._download}>Download</button>
          <button @click=${() => fire(this, 'log-clear', undefined)}>Clear</button>
          <span role="status" class="muted">${this._status}</span>
        </div>
        ${this._open ? html`<pre tabindex="0" aria-label="Log text" data-testid="log">${this.book?.text() ?? ''}</pre>` : nothing}
      </details>
    `;
  }

  private _onToggle(e: Event): void {
    this._open = (e.target as HTMLDetailsElement).open;
  }

  private _onVerbose(e: Event): void {
    fire(this, 'log-verbose', (e.target as HTMLInputElement).checked);
  }

  private async _copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.report());
      this._status = 'Copied to the clipboard.';
    } catch {
      this._status = 'The browser refused the clipboard; use Download instead.';
    }
  }

  private _download(): void {
    const name = this.fileName();
    saveFile(name, this.report());
    this._status = `Saved as ${name}.`;
  }
}

customElements.define('hexflash-log-panel', LogPanel);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-log-panel': LogPanel;
  }
}
