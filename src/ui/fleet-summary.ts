// <hexflash-fleet-summary>: how each board of a several-boards flash ended, as a table (board,
// chip, protocol, result, bytes verified, time, error words), downloadable as CSV or Markdown.
import { html, LitElement } from 'lit';
import { fleetCounts, fleetCsv, fleetMarkdown, type FleetRow } from '../core/fleet.js';
import { fleetSummaryStyles } from './fleet-summary.styles.js';
import { formatBytes } from './format.js';
import { saveFile } from './save-file.js';

export class FleetSummary extends LitElement {
  static override styles = fleetSummaryStyles;
  static override properties = { rows: { attribute: false } };

  declare rows: readonly FleetRow[];

  constructor() {
    super();
    this.rows = [];
  }

  override render() {
    return html`
      <table data-testid="fleet-summary">
        <caption>Summary: ${fleetCounts(this.rows)}</caption>
        <thead>
          <tr><th scope="col">Board</th><th scope="col">Chip</th><th scope="col">Protocol</th><th scope="col">Result</th><th scope="col">Verified</th><th scope="col">Time</th><th scope="col">Error</th></tr>
        </thead>
        <tbody>
          ${this.rows.map(
            (r) => html`<tr class=${r.result === 'verified' ? 'ok' : 'bad'}>
              <th scope="row">${r.board}</th>
              <td>${r.chip || '—'}</td>
              <td>${r.protocol || '—'}</td>
              <td data-testid="row-result">${r.result}</td>
              <td>${formatBytes(r.bytesVerified)}</td>
              <td>${(r.ms / 1000).toFixed(1)} s</td>
              <td>${r.error}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      <div class="actions">
        <button @click=${() => saveFile(`${stamp()}.csv`, fleetCsv(this.rows), 'text/csv;charset=utf-8')}>Download CSV</button>
        <button @click=${() => saveFile(`${stamp()}.md`, fleetMarkdown(this.rows), 'text/markdown;charset=utf-8')}>Download Markdown</button>
      </div>
    `;
  }
}

function stamp(): string {
  return `hexflash-boards-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`;
}

customElements.define('hexflash-fleet-summary', FleetSummary);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-fleet-summary': FleetSummary;
  }
}
