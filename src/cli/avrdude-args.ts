// avrdude's flashing options, for tools that run avrdude with a fixed command line (OctoPrint's
// FirmwareUpdater, Arduino-style scripts): -p -c -P -b -D -V -v -q -C -e -U. Values may follow
// the letter directly (-pm2560) as getopt allows. The programmer and baud are a first guess: the
// session goes on to auto-detection when nothing answers with them.
import { DEVICES, isMcuId, MCU_IDS, type McuId } from '../core/devices.js';
import { FlashError } from '../core/errors.js';
import type { ProtocolId } from '../core/programmer.js';
import { checkPortSpec } from '../transports/node-link.js';
import { parseBaud } from './args.js';
import type { FlashCommand, ReadCommand } from './command.js';

/** avrdude programmer ids that name a serial bootloader protocol HexFlash speaks. */
const PROGRAMMERS: Readonly<Record<string, ProtocolId>> = {
  wiring: 'stk500v2',
  stk500v2: 'stk500v2',
  avrispv2: 'stk500v2',
  arduino: 'stk500v1',
  stk500v1: 'stk500v1',
  stk500: 'stk500v1',
  urclock: 'stk500v1',
  avr109: 'avr109',
  butterfly: 'avr109',
};

const WITH_VALUE = new Set(['p', 'c', 'P', 'b', 'C', 'U']);
const FLAGS = new Set(['D', 'V', 'v', 'q', 'e']);

function bad(text: string): FlashError {
  return new FlashError('bad-argument', text);
}

/** "m2560", "atmega2560", "ATmega328P", "m328p" -> the MCU table's id. */
export function partToMcu(part: string): McuId {
  const p = part.toLowerCase();
  const id = p.startsWith('atmega') ? p : p.startsWith('m') ? `atmega${p.slice(1)}` : p;
  if (!isMcuId(id)) throw bad(`-p ${part} is not a part HexFlash knows; it knows ${MCU_IDS.map((m) => `m${m.slice(6)}`).join(', ')}.`);
  return id;
}

interface MemoryOp {
  readonly op: 'w' | 'r' | 'v';
  readonly file: string;
  readonly format: string | undefined;
}

/** -U memtype:op:filename[:format]; the file name may hold colons (C:\fw.hex). */
function parseMemoryOp(text: string): MemoryOp {
  const m = /^([a-z]+):([rwv]):(.+?)(?::([iarsmhdob]))?$/i.exec(text);
  if (!m || !m[1] || !m[2] || !m[3]) throw bad(`-U ${text} is not of the form flash:w:FILE[:i], flash:r:FILE:i.`);
  if (m[1].toLowerCase() !== 'flash') throw bad(`-U ${text}: only the flash memory can be written or read through a bootloader (not ${m[1]}).`);
  if (m[2] === 'v') throw bad(`-U ${text}: a separate verify is not supported; flash:w verifies every byte it writes.`);
  return { op: m[2] as 'w' | 'r', file: m[3], format: m[4]?.toLowerCase() };
}

export function parseAvrdudeCommand(argv: readonly string[]): FlashCommand | ReadCommand {
  const values = new Map<string, string>();
  const counts = new Map<string, number>();
  const ops: MemoryOp[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '') continue; // an empty {disableverify} in a tool's template
    if (!arg.startsWith('-') || arg.length < 2) throw bad(`Unexpected argument "${arg}"; avrdude's options start with "-".`);
    for (let j = 1; j < arg.length; j++) {
      const letter = arg.charAt(j);
      if (FLAGS.has(letter)) {
        counts.set(letter, (counts.get(letter) ?? 0) + 1);
        continue;
      }
      if (!WITH_VALUE.has(letter)) throw bad(`Option -${letter} is not supported in avrdude's place (HexFlash takes -p -c -P -b -D -V -v -q -C -e -U).`);
      const attached = arg.slice(j + 1);
      const value = attached !== '' ? attached : argv[++i];
      if (value === undefined || value === '') throw bad(`Option -${letter} needs a value.`);
      if (letter === 'U') ops.push(parseMemoryOp(value));
      else values.set(letter, value);
      break;
    }
  }
  const part = values.get('p');
  if (part === undefined) throw bad('-p PART is required (for example -p m2560).');
  const mcu = partToMcu(part);
  const port = values.get('P');
  if (port === undefined) throw bad('-P PORT is required (for example -P /dev/ttyUSB0).');
  checkPortSpec(port);
  const programmer = (values.get('c') ?? 'arduino').toLowerCase();
  const protocol = PROGRAMMERS[programmer];
  if (!protocol) {
    throw bad(
      `-c ${programmer} is not a serial bootloader protocol HexFlash speaks (${Object.keys(PROGRAMMERS).join(', ')}); ` +
        'ISP programmers are not supported.',
    );
  }
  const baudText = values.get('b');
  const baud = baudText === undefined ? undefined : parseBaud(baudText, '-b');
  const op = ops[0];
  if (!op) throw bad('Nothing to do: give -U flash:w:FILE:i to write or -U flash:r:FILE:i to read.');
  if (ops.length > 1) throw bad('Give one -U operation at a time.');
  const verbosity = counts.get('v') ?? 0;
  const common = {
    port,
    dialect: 'avrdude',
    verbosity: verbosity >= 2 ? 2 : verbosity,
    quiet: (counts.get('q') ?? 0) > 0,
    target: { mcu, protocol, ...(baud !== undefined ? { baud } : {}), thenAuto: true },
  } as const;
  if (op.op === 'r') {
    if (op.format !== undefined && op.format !== 'i' && op.format !== 'r') throw bad(`-U flash:r:${op.file}:${op.format}: the output formats are i (Intel HEX) and r (raw binary).`);
    return { ...common, kind: 'read', out: op.file, format: op.format === 'r' ? 'bin' : 'hex' };
  }
  if (op.format !== undefined && op.format !== 'i' && op.format !== 'a' && op.format !== 'r') {
    throw bad(`-U flash:w:${op.file}:${op.format}: the input formats are i (Intel HEX), r (raw binary) and a (auto).`);
  }
  const notes = (counts.get('e') ?? 0) > 0 ? [`-e: a bootloader cannot erase the whole ${DEVICES[mcu].name}; it erases each page as it writes it, so no separate erase is needed.`] : [];
  return {
    ...common,
    kind: 'flash',
    file: op.file,
    format: op.format === 'r' ? 'bin' : op.format === 'i' ? 'hex' : 'auto',
    address: 0,
    verify: (counts.get('V') ?? 0) === 0,
    notes,
  };
}
