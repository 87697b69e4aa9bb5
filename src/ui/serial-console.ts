// <hexflash-serial-console>: the serial console view, loaded on demand (its own chunk) by
// <hexflash-console-dock>. A lean line view instead of a terminal emulator: the output is lines of
// text with escaped bytes (core/console), drawn as a virtual list (only the rows in sight are in the
// DOM), so 10,000 kept lines cost what 30 do. State lives in ConsoleController.
import { html, LitElement, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import { repeat } from 'lit/directives/repeat.js';
import { ConsoleController, type BaudChoice } from '../app/console-controller.js';
import type { ConsoleDeps } from '../app/console-service.js';
import { CONSOLE_RATES, LINE_ENDINGS, isLineEnding } from '../core/console/baud.js';
import type { ConsoleLine } from '../core/console/line-decoder.js';
import { localSettings } from '../store/settings.js';
import './flash-result.js';
import { saveFile } from './save-file.js';
import { serialConsoleStyles } from './serial-console.styles.js';

/** Row height in px; the styles give .row the same. */
const ROW_PX = 18;
const OVERSCAN = 8;
const ESCAPES = /(\\x[0-9a-f]{2}|\\\\)/;

export class SerialConsole extends LitElement {
  static override styles = serialConsoleStyles;

  deps: () => ConsoleDeps = () => {
    throw new Error('no serial deps given');
  };
  announce: (text: string) => void = () => undefined;

  readonly job = new ConsoleController(this, {
    deps: () => this.deps(),
    settings: localSettings,
    announce: (t) => this.announce(t),
  });
  private _scrollTop = 0;
  private _viewPx = 400;
  private _input = '';

  override render() {
    const j = this.job;
    const open = j.isOpen;
    const busy = j.status === 'opening' || j.status === 'auto';
    const lines = j.frozen;
    const { total, first, rows } = this._window();
    const shown = lines ? lines.slice(first, first + rows) : j.ring.slice(first, first + rows);
    // Rows keyed by their line number since the start, so a row keeps its node as the view moves on:
    // a screen reader then hears only the new lines of the log, not every row rewritten.
    const base = lines ? 0 : j.ring.dropped;
    return html`
      <div class="bar">
        <label>Baud
          <select id="baud" .value=${String(j.baudChoice)} ?disabled=${busy} @change=${this._onBaud}>
            <option value="auto" ?selected=${j.baudChoice === 'auto'}>Auto</option>
            ${CONSOLE_RATES.map((r) => html`<option value=${r} ?selected=${j.baudChoice === r}>${r}</option>`)}
          </select>
        </label>
        <label>Line ending
          <select id="ending" @change=${this._onEnding}>
            ${Object.entries(LINE_ENDINGS).map(([k, v]) => html`<option value=${k} ?selected=${j.ending === k}>${v.label}</option>`)}
          </select>
        </label>
        <label><input type="checkbox" id="timestamps" .checked=${j.timestamps} @change=${(e: Event) => j.setTimestamps(checked(e))} /> Time stamps</label>
        <label><input type="checkbox" id="autoscroll" .checked=${j.autoscroll} @change=${(e: Event) => j.setAutoscroll(checked(e))} /> Autoscroll</label>
        <button class="toggle" aria-pressed=${lines ? 'true' : 'false'} @click=${() => j.setPaused(!lines)}>Pause</button>
        <button ?disabled=${!open || busy} @click=${() => void j.resetBoard()}>Reset board</button>
        <button @click=${() => j.clear()}>Clear</button>
        <button @click=${this._copy}>Copy</button>
        <button @click=${this._download}>Download</button>
      </div>
      <div class="out" role="log" tabindex="0" aria-label="Serial output" data-testid="console-output" @scroll=${this._onScroll}>
        <div class="spacer"><div class="rows">${repeat(shown, (_, k) => base + first + k, (l) => this._row(l, j.timestamps))}</div></div>
      </div>
      <form class="send" @submit=${this._onSend}>
        <label for="console-input" class="sr-only">Line to send</label>
        <input id="console-input" type="text" autocomplete="off" spellcheck="false" placeholder=${open ? 'Type a line, Enter sends; arrow up for earlier lines' : 'Open the port to send'}
          .value=${live(this._input)} ?disabled=${!open} @input=${this._onInput} @keydown=${this._onKey} />
        <button type="submit" class="primary" ?disabled=${!open || busy}>Send</button>
      </form>
      <p class="status">
        <span role="status" data-testid="console-status" data-state=${j.status}>${j.message}</span>
        <span class="muted" data-testid="console-counts">${this._counts(total)}</span>
      </p>
      ${j.problem ? html`<hexflash-flash-result .problem=${j.problem}></hexflash-flash-result>` : nothing}
    `;
  }

  protected override updated(): void {
    const out = this.renderRoot.querySelector<HTMLElement>('.out');
    const spacer = this.renderRoot.querySelector<HTMLElement>('.spacer');
    const rowsEl = this.renderRoot.querySelector<HTMLElement>('.rows');
    if (!out || !spacer || !rowsEl) return;
    const j = this.job;
    const { total, first } = this._window();
    // Sizes through the CSSOM: the page's CSP allows no inline style attributes.
    spacer.style.height = `${total * ROW_PX}px`;
    rowsEl.style.transform = `translateY(${first * ROW_PX}px)`;
    if (j.autoscroll && !j.frozen) out.scrollTop = out.scrollHeight;
    if (out.clientHeight > 0 && out.clientHeight !== this._viewPx) {
      this._viewPx = out.clientHeight;
      this.requestUpdate();
    }
  }

  /** Releases the port (the dock calls this before a flash and when the console is closed). */
  release(): Promise<void> {
    return this.job.close();
  }

  /** The rows in sight (plus some either side): all of them in the DOM would cost 10,000 nodes. */
  private _window(): { total: number; first: number; rows: number } {
    const j = this.job;
    const total = j.frozen ? j.frozen.length : j.ring.length;
    const rows = Math.ceil(this._viewPx / ROW_PX) + 2 * OVERSCAN;
    const following = j.autoscroll && !j.frozen;
    const first = following ? Math.max(0, total - rows) : Math.max(0, Math.floor(this._scrollTop / ROW_PX) - OVERSCAN);
    return { total, first, rows };
  }

  private _row(l: ConsoleLine, stamps: boolean) {
    const text = l.escaped > 0 || l.text.includes('\\') ? l.text.split(ESCAPES).map((p, i) => (i % 2 ? html`<span class="esc">${p}</span>` : p)) : l.text;
    return html`<div class=${l.note ? 'row note' : 'row'}>${stamps ? html`<span class="ts">${stamp(l.at)}</span>` : nothing}${text}</div>`;
  }

  private _counts(total: number): string {
    const r = this.job.ring;
    const n = (x: number, one: string, many: string): string => `${x.toLocaleString('en')} ${x === 1 ? one : many}`;
    const dropped = r.dropped > 0 ? `, ${r.dropped.toLocaleString('en')} older lines no longer kept` : '';
    const paused = this.job.frozen ? ` (paused: ${n(r.length - total, 'line', 'lines')} newer than the view)` : '';
    return `${n(r.bytes, 'byte', 'bytes')}, ${n(r.length, 'line', 'lines')}${dropped}${paused}`;
  }

  private _onScroll(e: Event): void {
    const out = e.target as HTMLElement;
    this._scrollTop = out.scrollTop;
    const atEnd = out.scrollTop + out.clientHeight >= out.scrollHeight - ROW_PX;
    // Scrolling up to read stops the view following the output.
    if (!atEnd && this.job.autoscroll) this.job.setAutoscroll(false);
    else this.requestUpdate();
  }

  private _onBaud(e: Event): void {
    const v = (e.target as HTMLSelectElement).value;
    const choice: BaudChoice = v === 'auto' ? 'auto' : Number(v);
    void this.job.chooseBaud(choice);
  }

  private _onEnding(e: Event): void {
    const v = (e.target as HTMLSelectElement).value;
    if (isLineEnding(v)) this.job.setEnding(v);
  }

  private _onInput(e: Event): void {
    this._input = (e.target as HTMLInputElement).value;
  }

  private _onKey(e: KeyboardEvent): void {
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    e.preventDefault();
    this._input = this.job.recall(e.key === 'ArrowUp' ? -1 : 1);
    this.requestUpdate();
  }

  private _onSend(e: Event): void {
    e.preventDefault();
    const text = this._input;
    this._input = '';
    this.requestUpdate();
    void this.job.send(text);
  }

  private async _copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this._text());
      this.announce('Console text copied to the clipboard.');
    } catch {
      this.announce('The browser refused the clipboard; use Download instead.');
    }
  }

  private _download(): void {
    const name = `hexflash-console-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}.txt`;
    saveFile(name, this._text());
    this.announce(`Console text saved as ${name}.`);
  }

  private _text(): string {
    return this.job.ring.text(this.job.timestamps ? stamp : undefined);
  }
}

function checked(e: Event): boolean {
  return (e.target as HTMLInputElement).checked;
}

/** Local time of day with milliseconds: 14:03:27.512. */
function stamp(at: number): string {
  const d = new Date(at);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

customElements.define('hexflash-serial-console', SerialConsole);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-serial-console': SerialConsole;
  }
}
