// The custom events components fire, typed in HTMLElementEventMap. All bubble and cross shadow
// roots (composed), so <hexflash-app> listens once at the top.
import type { BoardChoice } from '../app/board-choice.js';
import type { RecentAction } from '../app/firmware-controller.js';
import type { GrantedPort } from '../app/granted-ports.js';

export type { RecentAction };

export interface UiEventDetails {
  /** A file was picked, dropped or opened. */
  'firmware-file': File;
  /** A URL was submitted for download. */
  'firmware-url': string;
  'board-change': BoardChoice;
  'recent-action': RecentAction;
  'log-verbose': boolean;
  'log-clear': undefined;
  'update-apply': undefined;
  /** The user asked for the bootloader's port chooser (after the 1200-baud touch). */
  'bootloader-choose': undefined;
  /** Flash on a port granted before, without the chooser. */
  'port-flash': GrantedPort;
  /** "Keep the firmware that is on the board now" was switched. */
  'backup-keep': boolean;
  'backup-read': undefined;
  'backup-cancel': undefined;
}

declare global {
  interface HTMLElementEventMap {
    'firmware-file': CustomEvent<File>;
    'firmware-url': CustomEvent<string>;
    'board-change': CustomEvent<BoardChoice>;
    'recent-action': CustomEvent<RecentAction>;
    'log-verbose': CustomEvent<boolean>;
    'log-clear': CustomEvent<undefined>;
    'update-apply': CustomEvent<undefined>;
    'bootloader-choose': CustomEvent<undefined>;
    'port-flash': CustomEvent<GrantedPort>;
    'backup-keep': CustomEvent<boolean>;
    'backup-read': CustomEvent<undefined>;
    'backup-cancel': CustomEvent<undefined>;
  }
}

export function fire<K extends keyof UiEventDetails>(from: EventTarget, type: K, detail: UiEventDetails[K]): void {
  from.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}
