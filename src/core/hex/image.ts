// FirmwareImage: what a hex or bin file becomes, ready for a session to write.

export interface Segment {
  /** First byte address. */
  readonly start: number;
  /** One past the last byte address. */
  readonly end: number;
}

export interface FirmwareImage {
  /** Dense bytes from address 0 up to `end`; addresses the file did not specify hold 0xFF. */
  readonly bytes: Uint8Array;
  /** The address ranges the file specified, sorted and merged. */
  readonly segments: readonly Segment[];
  /** One past the highest specified address (0 for an empty image). */
  readonly end: number;
  /** How many bytes the file specified. */
  readonly dataBytes: number;
  /** Non-fatal remarks, each naming a line where it has one (e.g. data after the EOF record). */
  readonly warnings: readonly string[];
}
