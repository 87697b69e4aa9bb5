// Styles of <hexflash-app>: page layout (header, two columns on wide screens, cards, footer).
import { css } from 'lit';
import { sharedStyles } from './shared.styles.js';

export const appStyles = [
  sharedStyles,
  css`
    :host {
      display: block;
      max-width: 68rem;
      margin: 0 auto;
      padding: 0 1rem 2rem;
    }
    header {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 0.3rem 1rem;
      padding: 1.2rem 0 0.8rem;
    }
    h1 {
      font-size: 1.6rem;
      margin: 0;
    }
    .badge {
      font-size: 0.8rem;
      border: 1px solid var(--hf-border);
      border-radius: 999px;
      padding: 0.05rem 0.6rem;
    }
    main {
      display: flex;
      flex-direction: column;
      gap: 1rem;
    }
    .grid {
      display: grid;
      grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
      gap: 1rem;
      align-items: start;
    }
    @media (max-width: 52rem) {
      .grid {
        grid-template-columns: minmax(0, 1fr);
      }
    }
    .col {
      display: flex;
      flex-direction: column;
      gap: 1rem;
    }
    .card {
      background: var(--hf-card);
      border: 1px solid var(--hf-border);
      border-radius: 12px;
      padding: 1rem;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.6rem;
      margin-bottom: 0.8rem;
    }
    #flash {
      font-size: 1.1rem;
      padding: 0.5rem 2rem;
    }
    hexflash-flash-result {
      margin-top: 0.8rem;
    }
    .note {
      margin: 0;
      font-size: 0.9rem;
    }
    footer {
      margin-top: 1.5rem;
      font-size: 0.85rem;
    }
  `,
];
