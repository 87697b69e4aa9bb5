// <hexflash-port-offers>: "Flash again on <port>" for each serial port the page was allowed to open
// before and that is plugged in now (app/granted-ports.ts keeps the list), so a re-flash needs no
// chooser. Renders nothing when there is no such port.
import { html, LitElement, nothing } from 'lit';
import type { GrantedPort } from '../app/granted-ports.js';
import { portOffersStyles } from './port-offers.styles.js';
import { fire } from './ui-events.js';

/**
 * @fires port-flash - the user pressed "Flash again on" a port (detail: that port)
 */
export class PortOffers extends LitElement {
  static override styles = portOffersStyles;
  static override properties = { ports: { attribute: false }, disabled: { type: Boolean } };

  declare ports: readonly GrantedPort[];
  declare disabled: boolean;

  constructor() {
    super();
    this.ports = [];
    this.disabled = false;
  }

  override render() {
    if (this.ports.length === 0) return nothing;
    return html`<ul aria-label="Ports used before" data-testid="port-offers">
      ${this.ports.map(
        (g) => html`<li>
          <button class="offer" ?disabled=${this.disabled} @click=${() => fire(this, 'port-flash', g)}>Flash again on ${g.label}</button>
        </li>`,
      )}
    </ul>`;
  }
}

customElements.define('hexflash-port-offers', PortOffers);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-port-offers': PortOffers;
  }
}
