// Styles of <hexflash-serial-console>: the tool bar, the output (fixed 18 px rows for the virtual
// list, monospace, no wrapping), escaped bytes set apart, the send row and the status line.
import { css } from 'lit';
import { sharedStyles } from './shared.styles.js';

export const serialConsoleStyles = [
  sharedStyles,
  css`
    :host {
      display: block;
    }
    .bar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.4rem 0.8rem;
      margin-bottom: 0.6rem;
    }
    .bar label {
      display: inline-flex;
      align-items: center;
      gap: 0.35rem;
    }
    .toggle[aria-pressed='true'] {
      border-color: var(--hf-accent);
      background: var(--hf-accent);
      color: var(--hf-accent-fg);
    }
    .out {
      height: 22rem;
      min-height: 8rem;
      resize: vertical;
      overflow: auto;
      border: 1px solid var(--hf-border);
      border-radius: 6px;
      background: var(--hf-input);
      font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace;
      font-size: 13px;
    }
    .spacer {
      position: relative;
      min-width: max-content;
    }
    .rows {
      padding: 0 0.5rem;
    }
    .row {
      height: 18px;
      line-height: 18px;
      white-space: pre;
    }
    .note {
      color: var(--hf-muted);
      font-style: italic;
    }
    .ts {
      color: var(--hf-muted);
      margin-right: 0.75ch;
    }
    .esc {
      color: var(--hf-err);
      background: color-mix(in srgb, var(--hf-err) 12%, transparent);
      border-radius: 3px;
      margin: 0 1px;
    }
    .send {
      display: flex;
      gap: 0.5rem;
      margin-top: 0.6rem;
    }
    .send input {
      flex: 1;
      font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace;
    }
    .status {
      display: flex;
      flex-wrap: wrap;
      justify-content: space-between;
      gap: 0.3rem 1rem;
      margin: 0.5rem 0 0;
    }
  `,
];
