// Styles of <hexflash-firmware-picker>.
import { css } from 'lit';
import { sharedStyles } from './shared.styles.js';

export const firmwarePickerStyles = [
  sharedStyles,
  css`
    :host {
      display: block;
    }
    .drop {
      border: 2px dashed var(--hf-border);
      border-radius: 10px;
      padding: 1rem;
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem 1rem;
    }
    .drop.over {
      border-color: var(--hf-accent);
      background: color-mix(in srgb, var(--hf-accent) 8%, transparent);
    }
    input[type='file'] {
      max-width: 100%;
    }
    input[type='file']::file-selector-button {
      font: inherit;
      border: 1px solid var(--hf-border);
      background: var(--hf-button);
      color: var(--hf-fg);
      border-radius: 6px;
      padding: 0.35rem 0.8rem;
      margin-right: 0.6rem;
      cursor: pointer;
    }
    details {
      margin-top: 0.6rem;
    }
    summary {
      cursor: pointer;
      width: fit-content;
    }
    form {
      display: flex;
      gap: 0.5rem;
      margin-top: 0.5rem;
      flex-wrap: wrap;
    }
    form input {
      flex: 1 1 14rem;
    }
    .current {
      margin-top: 0.8rem;
      padding: 0.6rem 0.8rem;
      border-radius: 8px;
      background: var(--hf-bg);
      overflow-wrap: anywhere;
    }
    .current strong {
      display: block;
    }
    .hash {
      font-family: var(--hf-mono);
      font-size: 0.85rem;
    }
  `,
];
