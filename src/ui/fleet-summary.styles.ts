// Styles of <hexflash-fleet-summary>: a compact table that scrolls sideways on narrow screens.
import { css } from 'lit';
import { sharedStyles } from './shared.styles.js';

export const fleetSummaryStyles = [
  sharedStyles,
  css`
    :host {
      display: block;
      overflow-x: auto;
      margin-top: 0.8rem;
    }
    table {
      border-collapse: collapse;
      width: 100%;
      font-size: 0.9rem;
    }
    caption {
      text-align: left;
      font-weight: 600;
      padding-bottom: 0.4rem;
    }
    th,
    td {
      text-align: left;
      vertical-align: top;
      border-bottom: 1px solid var(--hf-border);
      padding: 0.35rem 0.5rem;
    }
    thead th {
      white-space: nowrap;
    }
    tr.ok td[data-testid='row-result'] {
      color: var(--hf-ok);
      font-weight: 600;
    }
    tr.bad td[data-testid='row-result'] {
      color: var(--hf-err);
      font-weight: 600;
    }
    .actions {
      display: flex;
      gap: 0.5rem;
      margin-top: 0.6rem;
    }
  `,
];
