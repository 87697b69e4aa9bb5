// AVR109 ("AVR109: Self-programming", the AVR910-style command set) as Caterina.c implements it:
// single-letter commands, answers '\r' where the command has no data, '?' for an unknown command.
// Names follow the application note's command table; the letters are Caterina's CDC_Task.

/** Answer to a command that has no data (Caterina: WriteNextResponseByte('\r')). */
export const CR = 0x0d;
/** Answer to an unknown command, or a block command with a memory type other than 'E'/'F'. */
export const UNKNOWN = 0x3f; // '?'
/** Ignored by Caterina ("Command != 27"); a harmless filler when resynchronising. */
export const ESC = 0x1b;

export const Cmd_ExitBootloader = 0x45; // 'E': starts the application 500 ms later
export const Cmd_SelectDeviceType = 0x54; // 'T' + type byte
export const Cmd_LeaveProgMode = 0x4c; // 'L'
export const Cmd_EnterProgMode = 0x50; // 'P'
export const Cmd_ReturnDeviceCodes = 0x74; // 't': device codes, ended by 0x00
export const Cmd_CheckAutoIncrement = 0x61; // 'a' -> 'Y'
export const Cmd_SetAddress = 0x41; // 'A' + word address high, low
export const Cmd_ReturnProgrammerType = 0x70; // 'p' -> 'S' (serial)
export const Cmd_ReturnSoftwareId = 0x53; // 'S' -> 7 characters ("CATERIN")
export const Cmd_ReturnSoftwareVersion = 0x56; // 'V' -> two ASCII digits
export const Cmd_ReadSignature = 0x73; // 's' -> three bytes, last signature byte first
export const Cmd_ChipErase = 0x65; // 'e': erases the application section
export const Cmd_CheckBlockSupport = 0x62; // 'b' -> 'Y', size high, size low
export const Cmd_StartBlockLoad = 0x42; // 'B' + size high, low + memory type + data
export const Cmd_StartBlockRead = 0x67; // 'g' + size high, low + memory type

export const MEM_FLASH = 0x46; // 'F'
export const MEM_EEPROM = 0x45; // 'E'

/** Length of the software identifier 'S' returns (Caterina sends 7 of "CATERINA"). */
export const SOFTWARE_ID_BYTES = 7;
