// <hexflash-recent-list>: the firmware library, newest first, with a notice when storage fails.
import { html, LitElement, nothing } from 'lit';
import type { FirmwareMeta } from '../store/firmware-library.js';
import './recent-item.js';
import { recentListStyles } from './recent-list.styles.js';

export class RecentList extends LitElement {
  static override styles = recentListStyles;
  static override properties = {
    items: { attribute: false },
    currentSha: { attribute: false },
    disabled: { type: Boolean },
    notice: { attribute: false },
  };

  declare items: readonly FirmwareMeta[];
  declare currentSha: string | null;
  declare disabled: boolean;
  /** A storage problem to show (quota, private mode, blocked database). */
  declare notice: string | null;

  constructor() {
    super();
    this.items = [];
    this.currentSha = null;
    this.disabled = false;
    this.notice = null;
  }

  override render() {
    return html`
      ${this.notice ? html`<p class="notice" role="alert" data-testid="store-notice">${this.notice}</p>` : nothing}
      ${this.items.length === 0
        ? html`<p class="muted">Firmware you load is kept here, on this computer only, for flashing again.</p>`
        : html`<ul data-testid="recent">
            ${this.items.map(
              (m) => html`<li>
                <hexflash-recent-item .meta=${m} ?current=${m.sha256 === this.currentSha} ?disabled=${this.disabled}></hexflash-recent-item>
              </li>`,
            )}
          </ul>`}
    `;
  }
}

customElements.define('hexflash-recent-list', RecentList);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-recent-list': RecentList;
  }
}
