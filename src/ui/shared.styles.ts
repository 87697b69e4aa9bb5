// Styles every component shares: buttons, form controls, focus rings, visually hidden text.
// Colours come from the page's custom properties (global.css), which switch with the system theme.
import { css } from 'lit';

export const sharedStyles = css`
  :host {
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  button,
  input,
  select {
    font: inherit;
    color: inherit;
  }
  button {
    cursor: pointer;
    border: 1px solid var(--hf-border);
    background: var(--hf-button);
    border-radius: 6px;
    padding: 0.35rem 0.8rem;
    min-height: 2.25rem;
  }
  button:hover:not(:disabled) {
    border-color: var(--hf-accent);
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.55;
  }
  button.primary {
    background: var(--hf-accent);
    border-color: var(--hf-accent);
    color: var(--hf-accent-fg);
    font-weight: 600;
  }
  button.danger:hover:not(:disabled) {
    border-color: var(--hf-err);
    color: var(--hf-err);
  }
  input[type='text'],
  input[type='url'],
  select {
    border: 1px solid var(--hf-border);
    background: var(--hf-input);
    border-radius: 6px;
    padding: 0.35rem 0.5rem;
    min-height: 2.25rem;
  }
  :focus-visible {
    outline: 3px solid var(--hf-focus);
    outline-offset: 2px;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0, 0, 0, 0);
    white-space: nowrap;
    border: 0;
  }
  .muted {
    color: var(--hf-muted);
  }
  h2 {
    font-size: 1.05rem;
    margin: 0 0 0.6rem;
  }
`;
