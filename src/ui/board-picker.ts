// <hexflash-board-picker>: "Detect automatically", a board preset, or Custom (MCU, protocol, baud).
import { html, LitElement, nothing } from 'lit';
import { AUTO_CHOICE, BAUD_RATES, DEFAULT_CUSTOM, type BoardChoice } from '../app/board-choice.js';
import { BOARD_IDS, BOARDS, isBoardId } from '../core/boards.js';
import { DEVICES, isMcuId, MCU_IDS } from '../core/devices.js';
import { isProtocolId } from '../core/programmer.js';
import { boardPickerStyles } from './board-picker.styles.js';
import { fire } from './ui-events.js';

/**
 * @fires board-change - the user picked another target (detail: BoardChoice)
 */
export class BoardPicker extends LitElement {
  static override styles = boardPickerStyles;
  static override properties = {
    choice: { attribute: false },
    disabled: { type: Boolean },
  };

  declare choice: BoardChoice;
  declare disabled: boolean;

  constructor() {
    super();
    this.choice = AUTO_CHOICE;
    this.disabled = false;
  }

  override render() {
    const c = this.choice;
    const value = c.kind === 'preset' ? c.board : c.kind;
    return html`
      <div class="row">
        <label for="board">Board</label>
        <select id="board" aria-describedby="board-about" ?disabled=${this.disabled} @change=${this._onBoard}>
          <option value="auto" ?selected=${value === 'auto'}>Detect automatically</option>
          <optgroup label="Presets">
            ${BOARD_IDS.map((id) => html`<option value=${id} ?selected=${value === id}>${BOARDS[id].name}</option>`)}
          </optgroup>
          <option value="custom" ?selected=${value === 'custom'}>Custom (MCU, protocol, baud)</option>
        </select>
      </div>
      ${c.kind === 'custom' ? this._renderCustom(c) : nothing}
      <p class="about muted" id="board-about">${this._about()}</p>
    `;
  }

  private _renderCustom(c: Extract<BoardChoice, { kind: 'custom' }>) {
    return html`
      <div class="custom">
        <div class="row">
          <label for="mcu">MCU</label>
          <select id="mcu" ?disabled=${this.disabled} @change=${this._onCustom}>
            <option value="auto" ?selected=${c.mcu === 'auto'}>Detect automatically</option>
            ${MCU_IDS.map((id) => html`<option value=${id} ?selected=${c.mcu === id}>${DEVICES[id].name}</option>`)}
          </select>
        </div>
        <div class="row">
          <label for="protocol">Protocol</label>
          <select id="protocol" ?disabled=${this.disabled} @change=${this._onCustom}>
            <option value="auto" ?selected=${c.protocol === 'auto'}>Detect automatically</option>
            <option value="stk500v2" ?selected=${c.protocol === 'stk500v2'}>STK500v2 (Mega 2560 'wiring')</option>
            <option value="stk500v1" ?selected=${c.protocol === 'stk500v1'}>STK500v1 (optiboot, ATmegaBOOT)</option>
            <option value="avr109" ?selected=${c.protocol === 'avr109'}>AVR109 (Caterina, ATmega32U4)</option>
          </select>
        </div>
        <div class="row">
          <label for="baud">Baud</label>
          <select id="baud" ?disabled=${this.disabled} @change=${this._onCustom}>
            <option value="auto" ?selected=${c.baud === 'auto'}>Detect automatically</option>
            ${BAUD_RATES.map((b) => html`<option value=${String(b)} ?selected=${c.baud === b}>${b}</option>`)}
          </select>
        </div>
      </div>
    `;
  }

  private _about(): string {
    const c = this.choice;
    if (c.kind === 'auto') {
      return 'Tries STK500v2 at 115200 baud, then STK500v1 at 115200, 57600 and 19200, then AVR109 (ATmega32U4 boards, reset by the 1200-baud touch first when their USB ID says so), and reads the chip signature.';
    }
    if (c.kind === 'custom') return 'Anything left on "Detect automatically" is found by trying.';
    const b = BOARDS[c.board];
    const link = 'touch1200' in b ? 'over USB, entered by the 1200-baud touch' : `at ${b.baud} baud`;
    return `${DEVICES[b.mcu].name}, ${b.protocol.toUpperCase()} ${link}, ${b.bootloader} bootloader (${b.bootloaderBytes} bytes).`;
  }

  private _onBoard(e: Event): void {
    const v = (e.target as HTMLSelectElement).value;
    const next: BoardChoice = v === 'custom' ? DEFAULT_CUSTOM : isBoardId(v) ? { kind: 'preset', board: v } : AUTO_CHOICE;
    fire(this, 'board-change', next);
  }

  private _onCustom(): void {
    const root = this.renderRoot as ShadowRoot;
    const read = (id: string): string => (root.getElementById(id) as HTMLSelectElement | null)?.value ?? 'auto';
    const mcu = read('mcu');
    const protocol = read('protocol');
    const baud = read('baud');
    fire(this, 'board-change', {
      kind: 'custom',
      mcu: isMcuId(mcu) ? mcu : 'auto',
      protocol: isProtocolId(protocol) ? protocol : 'auto',
      baud: baud === 'auto' ? 'auto' : Number(baud),
    });
  }
}

customElements.define('hexflash-board-picker', BoardPicker);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-board-picker': BoardPicker;
  }
}
