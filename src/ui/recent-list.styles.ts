// Styles of <hexflash-recent-list> and <hexflash-recent-item>.
import { css } from 'lit';
import { sharedStyles } from './shared.styles.js';

export const recentListStyles = [
  sharedStyles,
  css`
    :host {
      display: block;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 0.6rem;
    }
    .notice {
      background: var(--hf-warn-bg);
      border-radius: 8px;
      padding: 0.5rem 0.7rem;
      margin: 0 0 0.6rem;
    }
  `,
];

export const recentItemStyles = [
  sharedStyles,
  css`
    :host {
      display: block;
      border: 1px solid var(--hf-border);
      border-radius: 8px;
      padding: 0.6rem 0.7rem;
    }
    :host([current]) {
      border-color: var(--hf-accent);
    }
    .name {
      font-weight: 600;
      overflow-wrap: anywhere;
      margin: 0;
      font-size: 1rem;
    }
    .facts {
      font-size: 0.85rem;
      margin: 0.2rem 0 0.4rem;
      overflow-wrap: anywhere;
    }
    .hash {
      font-family: var(--hf-mono);
    }
    .badge {
      font-size: 0.75rem;
      font-weight: 600;
      border: 1px solid var(--hf-accent);
      border-radius: 999px;
      padding: 0 0.5rem;
    }
    .ok {
      color: var(--hf-ok);
    }
    .fail {
      color: var(--hf-err);
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem;
    }
    form {
      display: flex;
      gap: 0.4rem;
      flex-wrap: wrap;
    }
    form input {
      flex: 1 1 10rem;
    }
  `,
];
