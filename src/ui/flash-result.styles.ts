// Styles of <hexflash-flash-result>.
import { css } from 'lit';
import { sharedStyles } from './shared.styles.js';

export const flashResultStyles = [
  sharedStyles,
  css`
    :host {
      display: block;
    }
    section {
      border-radius: 10px;
      padding: 0.8rem 1rem;
      border: 1px solid;
      overflow-wrap: anywhere;
    }
    .ok {
      background: var(--hf-ok-bg);
      border-color: var(--hf-ok);
    }
    .err {
      background: var(--hf-err-bg);
      border-color: var(--hf-err);
    }
    h3 {
      margin: 0 0 0.4rem;
      font-size: 1.05rem;
    }
    h3:focus {
      outline: none;
    }
    h3:focus-visible {
      outline: 3px solid var(--hf-focus);
    }
    .ok h3 {
      color: var(--hf-ok);
    }
    .err h3 {
      color: var(--hf-err);
    }
    dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 0.15rem 1rem;
      margin: 0;
    }
    dt {
      color: var(--hf-muted);
    }
    dd {
      margin: 0;
      font-variant-numeric: tabular-nums;
      overflow-wrap: anywhere;
    }
    .mono {
      font-family: var(--hf-mono);
    }
    p {
      margin: 0.3rem 0;
    }
  `,
];
