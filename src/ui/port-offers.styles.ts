// Styles of <hexflash-port-offers>.
import { css } from 'lit';
import { sharedStyles } from './shared.styles.js';

export const portOffersStyles = [
  sharedStyles,
  css`
    :host {
      display: block;
    }
    ul {
      list-style: none;
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      margin: 0.6rem 0 0.8rem;
      padding: 0;
    }
  `,
];
