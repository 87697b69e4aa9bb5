// Styles of <hexflash-serial-unsupported>.
import { css } from 'lit';
import { sharedStyles } from './shared.styles.js';

export const serialUnsupportedStyles = [
  sharedStyles,
  css`
    :host {
      display: block;
    }
    section {
      background: var(--hf-warn-bg);
      border: 1px solid var(--hf-border);
      border-radius: 10px;
      padding: 0.8rem 1rem;
    }
    p,
    ul {
      margin: 0.3rem 0;
    }
  `,
];
