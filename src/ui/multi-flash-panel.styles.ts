// Styles of <hexflash-multi-dock> and the panel it hosts: the board list as a grid of small cards.
import { css } from 'lit';
import { sharedStyles } from './shared.styles.js';

export const multiPanelStyles = [
  sharedStyles,
  css`
    :host {
      display: block;
    }
    p {
      margin: 0 0 0.6rem;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem;
      margin: 0.6rem 0;
    }
    .boards {
      list-style: none;
      margin: 0.6rem 0;
      padding: 0;
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr));
      gap: 0.8rem;
    }
    .board {
      border: 1px solid var(--hf-border);
      border-radius: 10px;
      padding: 0.7rem;
      min-width: 0;
    }
    .head {
      display: flex;
      justify-content: space-between;
      align-items: flex-start;
      gap: 0.5rem;
      margin-bottom: 0.4rem;
    }
    h3 {
      font-size: 0.95rem;
      margin: 0.3rem 0 0;
      overflow-wrap: anywhere;
    }
    hexflash-flash-result {
      margin-top: 0.5rem;
    }
  `,
];
