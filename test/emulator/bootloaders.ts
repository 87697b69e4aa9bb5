// The real bootloaders the emulated boards run (Node only).
//
// Nothing here is a committed binary or a copied bootloader source. Every image comes from the
// Debian packages installed on the machine:
//   - used as shipped: Debian arduino-core-avr's stk500boot_v2_mega2560.hex,
//     ATmegaBOOT_168_atmega1280.hex, and the 19200-baud ATmegaBOOT_168_diecimila.hex,
//     ATmegaBOOT_168_ng.hex (ATmega168) and atmega8/ATmegaBOOT.hex (ATmega8);
//   - built at test time with gcc-avr from arduino-core-avr's sources: optiboot for the ATmega328P
//     (Debian's own optiboot_atmega328.hex is 532 bytes and runs past the end of flash) and
//     ATmegaBOOT for the ATmega1284P (the Anet A8 / Melzi / Sanguino case; Debian ships none), and
//     Caterina for the ATmega32U4 with its USB byte I/O moved to the USART (caterina-recipe.ts).
// Builds go to <repo>/.cache/bootloaders/ (gitignored), or $HEXFLASH_CACHE/bootloaders/ when the
// HEXFLASH_CACHE environment variable names another cache root. A build happens only when its
// output is missing; the file name carries a hash of the recipe and of the Debian source files, so
// changing either builds again. Builds run in a private temporary directory inside the cache folder
// and the finished .hex is renamed into place, so parallel test workers never see half a file (if
// two workers race, both produce identical bytes and the last rename wins).
//
// Run `npx tsx test/emulator/bootloaders.ts` to build everything and print what was found.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProtocolId } from '../../src/core/programmer.js';
import { CATERINA_32U4 } from './caterina-recipe.js';

export type BootloaderId =
  | 'stk500v2-atmega2560'
  | 'optiboot-atmega328p'
  | 'atmegaboot-atmega1280'
  | 'atmegaboot-atmega1284p'
  | 'caterina-atmega32u4'
  | 'atmegaboot-diecimila-atmega168'
  | 'atmegaboot-ng-atmega168'
  | 'atmegaboot-atmega8';

export type BootloaderMcu = 'atmega2560' | 'atmega328p' | 'atmega1280' | 'atmega1284p' | 'atmega32u4' | 'atmega168' | 'atmega8';

export interface BootloaderInfo {
  id: BootloaderId;
  mcu: BootloaderMcu;
  protocol: ProtocolId;
  /** Nominal baud rate the host must use. (The UBRR value the code loads gives 2.1 % more on all four.) */
  baud: number;
  /** Byte address the boot reset vector points to (BOOTRST target), = lowest address in the hex. */
  start: number;
  /** Size in bytes of the boot section `start` begins (flashBytes - start): what BOOTSZ must select. */
  bootSectionBytes: number;
  /** Flash size of the MCU in bytes (one past the last flash address). */
  flashBytes: number;
  /** Bytes of data the hex specifies. */
  size: number;
  /** The .hex file used (Debian's, or our cache build). */
  hexPath: string;
  hexText: string;
  /** Where the image came from, with the exact build command for a build. */
  origin: string;
  /** The bootloader talks over the chip's own USB (Caterina): emulate with EmulatedBoard's `usbCdc`. */
  usbCdc: boolean;
}

export const BOOTLOADER_IDS: readonly BootloaderId[] = [
  'stk500v2-atmega2560',
  'optiboot-atmega328p',
  'atmegaboot-atmega1280',
  'atmegaboot-atmega1284p',
  'caterina-atmega32u4',
  'atmegaboot-diecimila-atmega168',
  'atmegaboot-ng-atmega168',
  'atmegaboot-atmega8',
];

export const FLASH_BYTES: Readonly<Record<BootloaderMcu, number>> = {
  atmega2560: 0x40000,
  atmega328p: 0x8000,
  atmega1280: 0x20000,
  atmega1284p: 0x20000,
  atmega32u4: 0x8000,
  atmega168: 0x4000,
  atmega8: 0x2000,
};

/** Where Debian's arduino-core-avr installs the Arduino AVR bootloaders. */
export const DEBIAN_BOOTLOADERS_DIR = '/usr/share/arduino/hardware/arduino/avr/bootloaders';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The folder builds are cached in: $HEXFLASH_CACHE/bootloaders, default <repo>/.cache/bootloaders. */
export function bootloaderCacheDir(): string {
  const root = process.env.HEXFLASH_CACHE ? resolve(process.env.HEXFLASH_CACHE) : join(REPO_ROOT, '.cache');
  return join(root, 'bootloaders');
}

// ---------------------------------------------------------------------------------------------
// Recipes

/** A literal or pattern replacement in a copy of a Debian source file; `count` is how many matches
 *  the Debian file must have (the build fails if the source changed under us). */
export interface SourceEdit {
  why: string;
  find: string | RegExp;
  /** `$1`-style references allowed when `find` is a RegExp. "\n" is written as the file's line ending. */
  replace: string;
  count: number;
}

interface Common {
  id: BootloaderId;
  mcu: BootloaderMcu;
  protocol: ProtocolId;
  baud: number;
  /** Expected start (lowest hex address); checked. */
  start: number;
  /** Largest image allowed (bytes in the hex); checked. */
  maxBytes: number;
  /** Over the chip's own USB CDC port rather than a UART (see BootloaderInfo.usbCdc). */
  usbCdc?: boolean;
}

interface DebianHexRecipe extends Common {
  kind: 'debian-hex';
  /** Relative to DEBIAN_BOOTLOADERS_DIR. */
  file: string;
}

export interface BuildRecipe extends Common {
  kind: 'build';
  /** Directory relative to DEBIAN_BOOTLOADERS_DIR holding the sources. */
  dir: string;
  /** The C file compiled; the other files are headers it includes. */
  main: string;
  headers: string[];
  edits: SourceEdit[];
  /** Edits of the headers, by file name. */
  headerEdits?: Readonly<Record<string, SourceEdit[]>>;
  /** Files of ours written beside the Debian sources (a shim header), by name. */
  ownFiles?: Readonly<Record<string, string>>;
  /** avr-gcc flags, as the Debian Makefile's target would pass them, plus ours (documented). */
  gccFlags: string[];
  /** avr-objcopy arguments before the input and output file names. */
  objcopyFlags: string[];
  /** Instructions the bootloader's own code must contain (C runtime and libgcc symbols, "__...",
   *  do not count: the 1284P's __do_copy_data has an ELPM of its own). */
  mustContain: { what: string; insn: RegExp }[];
  /** Human-readable notes for `origin`. */
  note: string;
}

type Recipe = DebianHexRecipe | BuildRecipe;

const OPTIBOOT_328P: BuildRecipe = {
  kind: 'build',
  id: 'optiboot-atmega328p',
  mcu: 'atmega328p',
  protocol: 'stk500v1',
  baud: 115200,
  start: 0x7e00,
  maxBytes: 512,
  dir: 'optiboot',
  main: 'optiboot.c',
  headers: ['boot.h', 'pin_defs.h', 'stk500.h'],
  edits: [],
  // The Makefile's `atmega328` target (OPTIMIZE, CFLAGS, LDSECTIONS, LDFLAGS) -- with exactly these
  // flags gcc-avr 5.4 reproduces Debian's 532-byte optiboot_atmega328.hex byte for byte -- plus the
  // four flags from -mrelax on, which bring it to the intended 500 bytes (.text 0x7E00..0x7FF3,
  // version word at 0x7FFE). The 532-byte build's .text overlaps the version word at 0x7FFE and
  // runs to 0x8013, past the end of the 32 KiB flash.
  gccFlags: [
    '-g', '-Wall', '-Os', '-fno-inline-small-functions', '-fno-split-wide-types', '-mshort-calls',
    '-mmcu=atmega328p', '-DF_CPU=16000000L', '-DLED_START_FLASHES=3', '-DBAUD_RATE=115200',
    '-mrelax', '-fno-caller-saves', '-fno-tree-scev-cprop', '-fno-move-loop-invariants',
    '-Wl,--section-start=.text=0x7e00', '-Wl,--section-start=.version=0x7ffe',
    '-Wl,--relax', '-Wl,--gc-sections', '-nostartfiles', '-nostdlib',
  ],
  objcopyFlags: ['-j', '.text', '-j', '.data', '-j', '.version', '--set-section-flags', '.version=alloc,load', '-O', 'ihex'],
  mustContain: [
    { what: 'SPM', insn: /^spm\b/ },
    { what: 'WDR', insn: /^wdr\b/ },
  ],
  note: 'Makefile target atmega328 plus -mrelax -fno-caller-saves -fno-tree-scev-cprop -fno-move-loop-invariants',
};

// ATmegaBOOT_168.c knows the ATmega1280 (UART0 + RAMPZ/ELPM) and the single-UART 168/328P, but not
// the ATmega1284P: compiled as is for it, it has no SIG2/SIG3/PAGE_SIZE, falls into the
// ATmega8/16/32 branches (UBRRL, UCSRA, SPMCR: registers the 1284P does not have) and would never
// set RAMPZ. The edits below make the 1284P take the 168/328P paths (USART0 via UBRR0/UCSR0x/UDR0,
// RX pull-up on PD0 = RXD0, direct EEPROM access with EEPE, SPMCSR) and the 1280's RAMPZ paths
// (page writes and ELPM reads above 64 KiB). The 1280-only monitor ("!!!"), LED on PB7 and
// 4-UART selection stay 1280-only: the 1284P build has no monitor and its LED is PB5 (the source's
// default; a Sanguino/Melzi LED is on PB0, which only changes which pin blinks).
const ATMEGABOOT_1284P_EDITS: SourceEdit[] = [
  {
    why: 'signature 1E 97 05 and 128-word pages for the ATmega1284P',
    find: '#elif defined __AVR_ATmega1281__',
    replace:
      '#elif defined __AVR_ATmega1284P__\n#define SIG2\t0x97\n#define SIG3\t0x05\n#define PAGE_SIZE\t0x80U\t//128 words\n\n#elif defined __AVR_ATmega1281__',
    count: 1,
  },
  {
    why: 'USART0, direct EEPROM access and SPMCSR: the 1284P takes every 168/328P branch',
    find: /^(#(?:el)?if defined ?\(__AVR_ATmega168__\).*defined ?\(__AVR_ATmega328__\))/gm,
    replace: '$1 || defined(__AVR_ATmega1284P__)',
    count: 7,
  },
  {
    why: 'page writes above 64 KiB: set RAMPZ as for the 1280',
    find: '#if defined(__AVR_ATmega128__) || defined(__AVR_ATmega1280__) || defined(__AVR_ATmega1281__)',
    replace: '#if defined(__AVR_ATmega128__) || defined(__AVR_ATmega1280__) || defined(__AVR_ATmega1281__) || defined(__AVR_ATmega1284P__)',
    count: 1,
  },
  {
    why: 'reads above 64 KiB: flags.rampz and pgm_read_byte_far (ELPM) as for the 1280',
    find: /^#if defined\(__AVR_ATmega128__\) \|\| defined\(__AVR_ATmega1280__\)(?=\r?\n[ \t]*(?:if \(address\.word>0x7FFF\)|else putch\(pgm_read_byte_far\())/gm,
    replace: '#if defined(__AVR_ATmega128__) || defined(__AVR_ATmega1280__) || defined(__AVR_ATmega1284P__)',
    count: 2,
  },
];

// Boot section for the 1284P: the build is about 1.5 KiB, so the 2 KiB section at 0x1F800
// (BOOTSZ1:0=10, 1024 words) is the smallest that holds it. It is also the layout of the Melzi
// board definition Anet/Melzi users flash with: high fuse 0xDC, upload.maximum_size 129024
// (= 0x1F800), 57600 baud, stk500v1.
const ATMEGABOOT_1284P_START = 0x1f800;

const ATMEGABOOT_1284P: BuildRecipe = {
  kind: 'build',
  id: 'atmegaboot-atmega1284p',
  mcu: 'atmega1284p',
  protocol: 'stk500v1',
  baud: 57600,
  start: ATMEGABOOT_1284P_START,
  maxBytes: 0x20000 - ATMEGABOOT_1284P_START,
  dir: 'atmega',
  main: 'ATmegaBOOT_168.c',
  headers: [],
  edits: ATMEGABOOT_1284P_EDITS,
  // As the Makefile's `mega` (ATmega1280) target, with -mmcu=atmega1284p, one LED flash (the 1280
  // build flashes NUM_LED_FLASHES 0 + 1 for UART0; the 328 build 1: 200 ms either way) and the
  // 2 KiB boot section.
  gccFlags: [
    '-g', '-Wall', '-Os', '-mmcu=atmega1284p', '-DF_CPU=16000000L',
    '-DMAX_TIME_COUNT=F_CPU>>4', '-DNUM_LED_FLASHES=1', '-DBAUD_RATE=57600',
    `-Wl,--section-start=.text=0x${ATMEGABOOT_1284P_START.toString(16).toUpperCase()}`,
  ],
  objcopyFlags: ['-j', '.text', '-j', '.data', '-O', 'ihex'],
  mustContain: [
    { what: 'SPM (page erase/fill/write)', insn: /^spm\b/ },
    { what: 'ELPM (flash reads above 64 KiB)', insn: /^elpm\b/ },
    { what: 'a write to RAMPZ (OUT 0x3B)', insn: /^out\t0x3b,/ },
    { what: 'USART0 data register UDR0 (0xC6)', insn: /^(?:lds|sts)\t.*0x00C6\b/ },
  ],
  note: 'Makefile target mega retargeted to -mmcu=atmega1284p, with 4 scripted #if edits (see bootloaders.ts)',
};

const RECIPES: Readonly<Record<BootloaderId, Recipe>> = {
  'stk500v2-atmega2560': {
    kind: 'debian-hex',
    id: 'stk500v2-atmega2560',
    mcu: 'atmega2560',
    protocol: 'stk500v2',
    baud: 115200,
    start: 0x3e000, // BOOTSZ1:0=00 (hfuse D8): 4096-word (8 KiB) section, Makefile BOOTLOADER_ADDRESS = 3E000
    maxBytes: 0x2000,
    file: 'stk500v2/stk500boot_v2_mega2560.hex',
  },
  'optiboot-atmega328p': OPTIBOOT_328P,
  'atmegaboot-atmega1280': {
    kind: 'debian-hex',
    id: 'atmegaboot-atmega1280',
    mcu: 'atmega1280',
    protocol: 'stk500v1',
    baud: 57600, // Makefile target mega: -DBAUD_RATE=57600
    start: 0x1f000, // Makefile target mega: --section-start=.text=0x1F000, hfuse DA = BOOTSZ1:0=01 (2048 words, 4 KiB)
    maxBytes: 0x1000,
    file: 'atmega/ATmegaBOOT_168_atmega1280.hex',
  },
  'atmegaboot-atmega1284p': ATMEGABOOT_1284P,
  'caterina-atmega32u4': CATERINA_32U4,
  // The 19200-baud boards, as shipped (Makefile targets diecimila and ng: -DBAUD_RATE=19200,
  // --section-start=.text=0x3800; boards.txt upload.maximum_size 14336 = 0x3800).
  'atmegaboot-diecimila-atmega168': {
    kind: 'debian-hex',
    id: 'atmegaboot-diecimila-atmega168',
    mcu: 'atmega168',
    protocol: 'stk500v1',
    baud: 19200,
    start: 0x3800,
    maxBytes: 0x800,
    file: 'atmega/ATmegaBOOT_168_diecimila.hex',
  },
  'atmegaboot-ng-atmega168': {
    kind: 'debian-hex',
    id: 'atmegaboot-ng-atmega168',
    mcu: 'atmega168',
    protocol: 'stk500v1',
    baud: 19200,
    start: 0x3800,
    maxBytes: 0x800,
    file: 'atmega/ATmegaBOOT_168_ng.hex',
  },
  // atmega8/Makefile: --section-start=.text=0x1c00, -DBAUD_RATE=19200 (boards.txt maximum_size 7168 = 0x1C00).
  'atmegaboot-atmega8': {
    kind: 'debian-hex',
    id: 'atmegaboot-atmega8',
    mcu: 'atmega8',
    protocol: 'stk500v1',
    baud: 19200,
    start: 0x1c00,
    maxBytes: 0x400,
    file: 'atmega8/ATmegaBOOT.hex',
  },
};

/** Bumped when the build procedure changes in a way the recipe text does not show. */
const BUILD_SCHEME = 1;

// ---------------------------------------------------------------------------------------------
// Loading

const inflight = new Map<string, Promise<BootloaderInfo>>();

export async function loadBootloader(id: BootloaderId): Promise<BootloaderInfo> {
  const recipe = RECIPES[id];
  if (!recipe) throw new Error(`unknown bootloader id ${JSON.stringify(id)}; known: ${BOOTLOADER_IDS.join(', ')}`);
  if (recipe.kind === 'debian-hex') return loadDebianHex(recipe);
  const sources = await readDebianSources(recipe);
  const hash = recipeHash(recipe, sources);
  const hexPath = join(bootloaderCacheDir(), `${recipe.id}-${hash}.hex`);
  let p = inflight.get(hexPath);
  if (!p) {
    p = loadOrBuild(recipe, sources, hexPath).finally(() => inflight.delete(hexPath));
    inflight.set(hexPath, p);
  }
  return p;
}

async function loadDebianHex(recipe: DebianHexRecipe): Promise<BootloaderInfo> {
  const hexPath = join(DEBIAN_BOOTLOADERS_DIR, recipe.file);
  const hexText = await readDebianFile(hexPath);
  const name = recipe.file.split('/').pop() ?? recipe.file;
  return finish(recipe, hexPath, hexText, `Debian arduino-core-avr ${name} (used as shipped)`);
}

async function loadOrBuild(recipe: BuildRecipe, sources: Map<string, string>, hexPath: string): Promise<BootloaderInfo> {
  const metaPath = hexPath.replace(/\.hex$/, '.json');
  if (existsSync(hexPath) && existsSync(metaPath)) {
    const [hexText, metaText] = await Promise.all([readFile(hexPath, 'utf8'), readFile(metaPath, 'utf8')]);
    const meta = JSON.parse(metaText) as { origin?: unknown };
    if (typeof meta.origin === 'string') return finish(recipe, hexPath, hexText, meta.origin);
  }
  const { hexText, origin } = await build(recipe, sources, hexPath, metaPath);
  return finish(recipe, hexPath, hexText, origin);
}

function finish(recipe: Recipe, hexPath: string, hexText: string, origin: string): BootloaderInfo {
  const flashBytes = FLASH_BYTES[recipe.mcu];
  const extent = checkImage(recipe, hexText, hexPath);
  return {
    id: recipe.id,
    mcu: recipe.mcu,
    protocol: recipe.protocol,
    baud: recipe.baud,
    start: extent.min,
    bootSectionBytes: flashBytes - extent.min,
    flashBytes,
    size: extent.bytes,
    hexPath,
    hexText,
    origin,
    usbCdc: recipe.usbCdc ?? false,
  };
}

/** Every image: parses, starts where expected, stays inside flash, not larger than allowed. */
function checkImage(recipe: Recipe, hexText: string, hexPath: string): HexExtent {
  const extent = hexExtent(hexText, hexPath);
  const flashBytes = FLASH_BYTES[recipe.mcu];
  const hex = (n: number) => `0x${n.toString(16).toUpperCase()}`;
  if (extent.bytes === 0) throw new Error(`${hexPath}: no data`);
  if (extent.min !== recipe.start) {
    throw new Error(`${hexPath}: lowest address ${hex(extent.min)}, expected the boot start ${hex(recipe.start)}`);
  }
  if (extent.max >= flashBytes) {
    throw new Error(`${hexPath}: data up to ${hex(extent.max)}, past the end of the ${recipe.mcu}'s flash (${hex(flashBytes)})`);
  }
  if (extent.bytes > recipe.maxBytes) {
    throw new Error(`${hexPath}: ${extent.bytes} bytes, more than the ${recipe.maxBytes} allowed for ${recipe.id}`);
  }
  return extent;
}

// ---------------------------------------------------------------------------------------------
// Building

async function build(
  recipe: BuildRecipe,
  sources: Map<string, string>,
  hexPath: string,
  metaPath: string,
): Promise<{ hexText: string; origin: string }> {
  const cacheDir = dirname(hexPath);
  await mkdir(cacheDir, { recursive: true });
  const gccVersion = await toolVersion('avr-gcc', 'gcc-avr');
  await toolVersion('avr-objcopy', 'binutils-avr (a dependency of gcc-avr)');
  await toolVersion('avr-objdump', 'binutils-avr (a dependency of gcc-avr)');

  const work = await mkdtemp(join(cacheDir, `.build-${recipe.id}-`));
  try {
    for (const [name, text] of sources) {
      const edits = name === recipe.main ? recipe.edits : (recipe.headerEdits?.[name] ?? []);
      await writeFile(join(work, name), applyEdits(text, edits, `${recipe.dir}/${name}`), 'latin1');
    }
    for (const [name, text] of Object.entries(recipe.ownFiles ?? {})) await writeFile(join(work, name), text, 'latin1');
    const base = recipe.id;
    const elf = `${base}.elf`;
    const hexName = `${base}.hex`;
    const gccArgs = [...recipe.gccFlags, '-o', elf, recipe.main];
    await run('avr-gcc', gccArgs, work, 'gcc-avr');
    await run('avr-objcopy', [...recipe.objcopyFlags, elf, hexName], work, 'binutils-avr');
    const disassembly = await run('avr-objdump', ['-h', '-S', elf], work, 'binutils-avr');
    const own = ownInstructions(disassembly);
    for (const { what, insn } of recipe.mustContain) {
      if (!own.some((line) => insn.test(line))) {
        throw new Error(`${recipe.id}: the build's own code has no ${what} (avr-objdump -h -S ${elf})`);
      }
    }
    // The boot reset vector: the first instruction at `start`; a jump must land inside the image.
    const first = new RegExp(`^ *${recipe.start.toString(16)}:\\t(?:[0-9a-f]{2} )+ *\\t([a-z]+)\\t?([^;\\n]*)`, 'm').exec(disassembly);
    if (!first) throw new Error(`${recipe.id}: no instruction at the boot start 0x${recipe.start.toString(16)}`);
    const resetVector = `${first[1] ?? ''} ${(first[2] ?? '').trim()}`.trim();
    if (first[1] === 'jmp') {
      const target = Number.parseInt(first[2] ?? '', 16);
      if (!(target >= recipe.start && target < FLASH_BYTES[recipe.mcu])) {
        throw new Error(`${recipe.id}: reset vector "${resetVector}" leaves the boot section`);
      }
    }

    const hexText = await readFile(join(work, hexName), 'utf8');
    checkImage(recipe, hexText, `${recipe.id} build`);

    const editNote = recipe.edits.length ? `; source edits: ${recipe.edits.map((e) => e.why).join('; ')}` : '';
    const origin =
      `built from Debian arduino-core-avr ${recipe.dir}/${recipe.main} with ${gccVersion}: ` +
      `avr-gcc ${gccArgs.join(' ')} && avr-objcopy ${recipe.objcopyFlags.join(' ')} ${elf} ${hexName}` +
      ` (${recipe.note}${editNote})`;

    // Listing and meta first, hex last: the hex's presence means the entry is complete.
    const lstTmp = join(work, 'listing.lst');
    await writeFile(lstTmp, disassembly);
    await rename(lstTmp, hexPath.replace(/\.hex$/, '.lst'));
    const metaTmp = join(work, 'meta.json');
    await writeFile(metaTmp, `${JSON.stringify({ id: recipe.id, origin, gccVersion, resetVector }, null, 2)}\n`);
    await rename(metaTmp, metaPath);
    await rename(join(work, hexName), hexPath);
    return { hexText, origin };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Instruction texts ("mnemonic\toperands") of an objdump listing, leaving out the symbols of the C
 *  runtime and libgcc (names starting with "__" or "."). */
function ownInstructions(listing: string): string[] {
  const out: string[] = [];
  let own = true;
  for (const line of listing.split('\n')) {
    const symbol = /^[0-9a-f]{8} <([^>]+)>:$/.exec(line);
    if (symbol) {
      own = !/^(?:__|\.)/.test(symbol[1] ?? '');
      continue;
    }
    const insn = /^ *[0-9a-f]+:\t(?:[0-9a-f]{2} )+ *\t(.*)$/.exec(line);
    if (own && insn) out.push(insn[1] ?? '');
  }
  return out;
}

function applyEdits(text: string, edits: readonly SourceEdit[], what: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let out = text;
  for (const edit of edits) {
    const replacement = edit.replace.replace(/\n/g, eol);
    let n = 0;
    if (typeof edit.find === 'string') {
      n = out.split(edit.find).length - 1;
      if (n === edit.count) out = out.split(edit.find).join(replacement);
    } else {
      n = out.match(edit.find)?.length ?? 0;
      if (n === edit.count) out = out.replace(edit.find, replacement);
    }
    if (n !== edit.count) {
      throw new Error(`${what}: edit "${edit.why}" expected ${edit.count} match(es), found ${n}: the Debian source changed`);
    }
  }
  return out;
}

async function readDebianSources(recipe: BuildRecipe): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of [recipe.main, ...recipe.headers]) {
    out.set(name, await readDebianFile(join(DEBIAN_BOOTLOADERS_DIR, recipe.dir, name), 'latin1'));
  }
  return out;
}

async function readDebianFile(path: string, encoding: 'utf8' | 'latin1' = 'utf8'): Promise<string> {
  try {
    return await readFile(path, encoding);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${path} not found: install the Debian package arduino-core-avr (apt-get install arduino-core-avr)`);
    }
    throw err;
  }
}

function recipeHash(recipe: BuildRecipe, sources: Map<string, string>): string {
  const h = createHash('sha256');
  h.update(`scheme ${BUILD_SCHEME}\n`);
  h.update(
    JSON.stringify(recipe, (_k, v: unknown) => (v instanceof RegExp ? `/${v.source}/${v.flags}` : v)),
  );
  for (const [name, text] of [...sources].sort(([a], [b]) => a.localeCompare(b))) {
    h.update(`\n${name}\n`);
    h.update(text, 'latin1');
  }
  return h.digest('hex').slice(0, 12);
}

const versions = new Map<string, Promise<string>>();

export function toolVersion(tool: string, pkg: string): Promise<string> {
  let p = versions.get(tool);
  if (!p) {
    p = run(tool, ['--version'], process.cwd(), pkg).then((out) => (out.split('\n')[0] ?? tool).trim());
    versions.set(tool, p);
    p.catch(() => versions.delete(tool));
  }
  return p;
}

export function run(tool: string, args: string[], cwd: string, pkg: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(tool, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } }, (err, stdout, stderr) => {
      if (!err) {
        resolvePromise(stdout);
        return;
      }
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error(`${tool} not found: install the Debian package ${pkg} (apt-get install ${pkg.split(' ')[0]})`));
        return;
      }
      const missingLibc = /(avr|util)\/\w+\.h: No such file|cannot find -lc\b|cannot find crt/.test(stderr);
      const hint = missingLibc ? '\nThe AVR C library is missing: install the Debian package avr-libc (apt-get install avr-libc)' : '';
      reject(new Error(`${tool} ${args.join(' ')} failed in ${cwd}:\n${stderr || stdout || String(err)}${hint}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Minimal Intel HEX extent reader (record types 00, 01, 02, 03, 04, 05); rejects overlaps.

export interface HexExtent {
  min: number;
  /** Highest address holding data. */
  max: number;
  bytes: number;
}

export function hexExtent(text: string, what = 'hex'): HexExtent {
  let base = 0;
  let min = Infinity;
  let max = -1;
  const seen = new Set<number>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    const m = /^:([0-9A-Fa-f]{2})+$/.exec(line);
    if (!m) throw new Error(`${what}:${i + 1}: not an Intel HEX record`);
    const raw = Buffer.from(line.slice(1), 'hex');
    const len = raw[0] ?? 0;
    if (raw.length !== len + 5) throw new Error(`${what}:${i + 1}: length ${len} does not match the record`);
    if (raw.reduce((s, b) => (s + b) & 0xff, 0) !== 0) throw new Error(`${what}:${i + 1}: bad checksum`);
    const offset = raw.readUInt16BE(1);
    const type = raw[3];
    const data = raw.subarray(4, 4 + len);
    if (type === 0) {
      for (let j = 0; j < len; j++) {
        const a = base + offset + j;
        if (seen.has(a)) throw new Error(`${what}:${i + 1}: address 0x${a.toString(16)} given twice`);
        seen.add(a);
        if (a < min) min = a;
        if (a > max) max = a;
      }
    } else if (type === 1) {
      break;
    } else if (type === 2) {
      base = data.readUInt16BE(0) * 16;
    } else if (type === 4) {
      base = data.readUInt16BE(0) * 0x10000;
    } else if (type !== 3 && type !== 5) {
      throw new Error(`${what}:${i + 1}: unknown record type ${type}`);
    }
  }
  return { min: seen.size ? min : 0, max, bytes: seen.size };
}

// ---------------------------------------------------------------------------------------------

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const id of BOOTLOADER_IDS) {
    const b = await loadBootloader(id);
    console.log(
      `${b.id}: ${b.mcu} ${b.protocol} ${b.baud} baud, start 0x${b.start.toString(16)} ` +
        `(${b.bootSectionBytes}-byte boot section), ${b.size} bytes\n  ${b.hexPath}\n  ${b.origin}`,
    );
  }
}
