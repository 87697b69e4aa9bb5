// HexFlash's own command line: `flash FILE --port P`, `read --port P OUT`, `ports`; turns argv
// into a checked CliCommand or a usage error.
import { parseArgs } from 'node:util';
import { BOARD_IDS, isBoardId } from '../core/boards.js';
import { isMcuId, MCU_IDS } from '../core/devices.js';
import { FlashError } from '../core/errors.js';
import { isProtocolId, PROTOCOL_IDS, type ProtocolId } from '../core/programmer.js';
import type { TargetRequest } from '../core/target.js';
import { checkPortSpec } from '../transports/node-link.js';
import type { CliCommand } from './command.js';

export const USAGE = `Usage:
  hexflash flash FILE --port PORT [--port PORT ...] [--protocol auto|stk500v1|stk500v2|avr109] [--baud N]
                      [--mcu NAME | --board NAME] [--no-verify] [--address N (for .bin)] [--verbose]
  hexflash read --port PORT [--mcu NAME | --board NAME] [--protocol ...] [--baud N] OUT.hex|OUT.bin
  hexflash ports [--json]
  hexflash -p PART -c PROGRAMMER -P PORT [-b BAUD] -U flash:w:FILE:i ...   (avrdude's options)

  FILE        Intel HEX (.hex) or raw binary (.bin, written at --address, default 0)
  --port      a local serial port (/dev/ttyUSB0, /dev/ttyACM0, COM3), a raw TCP serial
              bridge as avrdude names it (net:192.168.1.20:2000), or an RFC 2217 server
              (rfc2217://192.168.1.20:2000, ser2net's telnet(rfc2217)) that carries baud and DTR/RTS;
              for flash, give it more than once to flash every board at once (one summary at the end)
  --protocol  bootloader protocol; "auto" (the default without --board) finds out which one answers
  --baud      baud rate; by default the board's, or every usual one with auto
  --mcu       ${MCU_IDS.join(', ')}
  --board     ${BOARD_IDS.join(', ')}

Exit status: 0 only when every byte was written and verified (read: read whole; several
ports: on every board); 1 failed (on any board); 2 bad arguments; 3 written with --no-verify (not proven).`;

function bad(text: string): FlashError {
  return new FlashError('bad-argument', text);
}

const OPTIONS = {
  port: { type: 'string', multiple: true },
  protocol: { type: 'string' },
  baud: { type: 'string' },
  mcu: { type: 'string' },
  board: { type: 'string' },
  'no-verify': { type: 'boolean', default: false },
  address: { type: 'string', default: '0' },
  verbose: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

export function parseCommand(argv: readonly string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS });
  } catch (e) {
    throw bad(e instanceof Error ? e.message : String(e));
  }
  const { values, positionals } = parsed;
  const [verb, ...rest] = positionals;
  if (verb === 'ports') {
    if (rest.length > 0) throw bad('"ports" takes no file.');
    return { kind: 'ports', json: values.json };
  }
  if (verb !== 'flash' && verb !== 'read') throw bad(`Unknown command "${verb ?? ''}"; the commands are flash, read and ports.`);
  const file = rest[0];
  if (!file || rest.length > 1) throw bad(verb === 'flash' ? 'Give exactly one firmware FILE after "flash".' : 'Give exactly one output file (OUT.hex or OUT.bin) after "read".');
  const ports = values.port ?? [];
  const [port] = ports;
  if (port === undefined) throw bad('--port is required, e.g. --port /dev/ttyUSB0 or --port net:127.0.0.1:7000.');
  for (const p of ports) checkPortSpec(p);
  if (verb === 'read' && ports.length > 1) throw bad('"read" takes one --port: a read writes one file.');
  const twice = ports.find((p, i) => ports.indexOf(p) !== i);
  if (twice !== undefined) throw bad(`--port ${twice} is given twice; give each board's port once.`);
  const target = targetFrom(values);
  const common = { port, target, dialect: 'hexflash', verbosity: values.verbose ? 2 : 0, quiet: false } as const;
  if (verb === 'read') return { ...common, kind: 'read', out: file, format: file.toLowerCase().endsWith('.bin') ? 'bin' : 'hex' };
  const address = Number(values.address);
  if (!Number.isInteger(address) || address < 0) throw bad(`--address "${values.address}" is not a non-negative whole number.`);
  return { ...common, kind: 'flash', file, format: 'auto', address, verify: !values['no-verify'], notes: [], ...(ports.length > 1 ? { ports } : {}) };
}

function targetFrom(values: { protocol?: string | undefined; baud?: string | undefined; mcu?: string | undefined; board?: string | undefined }): TargetRequest {
  const protocol = values.protocol;
  if (protocol !== undefined && protocol !== 'auto' && !isProtocolId(protocol)) {
    throw bad(`--protocol "${protocol}" is not one of auto, ${PROTOCOL_IDS.join(', ')}.`);
  }
  let baud: number | undefined;
  if (values.baud !== undefined) baud = parseBaud(values.baud, '--baud');
  if (values.mcu !== undefined && values.board !== undefined) throw bad('Give --mcu or --board, not both.');
  if (values.mcu !== undefined && !isMcuId(values.mcu.toLowerCase())) throw bad(`--mcu "${values.mcu}" is not one of ${MCU_IDS.join(', ')}.`);
  if (values.board !== undefined && !isBoardId(values.board)) throw bad(`--board "${values.board}" is not one of ${BOARD_IDS.join(', ')}.`);
  return {
    ...(protocol !== undefined ? { protocol: protocol as ProtocolId | 'auto' } : {}),
    ...(baud !== undefined ? { baud } : {}),
    ...(values.mcu !== undefined ? { mcu: values.mcu.toLowerCase() } : {}),
    ...(values.board !== undefined ? { board: values.board } : {}),
  };
}

export function parseBaud(text: string, name: string): number {
  const baud = Number(text);
  if (!Number.isInteger(baud) || baud < 300 || baud > 2_000_000) throw bad(`${name} "${text}" is not a baud rate between 300 and 2000000.`);
  return baud;
}
