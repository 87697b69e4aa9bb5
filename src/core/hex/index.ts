// The firmware image API: Intel HEX and raw binary in, FirmwareImage out, and Intel HEX back.
export type { FirmwareImage, Segment } from './image.js';
export { HexParseError } from './errors.js';
export { parseIntelHex, toIntelHex } from './intel-hex.js';
export { imageFromBinary, imageFromSegments, MAX_FLASH_BYTES } from './binary.js';
