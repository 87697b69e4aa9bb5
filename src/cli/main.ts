// HexFlash on the command line: flash, read and list ports through the same core as the page, over a
// local serial port or a TCP serial bridge, in its own options or in avrdude's (a first argument
// starting with "-"). Progress goes to stderr; HexFlash's own dialect ends with a one-line JSON
// summary on stdout. The exit status is 0 only after a verified write or a whole read.
import { toFlashError } from '../core/errors.js';
import { parseCommand, USAGE } from './args.js';
import { parseAvrdudeCommand } from './avrdude-args.js';
import type { CliCommand } from './command.js';
import { runPorts } from './ports.js';
import { runFlashMany } from './run-many.js';
import { EXIT_BAD_ARGUMENT, EXIT_FAILED, runFlash, runRead, type JobIo } from './run-job.js';

export interface CliIo extends Omit<JobIo, 'signal'> {
  readonly signal?: AbortSignal;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const avrdude = argv[0]?.startsWith('-') === true && argv[0] !== '--help' && argv[0] !== '-h';
  if (!avrdude && (argv.length === 0 || argv.includes('--help') || argv.includes('-h'))) {
    io.err(USAGE);
    return argv.length === 0 ? EXIT_BAD_ARGUMENT : 0;
  }
  let cmd: CliCommand;
  try {
    cmd = avrdude ? parseAvrdudeCommand(argv) : parseCommand(argv);
  } catch (e) {
    const err = toFlashError(e, 'bad-argument');
    if (avrdude) {
      io.err(`hexflash: ERROR: ${err.message}`);
      return EXIT_FAILED; // avrdude's status for every failure
    }
    io.err(`Error: ${err.message}\n${USAGE}`);
    io.out(JSON.stringify({ ok: false, code: err.code, message: err.message, hint: err.hint }));
    return EXIT_BAD_ARGUMENT;
  }
  const job: JobIo = { ...io, signal: io.signal ?? new AbortController().signal };
  switch (cmd.kind) {
    case 'help':
      io.err(USAGE);
      return 0;
    case 'ports':
      return runPorts(cmd.json, io.out, io.binding);
    case 'flash':
      return cmd.ports ? runFlashMany(cmd, cmd.ports, job) : runFlash(cmd, job);
    case 'read':
      return runRead(cmd, job);
  }
}
