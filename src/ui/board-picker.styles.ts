// Styles of <hexflash-board-picker>.
import { css } from 'lit';
import { sharedStyles } from './shared.styles.js';

export const boardPickerStyles = [
  sharedStyles,
  css`
    :host {
      display: block;
    }
    .row {
      display: flex;
      flex-direction: column;
      gap: 0.25rem;
    }
    select {
      width: 100%;
    }
    .custom {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr));
      gap: 0.6rem;
      margin-top: 0.6rem;
    }
    .about {
      margin: 0.4rem 0 0;
      font-size: 0.9rem;
    }
  `,
];
