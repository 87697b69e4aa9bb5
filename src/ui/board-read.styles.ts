// Styles of <hexflash-board-read>.
import { css } from 'lit';
import { sharedStyles } from './shared.styles.js';

export const boardReadStyles = [
  sharedStyles,
  css`
    :host {
      display: block;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.6rem;
      margin-bottom: 0.6rem;
    }
    .ok {
      background: var(--hf-ok-bg);
      border: 1px solid var(--hf-ok);
      border-radius: 10px;
      padding: 0.6rem 1rem;
      margin-top: 0.6rem;
    }
    h3 {
      margin: 0 0 0.3rem;
      font-size: 1rem;
      color: var(--hf-ok);
    }
    p {
      margin: 0.3rem 0;
      overflow-wrap: anywhere;
    }
    hexflash-flash-result {
      margin-top: 0.6rem;
    }
  `,
];
