// What the CLI prints on stderr while a job runs, in two voices: HexFlash's own lines, and avrdude's
// phrases that tools watching avrdude react to ("writing flash", "reading on-chip flash data",
// "bytes of flash verified", "ERROR:"). It never prints avrdude's "timeout communicating with
// programmer": a tool kills avrdude on that phrase, and HexFlash may still be trying other protocols.
import type { FlashError } from '../core/errors.js';
import type { FlashEvent, FlashResult } from '../core/events.js';
import type { ReadEvent, ReadResult } from '../core/read-session.js';
import type { Dialect } from './command.js';

export type Out = (line: string) => void;

export interface Reporter {
  event(e: FlashEvent | ReadEvent): void;
  note(text: string): void;
  flashed(r: FlashResult, verified: boolean): void;
  read(r: ReadResult, file: string): void;
  failed(e: FlashError): void;
}

export function createReporter(dialect: Dialect, verbosity: number, quiet: boolean, out: Out, file = ''): Reporter {
  return dialect === 'avrdude' ? avrdudeVoice(verbosity, quiet, out, file) : hexflashVoice(verbosity, out);
}

function hexflashVoice(verbosity: number, out: Out): Reporter {
  return {
    event(e) {
      switch (e.state) {
        case 'connecting':
          out(`Trying ${e.protocol.toUpperCase()} at ${e.baud ?? 'the bridge'} baud (attempt ${e.attempt})`);
          break;
        case 'connected':
          out(`Connected: ${e.mcu}, signature ${e.signature}, ${e.protocol.toUpperCase()} at ${e.baud ?? 'bridge'} baud`);
          break;
        case 'writing':
        case 'verifying':
        case 'reading':
          if (e.done === e.total || e.done === 0) out(`${capital(e.state)} ${e.done}/${e.total} bytes`);
          break;
        case 'log':
          if (e.level === 'info' || verbosity >= 2) out(`  ${e.text}`);
          break;
        default:
          break;
      }
    },
    note: (text) => out(`Note: ${text}`),
    flashed(r, verified) {
      for (const w of r.warnings) out(`Note: ${w}`);
      const { resyncs, repairs, reconnects } = r.recovery;
      if (resyncs + repairs + reconnects > 0) {
        out(`Recovered: ${resyncs} resyncs, ${repairs} repair passes, ${reconnects} resets mid-way (check the link if this repeats).`);
      }
      out(`Done: ${r.bytesWritten} bytes written${verified ? ' and verified' : ' (not verified: --no-verify)'} in ${r.ms.total} ms (the session's limit was ${Math.round(r.budgetMs / 1000)} s).`);
    },
    read: (r, file) => out(`Done: read ${r.bytesRead} bytes of ${r.mcu} flash (the bootloader left out), ${r.bytes.length} bytes up to the last used page written to ${file}.`),
    failed(e) {
      out(`Error: ${e.message}`);
      out(`What to do: ${e.hint}`);
    },
  };
}

function avrdudeVoice(verbosity: number, quiet: boolean, out: Out, file: string): Reporter {
  const say = (s: string): void => out(`hexflash: ${s}`);
  let bar: { state: string; started: number } | null = null;
  const progress = (label: string, e: { done: number; total: number }): void => {
    if (quiet) return;
    const pct = e.total > 0 ? Math.floor((e.done * 100) / e.total) : 100;
    const marks = '#'.repeat(Math.floor(pct / 2)).padEnd(50, ' ');
    if (!bar || bar.state !== label) bar = { state: label, started: Date.now() };
    if (e.done === e.total) out(`${label} | ${marks} | ${pct}% ${((Date.now() - bar.started) / 1000).toFixed(2)}s`);
  };
  return {
    event(e) {
      switch (e.state) {
        case 'connecting':
          if (verbosity >= 1) say(`trying ${e.protocol.toUpperCase()} at ${e.baud ?? 'the bridge'} baud`);
          break;
        case 'connected':
          say(`AVR device initialized and ready to accept instructions (${e.protocol.toUpperCase()} at ${e.baud ?? 'the bridge'} baud)`);
          say(`Device signature = 0x${e.signature.replace(/ /g, '')} (${e.mcu})`);
          break;
        case 'writing':
          if (e.done === 0 && e.total > 0) say(`writing flash (${e.total} bytes):`);
          progress('Writing', e);
          if (e.done === e.total && e.total > 0) say(`${e.total} bytes of flash written`);
          break;
        case 'verifying':
          if (e.done === 0) {
            say(`verifying flash memory against ${file}:`);
            say('reading on-chip flash data:');
          }
          progress('Reading', e);
          break;
        case 'reading':
          if (e.done === 0) say('reading flash memory:');
          progress('Reading', e);
          break;
        case 'log':
          if (verbosity >= 2 || (verbosity >= 1 && e.level === 'info')) say(e.text);
          break;
        default:
          break;
      }
    },
    note: (text) => say(text),
    flashed(r, verified) {
      for (const w of r.warnings) say(`warning: ${w}`);
      if (verified) say(`${r.bytesVerified} bytes of flash verified`);
      else say('verification skipped (-V)');
      out('');
      say('done.  Thank you.');
    },
    read(r, f) {
      say(`writing output file "${f}" (${r.bytes.length} bytes, the bootloader left out)`);
      out('');
      say('done.  Thank you.');
    },
    failed(e) {
      say(`ERROR: ${e.message}`);
      say(`What to do: ${e.hint}`);
    },
  };
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
