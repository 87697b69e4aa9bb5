// The error a malformed Intel HEX file raises: which line, and what is wrong with it.
import { FlashError } from '../errors.js';

export class HexParseError extends FlashError {
  /** 1-based line number in the file. */
  readonly line: number;

  constructor(line: number, reason: string) {
    super('hex-parse', `Line ${line}: ${reason}`);
    this.name = 'HexParseError';
    this.line = line;
  }
}
