// Styles of <hexflash-update-banner>.
import { css } from 'lit';
import { sharedStyles } from './shared.styles.js';

export const updateBannerStyles = [
  sharedStyles,
  css`
    :host {
      display: block;
    }
    div {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem 1rem;
      background: var(--hf-card);
      border: 1px solid var(--hf-accent);
      border-radius: 10px;
      padding: 0.5rem 0.8rem;
    }
  `,
];
