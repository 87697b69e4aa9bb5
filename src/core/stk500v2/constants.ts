// STK500 version 2 protocol constants, named as in Atmel AVR068 "STK500 Communication Protocol"
// (section 5 "Message format", section 6 "Commands", appendix "Status codes").

export const MESSAGE_START = 0x1b;
export const TOKEN = 0x0e;
/** A frame's bytes besides its body: start, sequence, size (2), token, checksum. */
export const FRAME_BYTES = 6;

export const CMD_SIGN_ON = 0x01;
export const CMD_SET_PARAMETER = 0x02;
export const CMD_GET_PARAMETER = 0x03;
export const CMD_LOAD_ADDRESS = 0x06;
export const CMD_ENTER_PROGMODE_ISP = 0x10;
export const CMD_LEAVE_PROGMODE_ISP = 0x11;
export const CMD_CHIP_ERASE_ISP = 0x12;
export const CMD_PROGRAM_FLASH_ISP = 0x13;
export const CMD_READ_FLASH_ISP = 0x14;
export const CMD_READ_SIGNATURE_ISP = 0x1b;
export const CMD_SPI_MULTI = 0x1d;

export const STATUS_CMD_OK = 0x00;
export const STATUS_CMD_TOUT = 0x80;
export const STATUS_RDY_BSY_TOUT = 0x81;
export const STATUS_SET_PARAM_MISSING = 0x82;
export const STATUS_CMD_FAILED = 0xc0;
export const STATUS_CKSUM_ERROR = 0xc1;
export const STATUS_CMD_UNKNOWN = 0xc9;

export const PARAM_HW_VER = 0x90;
export const PARAM_SW_MAJOR = 0x91;
export const PARAM_SW_MINOR = 0x92;

/** PROGRAM_FLASH_ISP mode byte: page mode, write page at end (bit 0 page mode, bit 7 write page). */
export const PROGRAM_MODE_PAGE_WRITE = 0xc1;
/** Bit 31 of LOAD_ADDRESS: extended addressing (loads the extended address byte). */
export const LOAD_ADDRESS_EXTENDED = 0x80000000;

/** The bootloader's receive buffer holds a 285-byte body; 256 data bytes + 10 header fit. */
export const MAX_BODY = 285;
