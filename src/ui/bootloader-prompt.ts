// <hexflash-bootloader-prompt>: the one step an ATmega32U4 flash may need from the user. After the
// 1200-baud touch the board's bootloader is a new port the page may not open yet; this asks for it
// with a countdown of its 8 seconds and says what to do when they are missed.
import { html, LitElement } from 'lit';
import { bootloaderPromptStyles } from './bootloader-prompt.styles.js';
import { fire } from './ui-events.js';

export interface BootloaderPromptView {
  /** "Arduino Leonardo bootloader (USB 2341:0036)" */
  readonly label: string;
  /** Wall-clock time (Date.now()) at which the bootloader leaves. */
  readonly endsAt: number;
}

/**
 * @fires bootloader-choose - the user pressed the button (a user gesture, so the chooser may open)
 */
export class BootloaderPrompt extends LitElement {
  static override styles = bootloaderPromptStyles;
  static override properties = { prompt: { attribute: false }, _left: { state: true } };

  declare prompt: BootloaderPromptView | null;
  declare _left: number;
  private tick: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.prompt = null;
    this._left = 0;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.tick = setInterval(() => this._count(), 250);
    this._count();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.tick);
  }

  override render() {
    const p = this.prompt;
    if (!p) return html``;
    return html`<div role="alert" data-testid="bootloader-prompt">
      <p>
        The board restarted into its bootloader, which is a new port: <strong>${p.label}</strong>. Choose it now;
        it stays for <span data-testid="bootloader-seconds">${this._left}</span> more seconds.
      </p>
      <button class="primary" id="choose-bootloader" @click=${() => fire(this, 'bootloader-choose', undefined)}>Choose the bootloader port</button>
      <p class="muted">Missed it? Press the board's reset button (twice quickly on a Pro Micro) and press Flash right away.</p>
    </div>`;
  }

  private _count(): void {
    this._left = this.prompt ? Math.max(0, Math.ceil((this.prompt.endsAt - Date.now()) / 1000)) : 0;
  }
}

customElements.define('hexflash-bootloader-prompt', BootloaderPrompt);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-bootloader-prompt': BootloaderPrompt;
  }
}
