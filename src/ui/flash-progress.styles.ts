// Styles of <hexflash-flash-progress>.
import { css } from 'lit';
import { sharedStyles } from './shared.styles.js';

export const flashProgressStyles = [
  sharedStyles,
  css`
    :host {
      display: block;
    }
    .phase {
      display: flex;
      justify-content: space-between;
      gap: 1rem;
      font-weight: 600;
    }
    progress {
      appearance: none;
      width: 100%;
      height: 0.9rem;
      margin: 0.4rem 0;
      border: none;
      border-radius: 999px;
      background: var(--hf-track);
      overflow: hidden;
    }
    progress::-webkit-progress-bar {
      background: var(--hf-track);
    }
    progress::-webkit-progress-value {
      background: var(--hf-accent);
      transition: width 0.2s;
    }
    @media (prefers-reduced-motion: reduce) {
      progress::-webkit-progress-value {
        transition: none;
      }
    }
    progress::-moz-progress-bar {
      background: var(--hf-accent);
    }
    :host([phase='done']) progress::-webkit-progress-value {
      background: var(--hf-ok);
    }
    :host([phase='error']) progress::-webkit-progress-value {
      background: var(--hf-err);
    }
    dl {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(7.5rem, 1fr));
      gap: 0.3rem 1rem;
      margin: 0.2rem 0 0;
    }
    dt {
      font-size: 0.8rem;
      color: var(--hf-muted);
    }
    dd {
      margin: 0;
      font-variant-numeric: tabular-nums;
    }
  `,
];
