// <hexflash-firmware-picker>: a file picker and drop zone, a URL form, and the firmware in hand.
import { html, LitElement, nothing } from 'lit';
import type { LoadedFirmware } from '../app/firmware-source.js';
import { firmwarePickerStyles } from './firmware-picker.styles.js';
import { formatBytes, shortHash } from './format.js';
import { fire } from './ui-events.js';

/**
 * @fires firmware-file - a file was picked or dropped (detail: File)
 * @fires firmware-url - a URL was submitted (detail: string)
 */
export class FirmwarePicker extends LitElement {
  static override styles = firmwarePickerStyles;
  static override properties = {
    firmware: { attribute: false },
    disabled: { type: Boolean },
    _over: { state: true },
  };

  declare firmware: LoadedFirmware | null;
  declare disabled: boolean;
  declare _over: boolean;

  constructor() {
    super();
    this.firmware = null;
    this.disabled = false;
    this._over = false;
  }

  override render() {
    const f = this.firmware;
    return html`
      <div
        class="drop ${this._over ? 'over' : ''}"
        @dragover=${this._onDragOver}
        @dragleave=${this._onDragLeave}
        @drop=${this._onDrop}
      >
        <label for="file" class="sr-only">Firmware file (.hex)</label>
        <input id="file" type="file" accept=".hex,.ihx,.ihex" ?disabled=${this.disabled} @change=${this._onFile} />
        <span class="muted">or drop a .hex file here</span>
      </div>
      <details>
        <summary>From a web address</summary>
        <form @submit=${this._onUrl}>
          <label for="url" class="sr-only">Firmware URL (https)</label>
          <input id="url" name="url" type="url" required placeholder="https://example.org/firmware.hex" ?disabled=${this.disabled} />
          <button type="submit" ?disabled=${this.disabled}>Download</button>
        </form>
        <p class="muted">The server must allow downloads from other sites (CORS).</p>
      </details>
      ${f
        ? html`<div class="current" data-testid="current-firmware">
            <strong>${f.name}</strong>
            <span>${formatBytes(f.image.dataBytes)} of firmware (file ${formatBytes(f.data.length)})</span>
            <span class="hash" title=${`SHA-256 ${f.sha256}`}>· SHA-256 ${shortHash(f.sha256)}…</span>
          </div>`
        : nothing}
    `;
  }

  private _onFile(e: Event): void {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (file) fire(this, 'firmware-file', file);
    input.value = '';
  }

  private _onDragOver(e: DragEvent): void {
    if (this.disabled) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    this._over = true;
  }

  private _onDragLeave(): void {
    this._over = false;
  }

  private _onDrop(e: DragEvent): void {
    e.preventDefault();
    this._over = false;
    const file = e.dataTransfer?.files[0];
    if (file && !this.disabled) fire(this, 'firmware-file', file);
  }

  private _onUrl(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const url = new FormData(form).get('url');
    if (typeof url === 'string' && url.trim() !== '') fire(this, 'firmware-url', url);
  }
}

customElements.define('hexflash-firmware-picker', FirmwarePicker);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-firmware-picker': FirmwarePicker;
  }
}
