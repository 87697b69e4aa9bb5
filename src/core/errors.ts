// Every way a flash can fail, as data: a cause code, the words a user reads, and what to do next.
// The app and the CLI both print these; the README's troubleshooting section is built from this table.

export type ErrorCode =
  | 'hex-parse'
  | 'image-empty'
  | 'image-too-large'
  | 'image-overlaps-bootloader'
  | 'unknown-mcu'
  | 'unknown-board'
  | 'signature-mismatch'
  | 'unknown-signature'
  | 'no-bootloader'
  | 'protocol-error'
  | 'verify-failed'
  | 'region-not-erased'
  | 'session-timeout'
  | 'link-timeout'
  | 'link-closed'
  | 'port-busy'
  | 'port-unreachable'
  | 'bootloader-window-missed'
  | 'backup-not-kept'
  | 'manifest-invalid'
  | 'no-build-fits'
  | 'firmware-mismatch'
  | 'aborted'
  | 'bad-argument';

interface ErrorText {
  readonly title: string;
  readonly hint: string;
}

export const ERROR_TEXT: Readonly<Record<ErrorCode, ErrorText>> = {
  'hex-parse': {
    title: 'The firmware file is not a valid Intel HEX file.',
    hint: 'Re-export or re-download the .hex file; a file that was edited, truncated or saved as a web page fails here.',
  },
  'image-empty': {
    title: 'The firmware file holds no data to write.',
    hint: 'Pick the compiled firmware (.hex), not an empty or placeholder file.',
  },
  'image-too-large': {
    title: 'The firmware is larger than the application space of this chip.',
    hint: 'Check that the firmware was built for this board; disable features to make it smaller.',
  },
  'image-overlaps-bootloader': {
    title: 'The firmware reaches into the bootloader area.',
    hint: 'Use the build without bootloader (not "with_bootloader.hex"), or pick the board whose bootloader is smaller.',
  },
  'unknown-mcu': {
    title: 'That microcontroller is not supported.',
    hint: 'Choose one of the listed MCUs, or "Detect automatically".',
  },
  'unknown-board': {
    title: 'That board preset does not exist.',
    hint: 'Choose one of the listed boards, or give the MCU instead.',
  },
  'signature-mismatch': {
    title: 'The chip on the board is not the one selected.',
    hint: 'Select the board or MCU that matches the chip the board reported, and use firmware built for it.',
  },
  'unknown-signature': {
    title: 'The board answered with a chip signature HexFlash does not know.',
    hint: 'Check that the board is an AVR board with a serial bootloader; report the signature so it can be added.',
  },
  'no-bootloader': {
    title: 'No bootloader answered.',
    hint:
      'Close any other program that holds the port (OctoPrint, Cura, PrusaSlicer, a serial monitor); check the board selection; ' +
      'press the reset button just before flashing if auto-reset does not reach the chip; for an ATmega32U4 board (Leonardo, Micro, Pro Micro) ' +
      'choose its preset, so HexFlash resets it with the 1200-baud touch; the board may have no bootloader (it then needs an ISP programmer).',
  },
  'protocol-error': {
    title: 'The bootloader gave an answer that does not fit the protocol.',
    hint: 'Retry; if it repeats, download the log and check the board selection and cable.',
  },
  'verify-failed': {
    title: 'The flash memory does not hold what was written, even after writing the differing pages again.',
    hint:
      'Flash again; the bootloader is untouched, so the board can still be flashed. If it fails at the same address every time, ' +
      'that flash area may be worn out: flash through an ISP programmer to check the chip.',
  },
  'region-not-erased': {
    title: 'Old bytes remain in a flash area that this bootloader never erases.',
    hint:
      'The stock ATmega2560 bootloader cannot erase 0x3C000-0x3DFFF. Build the firmware smaller so that it ends below 0x3C000, ' +
      'or burn the bootloader again once with an ISP programmer (the Arduino IDE\'s "Burn Bootloader" erases the whole chip first), then flash here again.',
  },
  'session-timeout': {
    title: 'Flashing took far longer than it should and was stopped.',
    hint: 'The port has been released. Check the cable and that nothing else uses the port, then flash again; the board keeps its bootloader.',
  },
  'link-timeout': {
    title: 'The board stopped answering.',
    hint: 'Check the USB cable and retry; a hub or long cable can drop data.',
  },
  'link-closed': {
    title: 'The board was disconnected.',
    hint: 'Plug it in again and retry. The bootloader is not touched by a flash, so the board can still be flashed.',
  },
  'port-busy': {
    title: 'The serial port is in use by another program.',
    hint: 'Close or disconnect it in OctoPrint, Cura, PrusaSlicer, the Arduino serial monitor or any other program, then retry.',
  },
  'port-unreachable': {
    title: 'The serial port could not be reached.',
    hint: 'Check the port name or address, and that the board or network bridge is powered and connected.',
  },
  'bootloader-window-missed': {
    title: "The board's bootloader port was not reached within its 8 seconds.",
    hint:
      'An ATmega32U4 board (Leonardo, Micro, Pro Micro, MMU2) is reset into its bootloader by opening its port at 1200 baud; ' +
      'the bootloader then shows up as a new port for 8 seconds. Flash again, and when asked, choose the port named "bootloader" at once. ' +
      'If no such port appears (the running firmware ignores the 1200-baud reset): press the reset button (twice quickly on a Pro Micro ' +
      'or LilyPad USB) and press Flash right away. Nothing was written.',
  },
  'backup-not-kept': {
    title: 'The firmware on the board could not be kept, so nothing was written.',
    hint:
      'The board still runs the firmware it had. Delete older firmware from Recent to make room in this browser, then flash again; ' +
      'or untick "Keep the firmware that is on the board now" to flash without a backup.',
  },
  'manifest-invalid': {
    title: 'The firmware manifest does not follow the manifest schema.',
    hint: 'This is for the publisher of the firmware: fix the named fields (schema/firmware-manifest.schema.json in HexFlash describes them). Nothing was written.',
  },
  'no-build-fits': {
    title: 'None of the firmware builds offered is for this board.',
    hint: 'Check that this is the board the firmware is meant for; the publisher may offer it for other boards only. Nothing was written, the board keeps its firmware.',
  },
  'firmware-mismatch': {
    title: 'The downloaded firmware is not the file the manifest names (SHA-256 differs).',
    hint: 'The file may have been replaced or damaged on the way: try again later, or tell the publisher. Nothing was written, the board keeps its firmware.',
  },
  aborted: {
    title: 'Flashing was cancelled.',
    hint: 'The port has been released. The board keeps its bootloader; flash again when ready.',
  },
  'bad-argument': {
    title: 'An option is not valid.',
    hint: 'See the usage text for the accepted values.',
  },
};

/**
 * A failure with a cause code. `message` holds the specifics in a user's words; `hint` the next step;
 * `technical`, where there is one, the protocol's view (command codes, bytes) for the log and the report.
 */
export class FlashError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly technical: string | undefined;

  constructor(code: ErrorCode, detail: string, options?: { cause?: unknown; technical?: string }) {
    super(`${ERROR_TEXT[code].title} ${detail}`.trim(), options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FlashError';
    this.code = code;
    this.detail = detail;
    this.technical = options?.technical;
  }

  get title(): string {
    return ERROR_TEXT[this.code].title;
  }

  get hint(): string {
    return ERROR_TEXT[this.code].hint;
  }
}

export function isFlashError(e: unknown, code?: ErrorCode): e is FlashError {
  return e instanceof FlashError && (code === undefined || e.code === code);
}

/** Turns anything thrown into a FlashError without losing the original. */
export function toFlashError(e: unknown, fallback: ErrorCode = 'protocol-error'): FlashError {
  if (e instanceof FlashError) return e;
  const text = e instanceof Error ? e.message : String(e);
  return new FlashError(fallback, text, { cause: e });
}
