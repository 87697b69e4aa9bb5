// Styles of <hexflash-log-panel>.
import { css } from 'lit';
import { sharedStyles } from './shared.styles.js';

export const logPanelStyles = [
  sharedStyles,
  css`
    :host {
      display: block;
    }
    summary {
      cursor: pointer;
      font-weight: 600;
      width: fit-content;
    }
    .tools {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem 0.8rem;
      margin: 0.6rem 0;
    }
    pre {
      font-family: var(--hf-mono);
      font-size: 0.8rem;
      max-height: 22rem;
      overflow: auto;
      background: var(--hf-bg);
      border: 1px solid var(--hf-border);
      border-radius: 8px;
      padding: 0.6rem;
      margin: 0;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
  `,
];
