// Styles of <hexflash-backup-option>.
import { css } from 'lit';
import { sharedStyles } from './shared.styles.js';

export const backupOptionStyles = [
  sharedStyles,
  css`
    :host {
      display: block;
      margin-bottom: 0.8rem;
    }
    label {
      display: inline-flex;
      gap: 0.5rem;
      align-items: center;
      font-weight: 600;
    }
    input {
      width: 1.1rem;
      height: 1.1rem;
    }
    p {
      margin: 0.2rem 0 0 1.6rem;
      font-size: 0.85rem;
    }
  `,
];
