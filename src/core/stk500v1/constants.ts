// STK500 (version 1) protocol constants, named as in Atmel AN2525 "AVR061: STK500 Communication Protocol".

export const Resp_STK_OK = 0x10;
export const Resp_STK_FAILED = 0x11;
export const Resp_STK_INSYNC = 0x14;
export const Resp_STK_NOSYNC = 0x15;
export const Sync_CRC_EOP = 0x20;

export const Cmnd_STK_GET_SYNC = 0x30;
export const Cmnd_STK_GET_PARAMETER = 0x41;
export const Cmnd_STK_ENTER_PROGMODE = 0x50;
export const Cmnd_STK_LEAVE_PROGMODE = 0x51;
export const Cmnd_STK_LOAD_ADDRESS = 0x55;
export const Cmnd_STK_UNIVERSAL = 0x56;
export const Cmnd_STK_PROG_PAGE = 0x64;
export const Cmnd_STK_READ_PAGE = 0x74;
export const Cmnd_STK_READ_SIGN = 0x75;

export const Parm_STK_SW_MAJOR = 0x81;
export const Parm_STK_SW_MINOR = 0x82;

/** Memory type byte of PROG_PAGE / READ_PAGE: 'F' flash, 'E' EEPROM. */
export const MEMTYPE_FLASH = 0x46;

/** UNIVERSAL opcode "Load Extended Address byte" (ISP instruction 0x4D). */
export const ISP_LOAD_EXTENDED_ADDRESS = 0x4d;
