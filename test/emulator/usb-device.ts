// An ATmega32U4 board as the USB host sees it: one USB device whose serial port changes identity.
// While the sketch runs it is the sketch's port (e.g. Leonardo 2341:8036). Closing that port after
// opening it at 1200 baud is the touch: the port vanishes, the sketch's part of the touch is done
// for it (boot key 0x7777 at RAM 0x0800, watchdog reset: the sketch is not emulated), and after the
// re-enumeration delay the bootloader's port appears (2341:0036) on the real Caterina. When Caterina
// leaves for the sketch (its 8 s without block commands, or 'E'), that port vanishes and the
// sketch's port comes back. Each appearance is a new port object, as in Chrome.
import type { EmulatedBoard } from './board.js';
import type { PortSink } from './serial-hub.js';
import { EmulatedSerialPort } from './serial-port.js';

export interface UsbIdentity {
  readonly vid: number;
  readonly sketchPid: number;
  readonly bootloaderPid: number;
}


export const TOUCH_BAUD = 1200;
/** What Arduino's USB CDC code writes before it lets the watchdog reset the chip. */
export const BOOT_KEY = { address: 0x0800, bytes: [0x77, 0x77] } as const;

export class UsbCdcDevice {
  /** The port the device shows now (null between a disappearance and the next appearance). */
  port: EmulatedSerialPort | null = null;
  readonly history: string[] = [];
  /** A sketch without Arduino's USB CDC code (custom firmware): the 1200-baud touch does nothing. */
  ignoresTouch = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly board: EmulatedBoard,
    readonly ids: UsbIdentity,
    private readonly sink: PortSink,
    /** Time from a reset to the new port's appearance (USB re-enumeration). */
    private readonly enumerateMs = 300,
  ) {
    board.onApplicationStart = () => this.reenumerate('sketch');
    // Plugged in: power-on. Caterina starts the sketch if there is one (then onApplicationStart
    // replaces this appearance), or stays in the bootloader on an empty chip.
    this.reenumerate('bootloader');
  }

  /** Resolves once the device shows a port in `mode` (at most `ms`). */
  async settled(mode: 'sketch' | 'bootloader', ms = 3000): Promise<void> {
    const end = Date.now() + ms;
    while (this.mode !== mode) {
      if (Date.now() > end) throw new Error(`the USB device did not show its ${mode} port within ${ms} ms (now: ${this.mode})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  get mode(): 'sketch' | 'bootloader' | 'gone' {
    if (!this.port) return 'gone';
    return this.port.getInfo().usbProductId === this.ids.sketchPid ? 'sketch' : 'bootloader';
  }

  /** The reset button (pressed once: an external reset enters Caterina). */
  pressReset(): void {
    this.board.reset();
    this.reenumerate('bootloader');
  }

  unplug(): void {
    if (this.timer) clearTimeout(this.timer);
    this.board.onApplicationStart = null;
    this.vanish();
  }

  private appear(mode: 'sketch' | 'bootloader'): void {
    const pid = mode === 'sketch' ? this.ids.sketchPid : this.ids.bootloaderPid;
    const port = new EmulatedSerialPort(this.board, {
      usbVendorId: this.ids.vid,
      usbProductId: pid,
      onClose: (baud) => {
        if (mode === 'sketch' && baud === TOUCH_BAUD && this.port === port && !this.ignoresTouch) this.touched();
      },
    });
    this.port = port;
    this.history.push(`${mode} ${pid.toString(16).padStart(4, '0')}`);
    this.sink.plug(port);
  }

  private touched(): void {
    this.history.push('touch');
    this.board.watchdogReset(BOOT_KEY);
    this.reenumerate('bootloader');
  }

  private reenumerate(next: 'sketch' | 'bootloader'): void {
    this.vanish();
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.appear(next);
    }, this.enumerateMs);
  }

  private vanish(): void {
    const old = this.port;
    if (!old) return;
    this.port = null;
    old.disconnect();
    this.sink.unplug(old);
  }
}
