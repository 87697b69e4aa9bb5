// <hexflash-app>: the page shell. Composes the jobs as controllers: firmware (in hand, Recent), flash
// (view, touch prompt, cancel), backup (keep before a flash, read, restore), granted ports, and the
// log; keeps the target choice; the console docks itself. Hands state down to the components.
import { html, LitElement, nothing } from 'lit';
import { APP_VERSION, describeBrowser } from '../app/app-info.js';
import { BackupController } from '../app/backup-controller.js';
import { restorePlan } from '../app/backup-entry.js';
import { choiceLabel, loadChoice, precheckImage, requestFor, saveChoice, type BoardChoice } from '../app/board-choice.js';
import { reportFileName } from '../app/bug-report.js';
import { FirmwareController } from '../app/firmware-controller.js';
import { firmwareFromFile, firmwareFromUrl, type LoadedFirmware } from '../app/firmware-source.js';
import { FlashController } from '../app/flash-controller.js';
import { flashNote } from '../app/flash-note.js';
import type { FlashDeps } from '../app/flash-service.js';
import type { FlashView } from '../app/flash-view.js';
import { GrantedPorts } from '../app/granted-ports.js';
import { helpFor } from '../app/help-cause.js';
import { consumeLaunchFiles } from '../app/launch-queue.js';
import { LogController } from '../app/log-controller.js';
import { detectPlatform } from '../app/platform.js';
import type { Updater } from '../app/pwa-update.js';
import { serialSupport, type SerialSupport } from '../app/serial-support.js';
import { webSerialDeps } from '../app/web-serial-deps.js';
import type { FirmwareLibrary, FirmwareMeta } from '../store/firmware-library.js';
import { IdbFirmwareLibrary } from '../store/idb-library.js';
import { localSettings, type Settings } from '../store/settings.js';
import './backup-option.js';
import './board-picker.js';
import './board-read.js';
import './bootloader-prompt.js';
import './console-dock.js';
import './firmware-picker.js';
import './flash-progress.js';
import './flash-result.js';
import type { FlashResultView } from './flash-result.js';
import './log-panel.js';
import './multi-dock.js';
import './port-offers.js';
import './recent-list.js';
import './serial-unsupported.js';
import './update-banner.js';
import { appStyles } from './hexflash-app.styles.js';

export class HexflashApp extends LitElement {
  static override styles = appStyles;
  static override properties = {
    updateReady: { type: Boolean },
    _support: { state: true },
    _choice: { state: true },
    _online: { state: true },
    _announce: { state: true },
  };

  /** Set by main.ts when a new service worker waits. */
  declare updateReady: boolean;
  declare _support: SerialSupport;
  declare _choice: BoardChoice;
  declare _online: boolean;
  declare _announce: string;

  /** Replaceable before the element connects (tests pass an in-memory library). */
  library: FirmwareLibrary = new IdbFirmwareLibrary();
  settings: Settings = localSettings;
  flashDeps: FlashDeps | null = null;
  updater: Updater | null = null;

  private readonly _deps = (): FlashDeps => (this.flashDeps ??= webSerialDeps());
  private readonly _say = (text: string): void => void (this._announce = text);
  private readonly logs = new LogController(this, () => this.settings);
  private readonly flashJob = new FlashController(this, {
    note: (level, text) => this.logs.note(level, text),
    announce: (text) => (this._announce = text),
    deps: this._deps,
    finished: (view, record) => this._finish(view, record),
    noPort: () => {
      this.logs.note('info', 'No port was chosen.');
      this._announce = 'No port chosen. Help for a board missing from the list is shown under the Flash button.';
      void this.ports.refresh();
      this.updater?.idle();
    },
  });
  /** Ports granted before, for "Flash again on <port>" without the chooser. */
  private readonly ports = new GrantedPorts(this, () => (this._support === 'ok' ? navigator.serial : null));
  private readonly fw = new FirmwareController(this, {
    library: () => this.library,
    note: (level, text) => this.logs.note(level, text),
    announce: (text) => (this._announce = text),
    used: () => this.flashJob.clear(),
    flash: () => this._flash(),
    restore: (meta) => this._flash({ restore: meta }),
  });
  private readonly backup = new BackupController(this, {
    library: () => this.library,
    settings: () => this.settings,
    deps: () => (this.flashDeps ??= webSerialDeps()),
    note: (level, text) => this.logs.note(level, text),
    announce: (text) => (this._announce = text),
    stored: () => this.fw.refreshRecent(),
    idle: () => this.updater?.idle(),
  });
  /** What the last flash was of, for Recent. */
  private flashed: { readonly fw: LoadedFirmware; readonly target: string } | null = null;

  constructor() {
    super();
    this.updateReady = false;
    this._support = serialSupport();
    this._choice = loadChoice(this.settings);
    this._online = navigator.onLine;
    this._announce = '';
  }

  /** True while a flash runs (the service worker updater holds back a reload). */
  get busy(): boolean {
    return this.flashJob.running || this.backup.running || this.renderRoot?.querySelector('hexflash-multi-dock')?.running === true;
  }

  private get _view(): FlashView {
    return this.flashJob.view;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('firmware-file', (e) => void this.fw.load(() => firmwareFromFile(e.detail)));
    this.addEventListener('firmware-url', (e) => void this.fw.load(() => firmwareFromUrl(e.detail, location.href)));
    this.addEventListener('board-change', (e) => this._setChoice(e.detail));
    this.addEventListener('recent-action', (e) => void this.fw.onRecent(e.detail));
    this.addEventListener('log-verbose', (e) => this.logs.setVerbose(e.detail));
    this.addEventListener('log-clear', () => this.logs.clear());
    this.addEventListener('update-apply', () => this.updater?.apply());
    this.addEventListener('bootloader-choose', () => void this.flashJob.chooseBootloader());
    this.addEventListener('port-flash', (e) => void this._flash({ port: e.detail.port }));
    this.addEventListener('backup-keep', (e) => this.backup.setKeep(e.detail));
    this.addEventListener('backup-read', () => void this._releaseConsole().then(() => this.backup.read(requestFor(this._choice), this.logs.verbose)));
    this.addEventListener('backup-cancel', () => this.backup.cancel());
    window.addEventListener('online', this._onNetwork);
    window.addEventListener('offline', this._onNetwork);
    consumeLaunchFiles((file) => void this.fw.load(() => firmwareFromFile(file)));
    if (location.search) void import('../app/launch-link.js').then((l) => l.openLaunchLink(location.href, { board: (c) => this._setChoice(c), load: (get) => this.fw.load(get) }));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('online', this._onNetwork);
    window.removeEventListener('offline', this._onNetwork);
  }

  override render() {
    const v = this._view;
    const busy = this.busy;
    const canFlash = this.fw.firmware !== null && !busy && this._support === 'ok';
    return html`
      <header>
        <h1>HexFlash</h1>
        <span class="muted">Flash AVR boards from the browser: Arduino, Marlin 3D printers</span>
        ${this._online ? nothing : html`<span class="badge" data-testid="offline">Offline: running from this computer</span>`}
      </header>
      ${this.updateReady ? html`<hexflash-update-banner ?busy=${busy}></hexflash-update-banner>` : nothing}
      <main>
        <hexflash-serial-unsupported support=${this._support}></hexflash-serial-unsupported>
        <div class="grid">
          <div class="col">
            <section class="card" aria-labelledby="fw-h">
              <h2 id="fw-h">1. Firmware</h2>
              <hexflash-firmware-picker .firmware=${this.fw.firmware} ?disabled=${busy}></hexflash-firmware-picker>
              ${this.fw.loadProblem ? html`<hexflash-flash-result .problem=${this.fw.loadProblem}></hexflash-flash-result>` : nothing}
            </section>
            <section class="card" aria-labelledby="board-h">
              <h2 id="board-h">2. Board</h2>
              <hexflash-board-picker .choice=${this._choice} ?disabled=${busy}></hexflash-board-picker>
            </section>
            <section class="card" aria-labelledby="flash-h">
              <h2 id="flash-h">3. Flash</h2>
              <hexflash-backup-option ?checked=${this.backup.keep} ?disabled=${busy}></hexflash-backup-option>
              <div class="actions">
                <button id="flash" class="primary" ?disabled=${!canFlash} @click=${() => void this._flash()}>Flash</button>
                ${v.running ? html`<button @click=${() => this.flashJob.cancel()}>Cancel</button>` : nothing}
                <p class="note muted">
                  ${flashNote({ support: this._support, firmware: this.fw.firmware?.name ?? null, view: v, prompt: this.flashJob.prompt !== null, keep: this.backup.keep, target: choiceLabel(this._choice) })}
                </p>
              </div>
              <hexflash-port-offers .ports=${this.ports.ports} ?disabled=${!canFlash}></hexflash-port-offers>
              ${this.flashJob.prompt ? html`<hexflash-bootloader-prompt .prompt=${this.flashJob.prompt}></hexflash-bootloader-prompt>` : nothing}
              <hexflash-flash-progress .view=${v}></hexflash-flash-progress>
              <hexflash-flash-result
                id="result"
                .result=${v.result}
                .problem=${v.problem}
                .firmwareName=${this.fw.firmware?.name ?? ''}
              ></hexflash-flash-result>
              ${this._help()}
            </section>
            <section class="card" aria-labelledby="read-h">
              <h2 id="read-h">Firmware on the board</h2>
              <hexflash-board-read .view=${this.backup.view} .done=${this.backup.done} ?disabled=${busy || this._support !== 'ok'}></hexflash-board-read>
            </section>
          </div>
          <section class="card" aria-labelledby="recent-h">
            <h2 id="recent-h">Recent firmware</h2>
            <hexflash-recent-list
              .items=${this.fw.recent}
              .currentSha=${this.fw.firmware?.sha256 ?? null}
              .notice=${this.fw.storeNotice}
              ?disabled=${busy || this._support !== 'ok'}
            ></hexflash-recent-list>
          </section>
        </div>
        <section class="card" aria-label="Several boards at once"><hexflash-multi-dock .firmware=${this.fw.firmware} .choice=${this._choice} .granted=${this.ports.ports} ?disabled=${v.running || this.backup.running || this._support !== 'ok'} .deps=${this._deps} .note=${this.logs.note.bind(this.logs)} .announce=${this._say} .library=${this.library} .onRunning=${(on: boolean) => { this.requestUpdate(); if (!on) void this.fw.refreshRecent().then(() => this.updater?.idle()); }}></hexflash-multi-dock></section>
        <section class="card" aria-label="Serial console">
          <hexflash-console-dock .lastPort=${this.flashJob.lastSerialPort} ?disabled=${v.running || this._support !== 'ok'} .deps=${this._deps} .announce=${this._say}></hexflash-console-dock>
        </section>
        <section class="card" aria-label="Log">
          <hexflash-log-panel
            .book=${this.logs.book}
            .version=${this.logs.version}
            ?verbose=${this.logs.verbose}
            .report=${this._report}
            .fileName=${() => reportFileName(new Date())}
          ></hexflash-log-panel>
        </section>
      </main>
      <footer class="muted">
        HexFlash ${APP_VERSION}. Runs entirely in this browser: firmware and logs stay on this computer.
      </footer>
      <div class="sr-only" aria-live="polite" data-testid="announce">${this._announce}</div>
    `;
  }

  /** Help for a port that does not show up or will not open; its module loads only when needed. */
  private _help() {
    const input = helpFor(this._view, detectPlatform());
    if (!input) return nothing;
    void import('./port-help.js');
    return html`<hexflash-port-help .input=${input}></hexflash-port-help>`;
  }

  private _setChoice(c: BoardChoice): void {
    this._choice = c;
    saveChoice(this.settings, c);
  }

  /** Flashes the firmware in hand (on a granted `port`: no chooser); a backup (`restore`) goes back to the chip it came from. */
  private async _flash(o: { readonly port?: SerialPort; readonly restore?: FirmwareMeta } = {}): Promise<void> {
    const fw = this.fw.firmware;
    if (!fw || this.busy) return;
    const choice = this._choice;
    const { port, restore } = o;
    const plan = restore?.backup
      ? restorePlan(fw.image, restore.backup)
      : { image: fw.image, request: requestFor(choice), target: choiceLabel(choice), precheck: () => precheckImage(fw.image, choice) };
    this.logs.note('info', `${restore ? 'Restore' : 'Flash'} ${fw.name} to ${plan.target}`);
    this.flashed = { fw, target: plan.target };
    await this._releaseConsole();
    await this.flashJob.flash({ ...plan, verbose: this.logs.verbose, keep: this.backup.keepStep(), ...(port ? { port } : {}) });
  }

  /** A flash or a read needs the port the console may hold. */
  private async _releaseConsole(): Promise<void> {
    await this.renderRoot.querySelector('hexflash-console-dock')?.release();
  }

  private _finish(view: FlashView, record: boolean): void {
    const ok = view.result !== null;
    const summary = view.result ? `${view.result.mcu}, signature ${view.result.signature}` : (view.problem?.title ?? 'failed');
    this.logs.note(ok ? 'info' : 'error', ok ? `Done: ${summary}` : `Failed: ${view.problem?.message ?? ''}`);
    this._announce = ok ? `Flash complete. ${summary}.` : `Flash failed. ${summary} ${view.problem?.hint ?? ''}`;
    void this.updateComplete.then(() => this.shadowRoot?.querySelector<FlashResultView>('#result')?.focusHeading());
    const f = this.flashed;
    const saved =
      record && f
        ? this.library.markFlashed(f.fw.sha256, { board: f.target, at: Date.now(), ok, summary }).catch(() => undefined)
        : Promise.resolve();
    // A held "reload for the new version" may proceed only once the result is stored.
    void saved.then(() => this.fw.refreshRecent()).then(() => this.updater?.idle());
    void this.ports.refresh();
  }

  private readonly _report = (): string =>
    this.logs.report({
      appVersion: APP_VERSION,
      browser: describeBrowser(),
      port: (this._view.port ?? this.flashJob.lastPort)?.label ?? null,
      firmware: this.fw.firmware ? `${this.fw.firmware.name} (${this.fw.firmware.data.length} bytes, SHA-256 ${this.fw.firmware.sha256})` : null,
      target: choiceLabel(this._choice),
      when: new Date(),
    });

  private readonly _onNetwork = (): void => {
    this._online = navigator.onLine;
  };
}

customElements.define('hexflash-app', HexflashApp);

declare global {
  interface HTMLElementTagNameMap {
    'hexflash-app': HexflashApp;
  }
}
