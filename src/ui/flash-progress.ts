// <hexflash-flash-progress>: phase, progress bar, percent, bytes, rate and time left of a flash.
// Renders a FlashView; announcements for screen readers are made by the app (one live region).
import { html, LitElement } from 'lit';
import { IDLE_VIEW, phaseLabel, type FlashView } from '../app/flash-view.js';
import { flashProgressStyles } from './flash-progress.styles.js';
import { formatBytes, formatRate, formatSeconds } from './format.js';

export class FlashProgress extends LitElement {
  static override styles = flashProgressStyles;
  static override properties = {
    view: { attribute: false },
    phase: { type: String, reflect: true },
    label: { type: String },
  };

  declare view: FlashView;
  /** The progress bar's accessible name. */
  declare label: string;
  /** Mirrors view.phase as an attribute, for styling and tests. */
  declare phase: string;

  constructor() {
    super();
    this.view = IDLE_VIEW;
    this.phase = 'idle';
    this.label = 'Flash progress';
  }

  override willUpdate(): void {
    this.phase = this.view.phase;
  }

  override render() {
    const v = this.view;
    const pct = Math.floor(v.percent);
    const bytes = v.total > 0 ? `${formatBytes(v.done)} of ${formatBytes(v.total)}` : '—';
    return html`
      <div class="phase">
        <span data-testid="phase">${phaseLabel(v)}</span>
        <span data-testid="percent">${pct}%</span>
      </div>
      <progress max="100" .value=${v.percent} aria-label=${this.label} aria-valuetext=${`${pct}%, ${phaseLabel(v)}`}></progress>
      <dl>
        <div><dt>Bytes</dt><dd data-testid="bytes">${bytes}</dd></div>
        <div><dt>Rate</dt><dd>${formatRate(v.bytesPerSecond)}</dd></div>
        <div><dt>Time left</dt><dd>${formatSeconds(v.secondsLeft)}</dd></div>
        <div><dt>Chip</dt><dd>${v.chip ? v.chip.mcu : '—'}</dd></div>
      </dl>
    `;
  }
}

customElements.define('hexflash-flash-progress', FlashProgress);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-flash-progress': FlashProgress;
  }
}
