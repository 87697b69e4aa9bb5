// Command-line parsing for the CLI: turns argv into a checked FlashCommand or a usage error.
import { parseArgs } from 'node:util';
import { BOARD_IDS, isBoardId } from '../core/boards.js';
import { isMcuId, MCU_IDS } from '../core/devices.js';
import { FlashError } from '../core/errors.js';
import type { ProtocolId } from '../core/programmer.js';
import { parseNetPort } from '../transports/tcp.js';

export const USAGE = `Usage:
  hexflash flash FILE --port net:HOST:PORT [--protocol auto|stk500v1|stk500v2] [--baud N]
                      [--mcu NAME | --board NAME] [--no-verify] [--address N (for .bin)] [--verbose]

  FILE        Intel HEX (.hex) or raw binary (.bin, written at --address, default 0)
  --port      a TCP serial bridge, as avrdude names it: net:127.0.0.1:7000
  --protocol  bootloader protocol; "auto" (default) finds out which one answers
  --baud      baud rate; by default the board's, or every usual one with auto
  --mcu       ${MCU_IDS.join(', ')}
  --board     ${BOARD_IDS.join(', ')}

Start an emulated board to flash:  npm run emulate -- --mcu atmega2560 --port 7000`;

export interface FlashCommand {
  readonly file: string;
  readonly port: string;
  readonly protocol: ProtocolId | 'auto';
  readonly baud: number | undefined;
  readonly mcu: string | undefined;
  readonly board: string | undefined;
  readonly verify: boolean;
  readonly address: number;
  readonly verbose: boolean;
}

function bad(text: string): FlashError {
  return new FlashError('bad-argument', text);
}

export function parseFlashCommand(argv: readonly string[]): FlashCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: 'string' },
        protocol: { type: 'string', default: 'auto' },
        baud: { type: 'string' },
        mcu: { type: 'string' },
        board: { type: 'string' },
        'no-verify': { type: 'boolean', default: false },
        address: { type: 'string', default: '0' },
        verbose: { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    throw bad(e instanceof Error ? e.message : String(e));
  }
  const { values, positionals } = parsed;
  if (positionals[0] !== 'flash') throw bad(`Unknown command "${positionals[0] ?? ''}"; the command is "flash".`);
  const file = positionals[1];
  if (!file || positionals.length > 2) throw bad('Give exactly one firmware FILE after "flash".');
  if (!values.port) throw bad('--port is required, e.g. --port net:127.0.0.1:7000.');
  parseNetPort(values.port);
  const protocol = values.protocol;
  if (protocol !== 'auto' && protocol !== 'stk500v1' && protocol !== 'stk500v2') {
    throw bad(`--protocol "${protocol}" is not one of auto, stk500v1, stk500v2.`);
  }
  let baud: number | undefined;
  if (values.baud !== undefined) {
    baud = Number(values.baud);
    if (!Number.isInteger(baud) || baud < 300 || baud > 2_000_000) throw bad(`--baud "${values.baud}" is not a baud rate between 300 and 2000000.`);
  }
  if (values.mcu !== undefined && values.board !== undefined) throw bad('Give --mcu or --board, not both.');
  if (values.mcu !== undefined && !isMcuId(values.mcu.toLowerCase())) throw bad(`--mcu "${values.mcu}" is not one of ${MCU_IDS.join(', ')}.`);
  if (values.board !== undefined && !isBoardId(values.board)) throw bad(`--board "${values.board}" is not one of ${BOARD_IDS.join(', ')}.`);
  const address = Number(values.address);
  if (!Number.isInteger(address) || address < 0) throw bad(`--address "${values.address}" is not a non-negative whole number.`);
  return {
    file,
    port: values.port,
    protocol,
    baud,
    mcu: values.mcu,
    board: values.board,
    verify: !values['no-verify'],
    address,
    verbose: values.verbose,
  };
}
