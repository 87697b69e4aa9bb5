// <hexflash-port-help>: what to try when no port shows up or a port will not open, rendered from the
// help model (app/port-help.ts) for the error, USB IDs and platform the page saw. Loaded on demand:
// the app shell imports this module only when such a case happens.
import { html, LitElement, nothing } from 'lit';
import type { HelpInput } from '../app/help-cause.js';
import { portHelp, type HelpStep } from '../app/port-help.js';
import { portHelpStyles } from './port-help.styles.js';

export class PortHelp extends LitElement {
  static override styles = portHelpStyles;
  static override properties = { input: { attribute: false } };

  declare input: HelpInput | null;

  constructor() {
    super();
    this.input = null;
  }

  override render() {
    if (!this.input) return nothing;
    const help = portHelp(this.input);
    return html`<section aria-labelledby="help-h" data-testid="port-help" data-help=${help.id} data-platform=${this.input.platform}>
      <h3 id="help-h">${help.title}</h3>
      <p>${help.intro}</p>
      <ol>
        ${help.steps.map((s) => this._step(s))}
      </ol>
    </section>`;
  }

  private _step(s: HelpStep) {
    return html`<li>
      <strong>${s.title}.</strong> ${s.text}
      ${s.commands ? html`<pre>${s.commands.join('\n')}</pre>` : nothing}
      ${s.links
        ? html`<ul class="links">
            ${s.links.map((l) => html`<li><a href=${l.href} target="_blank" rel="noopener noreferrer">${l.label}</a></li>`)}
          </ul>`
        : nothing}
    </li>`;
  }
}

customElements.define('hexflash-port-help', PortHelp);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-port-help': PortHelp;
  }
}
