// <hexflash-backup-option>: the "Keep the firmware that is on the board now" checkbox shown before a flash.
import { html, LitElement } from 'lit';
import { backupOptionStyles } from './backup-option.styles.js';
import { fire } from './ui-events.js';

/**
 * @fires backup-keep - the option was switched (detail: boolean)
 */
export class BackupOption extends LitElement {
  static override styles = backupOptionStyles;
  static override properties = {
    checked: { type: Boolean },
    disabled: { type: Boolean },
  };

  declare checked: boolean;
  declare disabled: boolean;

  constructor() {
    super();
    this.checked = false;
    this.disabled = false;
  }

  override render() {
    return html`
      <label>
        <input id="keep" type="checkbox" aria-describedby="keep-note" .checked=${this.checked} ?disabled=${this.disabled} @change=${this._onChange} />
        Keep the firmware that is on the board now
      </label>
      <p id="keep-note" class="muted">
        Before writing, the firmware on the board is read (never the bootloader) and kept in Recent as a backup; its Restore button brings it back.
      </p>
    `;
  }

  private _onChange(e: Event): void {
    fire(this, 'backup-keep', (e.target as HTMLInputElement).checked);
  }
}

customElements.define('hexflash-backup-option', BackupOption);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-backup-option': BackupOption;
  }
}
