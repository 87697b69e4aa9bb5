// <hexflash-flash-result>: how a flash ended. Success shows signature, MCU, protocol, baud and
// times; failure shows the cause, the specifics and what to try next.
import { html, LitElement, nothing } from 'lit';
import type { FlashResult } from '../core/events.js';
import type { Problem } from '../app/problem.js';
import { flashResultStyles } from './flash-result.styles.js';
import { formatBytes, formatMs, formatRecovery } from './format.js';

export class FlashResultView extends LitElement {
  static override styles = flashResultStyles;
  static override properties = {
    result: { attribute: false },
    problem: { attribute: false },
    firmwareName: { attribute: false },
  };

  declare result: FlashResult | null;
  declare problem: Problem | null;
  declare firmwareName: string;

  constructor() {
    super();
    this.result = null;
    this.problem = null;
    this.firmwareName = '';
  }

  /** Moves keyboard focus to the result heading (called by the app when a flash ends). */
  focusHeading(): void {
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('h3')?.focus());
  }

  override render() {
    if (this.result) return this._renderResult(this.result);
    if (this.problem) return this._renderProblem(this.problem);
    return nothing;
  }

  private _renderResult(r: FlashResult) {
    const recovery = formatRecovery(r.recovery);
    return html`
      <section class="ok" data-testid="result-ok">
        <h3 tabindex="-1">${r.bytesVerified >= r.bytesWritten ? 'Flashed and verified' : 'Flashed, not verified'}${this.firmwareName ? html`: ${this.firmwareName}` : nothing}</h3>
        <dl>
          <dt>Chip</dt>
          <dd data-testid="result-mcu">${r.mcu}</dd>
          <dt>Signature</dt>
          <dd class="mono" data-testid="result-signature">${r.signature}</dd>
          <dt>Protocol</dt>
          <dd>${r.protocol.toUpperCase()}</dd>
          <dt>Baud</dt>
          <dd>${r.baud ?? 'set by the bridge'}</dd>
          <dt>Written</dt>
          <dd>${formatBytes(r.bytesWritten)}${r.bytesVerified > 0 ? `, ${formatBytes(r.bytesVerified)} verified` : ', not verified'}</dd>
          <dt>Times</dt>
          <dd>
            connect ${formatMs(r.ms.connect)}, write ${formatMs(r.ms.write)}, verify ${formatMs(r.ms.verify)}, total ${formatMs(r.ms.total)}
          </dd>
        </dl>
        ${recovery ? html`<p data-testid="result-recovery">Recovered: ${recovery}</p>` : nothing}
        ${r.warnings.length > 0 ? html`<p>Notes: ${r.warnings.join('; ')}</p>` : nothing}
        <p>${r.started ? 'The firmware is running. The board can be unplugged.' : 'Press reset or unplug the board to start the firmware.'}</p>
      </section>
    `;
  }

  private _renderProblem(p: Problem) {
    return html`
      <section class="err" data-testid="result-error" data-code=${p.code}>
        <h3 tabindex="-1">${p.title}</h3>
        ${p.detail ? html`<p data-testid="error-detail">${p.detail}</p>` : nothing}
        <p><strong>What to try:</strong> ${p.hint}</p>
      </section>
    `;
  }
}

customElements.define('hexflash-flash-result', FlashResultView);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-flash-result': FlashResultView;
  }
}
