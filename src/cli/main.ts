// HexFlash on the command line: the same core over a TCP serial bridge. Progress goes to stderr;
// the last line on stdout is a one-line JSON summary. Exit 0 only when the flash verified.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { FlashError, toFlashError } from '../core/errors.js';
import type { FlashEvent } from '../core/events.js';
import { imageFromBinary } from '../core/hex/binary.js';
import { parseIntelHex } from '../core/hex/intel-hex.js';
import type { FirmwareImage } from '../core/hex/image.js';
import { checkRequest, flashFirmware } from '../core/session.js';
import { openTcpLink } from '../transports/tcp.js';
import { systemClock } from '../transports/system-clock.js';
import { parseFlashCommand, USAGE, type FlashCommand } from './args.js';

/** Written, but --no-verify was given: not proven, so not 0. */
const EXIT_NOT_VERIFIED = 3;

async function loadImage(cmd: FlashCommand): Promise<FirmwareImage> {
  let data: Buffer;
  try {
    data = await readFile(cmd.file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new FlashError('bad-argument', `Cannot read firmware file "${cmd.file}" (${code}).`, { cause: e });
  }
  if (extname(cmd.file).toLowerCase() === '.bin') return imageFromBinary(new Uint8Array(data), cmd.address);
  return parseIntelHex(data.toString('latin1'));
}

function printEvent(e: FlashEvent, verbose: boolean): void {
  const out = (s: string): boolean => process.stderr.write(`${s}\n`);
  switch (e.state) {
    case 'connecting':
      out(`Trying ${e.protocol.toUpperCase()} at ${e.baud ?? 'the bridge'} baud (attempt ${e.attempt})`);
      break;
    case 'connected':
      out(`Connected: ${e.mcu}, signature ${e.signature}, ${e.protocol.toUpperCase()} at ${e.baud ?? 'bridge'} baud`);
      break;
    case 'writing':
    case 'verifying':
      if (e.done === e.total || e.done === 0) out(`${e.state === 'writing' ? 'Writing' : 'Verifying'} ${e.done}/${e.total} bytes`);
      break;
    case 'log':
      if (e.level === 'info' || verbose) out(`  ${e.text}`);
      break;
    default:
      break;
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    process.stderr.write(`${USAGE}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  let cmd: FlashCommand;
  try {
    cmd = parseFlashCommand(argv);
  } catch (e) {
    const err = toFlashError(e, 'bad-argument');
    process.stderr.write(`Error: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  let link;
  try {
    const image = await loadImage(cmd);
    const request = {
      image,
      protocol: cmd.protocol,
      verify: cmd.verify,
      ...(cmd.baud !== undefined ? { baud: cmd.baud } : {}),
      ...(cmd.mcu !== undefined ? { mcu: cmd.mcu } : {}),
      ...(cmd.board !== undefined ? { board: cmd.board } : {}),
    };
    checkRequest(request);
    link = await openTcpLink(cmd.port, systemClock);
    const ac = new AbortController();
    process.once('SIGINT', () => ac.abort());
    const result = await flashFirmware(request, {
      link,
      clock: systemClock,
      signal: ac.signal,
      verbose: cmd.verbose,
      onEvent: (e) => printEvent(e, cmd.verbose),
    });
    for (const w of result.warnings) process.stderr.write(`Note: ${w}\n`);
    const { resyncs, repairs, reconnects } = result.recovery;
    if (resyncs + repairs + reconnects > 0) {
      process.stderr.write(`Recovered: ${resyncs} resyncs, ${repairs} repair passes, ${reconnects} resets mid-way (check the link if this repeats).\n`);
    }
    process.stderr.write(`Done: ${result.bytesWritten} bytes written${cmd.verify ? ` and verified` : ''} in ${result.ms.total} ms.\n`);
    process.stdout.write(`${JSON.stringify({ ok: true, ...result })}\n`);
    return cmd.verify ? 0 : EXIT_NOT_VERIFIED;
  } catch (e) {
    const err = toFlashError(e);
    process.stderr.write(`Error: ${err.message}\nWhat to do: ${err.hint}\n`);
    process.stdout.write(`${JSON.stringify({ ok: false, code: err.code, message: err.message, hint: err.hint })}\n`);
    return 1;
  } finally {
    await link?.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`Unexpected failure: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
