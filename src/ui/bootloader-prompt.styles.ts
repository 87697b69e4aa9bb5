// Styles of <hexflash-bootloader-prompt>.
import { css } from 'lit';
import { sharedStyles } from './shared.styles.js';

export const bootloaderPromptStyles = [
  sharedStyles,
  css`
    :host {
      display: block;
    }
    div {
      border: 2px solid var(--hf-accent);
      border-radius: 10px;
      padding: 0.6rem 0.8rem;
      margin: 0.6rem 0;
    }
    p {
      margin: 0.3rem 0;
    }
  `,
];
