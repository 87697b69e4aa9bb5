// Styles of <hexflash-install>: the theme colours on its host (a publisher's page has none of the
// app's), the button, and the dialog around the app's progress and result components.
import { css, unsafeCSS } from 'lit';
import theme from '../ui/theme.css?inline';
import { sharedStyles } from '../ui/shared.styles.js';

export const installStyles = [
  unsafeCSS(theme),
  sharedStyles,
  css`
    :host {
      display: inline-block;
      font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Liberation Sans', sans-serif;
      line-height: 1.45;
    }
    dialog {
      width: min(34rem, calc(100vw - 2rem));
      border: 1px solid var(--hf-border);
      border-radius: 12px;
      padding: 1.1rem 1.2rem 1rem;
      background: var(--hf-card);
      color: var(--hf-fg);
    }
    dialog::backdrop {
      background: rgb(0 0 0 / 45%);
    }
    dialog > * + * {
      margin-top: 0.8rem;
    }
    h2 {
      margin: 0;
      font-size: 1.2rem;
    }
    p {
      margin: 0;
    }
    ul {
      margin: 0.3rem 0 0;
      padding-left: 1.2rem;
    }
    .picked {
      border-left: 4px solid var(--hf-accent);
      padding: 0.4rem 0.7rem;
      background: var(--hf-button);
      border-radius: 0 6px 6px 0;
    }
    .mono {
      font-family: var(--hf-mono);
      font-size: 0.85em;
      overflow-wrap: anywhere;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      justify-content: flex-end;
    }
    .unsupported {
      display: block;
      max-width: 30rem;
      border: 1px solid var(--hf-border);
      border-radius: 8px;
      padding: 0.5rem 0.8rem;
      background: var(--hf-warn-bg);
      color: var(--hf-fg);
    }
  `,
];
