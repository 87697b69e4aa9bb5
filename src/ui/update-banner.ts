// <hexflash-update-banner>: "a new version is ready" with a Reload button. During a flash the
// reload is held until the flash ends (the app's updater enforces it; this only says so).
import { html, LitElement } from 'lit';
import { updateBannerStyles } from './update-banner.styles.js';
import { fire } from './ui-events.js';

/**
 * @fires update-apply - the user asked for the new version
 */
export class UpdateBanner extends LitElement {
  static override styles = updateBannerStyles;
  static override properties = {
    busy: { type: Boolean },
    _asked: { state: true },
  };

  declare busy: boolean;
  declare _asked: boolean;

  constructor() {
    super();
    this.busy = false;
    this._asked = false;
  }

  override render() {
    const text = this._asked && this.busy ? 'The new version loads when the flash ends.' : 'A new version of HexFlash is ready.';
    return html`<div role="status">
      <span>${text}</span>
      <button class="primary" ?disabled=${this._asked && this.busy} @click=${this._apply}>${this.busy ? 'Reload after the flash' : 'Reload'}</button>
    </div>`;
  }

  private _apply(): void {
    this._asked = true;
    fire(this, 'update-apply', undefined);
  }
}

customElements.define('hexflash-update-banner', UpdateBanner);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-update-banner': UpdateBanner;
  }
}
