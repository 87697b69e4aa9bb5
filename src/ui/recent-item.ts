// <hexflash-recent-item>: one stored firmware: name, size, dates, last flash, SHA-256, and
// Flash / Use / Rename / Delete; a backup read from a board says where from and offers Restore.
import { html, LitElement, nothing } from 'lit';
import type { FirmwareMeta } from '../store/firmware-library.js';
import { formatBytes, formatDate, shortHash } from './format.js';
import { recentItemStyles } from './recent-list.styles.js';
import { fire } from './ui-events.js';

/**
 * @fires recent-action - flash, restore, load, rename or delete this entry (detail: RecentAction)
 */
export class RecentItem extends LitElement {
  static override styles = recentItemStyles;
  static override properties = {
    meta: { attribute: false },
    current: { type: Boolean, reflect: true },
    disabled: { type: Boolean },
    _renaming: { state: true },
  };

  declare meta: FirmwareMeta | null;
  declare current: boolean;
  declare disabled: boolean;
  declare _renaming: boolean;

  constructor() {
    super();
    this.meta = null;
    this.current = false;
    this.disabled = false;
    this._renaming = false;
  }

  override render() {
    const m = this.meta;
    if (!m) return nothing;
    const last = m.lastFlash;
    return html`
      ${this._renaming
        ? html`<form @submit=${this._onRename} @keydown=${this._onKey}>
            <label for="name" class="sr-only">New name for ${m.name}</label>
            <input id="name" name="name" type="text" .value=${m.name} required />
            <button type="submit">Save</button>
            <button type="button" @click=${this._stopRename}>Cancel</button>
          </form>`
        : html`<h3 class="name" data-testid="recent-name">${m.name}</h3>`}
      ${m.backup
        ? html`<p class="facts" data-testid="recent-backup">
            <span class="badge">Backup</span> the application section of an ${m.backup.mcuName} (signature ${m.backup.signature}), without the
            bootloader; Restore writes it back to that chip only
          </p>`
        : nothing}
      <p class="facts muted">
        hex file ${formatBytes(m.size)} · added ${formatDate(m.addedAt)}
        ${last
          ? html`· last flashed ${formatDate(last.at)} on ${last.board}:
              <span class=${last.ok ? 'ok' : 'fail'}>${last.ok ? 'OK' : 'failed'}</span> (${last.summary})`
          : html`· not flashed yet`}
        · <span class="hash" title=${`SHA-256 ${m.sha256}`}>SHA-256 ${shortHash(m.sha256)}…</span>
      </p>
      <div class="actions">
        ${m.backup
          ? html`<button class="primary" ?disabled=${this.disabled} @click=${() => this._act('restore')} aria-label=${`Restore ${m.name}`}>Restore</button>`
          : html`<button class="primary" ?disabled=${this.disabled} @click=${() => this._act('flash')} aria-label=${`Flash ${m.name}`}>Flash</button>`}
        <button ?disabled=${this.disabled || this.current} @click=${() => this._act('load')} aria-label=${`Use ${m.name}`}>Use</button>
        <button ?disabled=${this.disabled} @click=${this._startRename} aria-label=${`Rename ${m.name}`}>Rename</button>
        <button class="danger" ?disabled=${this.disabled} @click=${() => this._act('delete')} aria-label=${`Delete ${m.name}`}>Delete</button>
      </div>
    `;
  }

  private _act(action: 'flash' | 'restore' | 'load' | 'delete'): void {
    if (this.meta) fire(this, 'recent-action', { action, sha256: this.meta.sha256 });
  }

  private _startRename(): void {
    this._renaming = true;
    void this.updateComplete.then(() => {
      const input = this.renderRoot.querySelector<HTMLInputElement>('input');
      input?.focus();
      input?.select();
    });
  }

  private _stopRename(): void {
    this._renaming = false;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('button[aria-label^="Rename"]')?.focus());
  }

  private _onKey(e: KeyboardEvent): void {
    if (e.key === 'Escape') this._stopRename();
  }

  private _onRename(e: SubmitEvent): void {
    e.preventDefault();
    const name = new FormData(e.target as HTMLFormElement).get('name');
    if (this.meta && typeof name === 'string' && name.trim() !== '') {
      fire(this, 'recent-action', { action: 'rename', sha256: this.meta.sha256, name });
    }
    this._stopRename();
  }
}

customElements.define('hexflash-recent-item', RecentItem);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-recent-item': RecentItem;
  }
}
