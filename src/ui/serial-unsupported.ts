// <hexflash-serial-unsupported>: says why this browser cannot flash (no Web Serial, or a page
// not served over https/localhost) and what to use instead.
import { html, LitElement, nothing } from 'lit';
import type { SerialSupport } from '../app/serial-support.js';
import { serialUnsupportedStyles } from './serial-unsupported.styles.js';

export class SerialUnsupported extends LitElement {
  static override styles = serialUnsupportedStyles;
  static override properties = { support: { type: String } };

  declare support: SerialSupport;

  constructor() {
    super();
    this.support = 'ok';
  }

  override render() {
    if (this.support === 'ok') return nothing;
    if (this.support === 'insecure-context') {
      return html`<section role="alert">
        <h2>This page must be opened over https to flash</h2>
        <p>Browsers allow serial ports only on secure pages: an https:// address, or http://localhost and http://127.0.0.1.</p>
      </section>`;
    }
    return html`<section role="alert" data-testid="no-serial">
      <h2>This browser cannot reach serial ports</h2>
      <p>HexFlash talks to the board through Web Serial, which this browser does not offer. You can still keep firmware in Recent.</p>
      <ul>
        <li>Use Chrome, Edge or Opera on a computer (Windows, macOS, Linux, ChromeOS).</li>
        <li>Safari, Firefox and browsers on phones and tablets do not have Web Serial.</li>
        <li>Without such a browser, flash with avrdude or the Arduino IDE.</li>
      </ul>
    </section>`;
  }
}

customElements.define('hexflash-serial-unsupported', SerialUnsupported);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-serial-unsupported': SerialUnsupported;
  }
}
