// `hexflash flash FILE --port A --port B ...`: the same image on every board at once. The image is
// loaded and checked once, before any port is opened; then each port runs its own flash (its own
// link, session deadline and port release), its lines prefixed with the port. A board that fails
// stops no other. At the end a summary table on stderr and one JSON line on stdout; the exit status
// is 0 only if every board ended verified.
import { toFlashError } from '../core/errors.js';
import { allVerified, fleetCounts, fleetMarkdown, fleetRow, type FleetRow } from '../core/fleet.js';
import type { FirmwareImage } from '../core/hex/image.js';
import { checkRequest } from '../core/session.js';
import { systemClock } from '../transports/system-clock.js';
import type { FlashCommand } from './command.js';
import { createReporter } from './report.js';
import { EXIT_FAILED, EXIT_NOT_VERIFIED, EXIT_OK, fail, flashOnPort, loadImage, type JobIo } from './run-job.js';

export async function runFlashMany(cmd: FlashCommand, ports: readonly string[], io: JobIo): Promise<number> {
  let image: FirmwareImage;
  try {
    image = await loadImage(cmd);
    checkRequest({ ...cmd.target, image });
  } catch (e) {
    return fail(cmd, io, createReporter(cmd.dialect, cmd.verbosity, cmd.quiet, io.err, cmd.file), e);
  }
  for (const n of cmd.notes) io.err(`Note: ${n}`);
  io.err(`Flashing ${cmd.file} on ${ports.length} boards at once: ${ports.join(', ')}`);
  const rows = await Promise.all(ports.map((port) => flashOne({ ...cmd, port }, image, io)));
  io.err('');
  io.err(fleetMarkdown(rows).trimEnd());
  const ok = allVerified(rows);
  const failed = rows.filter((r) => r.result === 'failed' || r.result === 'cancelled');
  const unproven = rows.filter((r) => r.result === 'not verified');
  if (ok) io.err(`All ${rows.length} boards written and verified.`);
  else io.err(`${fleetCounts(rows)}. ${[...failed.map((r) => `${r.board} failed`), ...unproven.map((r) => `${r.board} not verified (--no-verify)`)].join('; ')}.`);
  io.out(JSON.stringify({ ok, boards: rows }));
  if (ok) return EXIT_OK;
  return failed.length > 0 ? EXIT_FAILED : EXIT_NOT_VERIFIED;
}

/** One board's flash; never throws: how it ended is its row. */
async function flashOne(cmd: FlashCommand, image: FirmwareImage, io: JobIo): Promise<FleetRow> {
  const report = createReporter(cmd.dialect, cmd.verbosity, cmd.quiet, (line) => io.err(`[${cmd.port}] ${line}`), cmd.file);
  const t0 = systemClock.now();
  const seen: { mcu?: string; protocol?: string } = {};
  const ms = (): number => Math.round(systemClock.now() - t0);
  try {
    const result = await flashOnPort(cmd, { ...cmd.target, image, verify: cmd.verify }, io, report, (e) => {
      if (e.state === 'connected') Object.assign(seen, { mcu: e.mcu, protocol: e.protocol });
    });
    report.flashed(result, cmd.verify && result.bytesVerified === result.bytesWritten);
    return fleetRow(cmd.port, { result }, seen, ms());
  } catch (e) {
    const error = toFlashError(e);
    report.failed(error);
    return fleetRow(cmd.port, { error }, seen, ms());
  }
}
