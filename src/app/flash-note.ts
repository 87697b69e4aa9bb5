// The one line under the Flash button: what pressing it will do, or what the page waits for.
import type { FlashView } from './flash-view.js';
import type { SerialSupport } from './serial-support.js';

export interface FlashNoteState {
  readonly support: SerialSupport;
  /** The name of the firmware in hand, or null. */
  readonly firmware: string | null;
  readonly view: FlashView;
  /** The bootloader's port must be chosen now (the 1200-baud touch's one step). */
  readonly prompt: boolean;
  /** "Keep the firmware that is on the board now" is ticked. */
  readonly keep: boolean;
  readonly target: string;
}

export function flashNote(s: FlashNoteState): string {
  const v = s.view;
  if (s.support !== 'ok') return 'Flashing needs Web Serial (see above).';
  if (!s.firmware) return 'Choose a firmware first.';
  if (v.noPort) return 'No port was chosen. Press Flash and pick the board in the list.';
  if (s.prompt) return 'Choose the bootloader\u2019s port below: it stays only 8 seconds.';
  if (v.running) return v.phase === 'choosing-port' ? 'Pick the board in the browser\u2019s list of ports.' : 'Keep the board plugged in.';
  const first = s.keep ? 'Reads the firmware on the board into Recent, then writes' : 'Writes';
  return `${first} ${s.firmware} (board: ${s.target}). The browser then asks for the port.`;
}
