// Styles of <hexflash-port-help>.
import { css } from 'lit';
import { sharedStyles } from './shared.styles.js';

export const portHelpStyles = [
  sharedStyles,
  css`
    :host {
      display: block;
      margin-top: 0.8rem;
    }
    section {
      border: 1px solid var(--hf-border);
      border-left: 4px solid var(--hf-accent);
      border-radius: 10px;
      padding: 0.8rem 1rem;
      background: var(--hf-warn-bg);
    }
    h3 {
      margin: 0 0 0.4rem;
      font-size: 1.05rem;
    }
    p {
      margin: 0.3rem 0;
    }
    ol {
      margin: 0.4rem 0 0;
      padding-left: 1.4rem;
    }
    li {
      margin: 0.45rem 0;
    }
    pre {
      margin: 0.3rem 0;
      padding: 0.35rem 0.6rem;
      border-radius: 6px;
      background: var(--hf-card);
      border: 1px solid var(--hf-border);
      font-family: var(--hf-mono);
      font-size: 0.9em;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    a {
      color: var(--hf-accent);
      text-decoration: underline;
    }
    .links {
      display: flex;
      flex-wrap: wrap;
      gap: 0.2rem 1rem;
      margin: 0.3rem 0 0;
      padding: 0;
      list-style: none;
    }
    .links li {
      margin: 0;
    }
  `,
];
