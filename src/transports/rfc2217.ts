// RFC 2217 client ("rfc2217://HOST:PORT"): a serial port served over telnet's COM-PORT-OPTION, as
// ser2net's `telnet(rfc2217)` accepter and many device servers do. Unlike a raw TCP
// bridge (tcp.ts) it carries the baud rate (SET-BAUDRATE) and DTR/RTS (SET-CONTROL) over the same
// connection, so protocol auto's baud changes and the DTR reset work as on a local port, without
// reconnecting. Every command waits for the server's answer (code + 100) against a deadline; a
// server whose port has no modem lines (ser2net in front of a pseudo-terminal) never answers
// SET-CONTROL: that is said once through onNote, and the flash goes on.
import { FlashError } from '../core/errors.js';
import type { Clock } from '../core/link/clock.js';
import { QueueLink } from '../core/link/queue-link.js';
import { systemClock } from './system-clock.js';
import { capital, connectTo, Rfc2217Connection, TIMEOUTS, type Rfc2217Timeouts } from './rfc2217-connection.js';
import { baudBytes, baudFrom, CONTROL, CPO, PARITY_NONE, PURGE_BOTH, STOPSIZE_1 } from './telnet.js';

export type { Rfc2217Timeouts } from './rfc2217-connection.js';

export interface Rfc2217Address {
  readonly host: string;
  readonly port: number;
}

const FORM = 'rfc2217://HOST:PORT (for example rfc2217://192.168.1.20:2000)';

export function parseRfc2217Port(spec: string): Rfc2217Address {
  const m = /^rfc2217:\/\/(\[[^\]]+\]|[^:/?#[\]\s]+)(?::(\d{1,5}))?\/?$/i.exec(spec);
  if (!m || !m[1]) throw new FlashError('bad-argument', `Port "${spec}" is not of the form ${FORM}.`);
  if (m[2] === undefined) throw new FlashError('bad-argument', `Port "${spec}" names no TCP port: use ${FORM}.`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new FlashError('bad-argument', `Port "${spec}": TCP port ${m[2]} is not between 1 and 65535.`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

export interface Rfc2217Options {
  /** The baud the server's serial port is set to on opening. */
  readonly baud: number;
  readonly clock?: Clock;
  /** Told things the user should know (a server that does not answer DTR/RTS requests). */
  readonly onNote?: (text: string) => void;
  /** Told each step of the conversation with the server (negotiation, baud confirmed), for verbose logs. */
  readonly onLog?: (text: string) => void;
  /** Deadlines, shorter in tests. */
  readonly timeouts?: Partial<Rfc2217Timeouts>;
}

export async function openRfc2217Link(spec: string, opts: Rfc2217Options): Promise<QueueLink> {
  const addr = parseRfc2217Port(spec);
  const clock = opts.clock ?? systemClock;
  const t: Rfc2217Timeouts = { ...TIMEOUTS, ...opts.timeouts };
  const log = opts.onLog ?? ((): void => undefined);
  const conn = new Rfc2217Connection(await connectTo(addr, t.connectMs), addr, clock, log);
  /** False once the server let a SET-CONTROL go unanswered: later ones are sent, but not waited for. */
  let controlAnswers = true;
  let linesSet = false;

  /** Sets the line and confirms it: the answer carries the baud the server really uses. */
  const setBaud = async (baud: number): Promise<void> => {
    const answer = await conn.command(CPO.SET_BAUDRATE, baudBytes(baud), t.answerMs);
    if (answer === null) throw new FlashError('port-unreachable', `${capital(conn.name)} did not confirm ${baud} baud (SET-BAUDRATE) within ${t.answerMs} ms.`);
    const got = baudFrom(answer);
    if (got !== baud) {
      throw new FlashError('port-unreachable', `${capital(conn.name)} was asked for ${baud} baud and answered ${got ?? 'nothing usable'}: its serial port cannot run at ${baud} baud.`);
    }
    log(`server: serial port at ${baud} baud`);
  };
  /** Drops what the server holds either way; bytes received at the old baud are garbage. */
  const purge = async (): Promise<void> => {
    const answer = await conn.command(CPO.PURGE_DATA, Uint8Array.of(PURGE_BOTH), t.answerMs);
    if (answer === null) log(`server: no answer to PURGE-DATA within ${t.answerMs} ms; going on`);
  };

  try {
    await conn.negotiate(t.quietMs, t.negotiateMs);
    log('server agreed to COM-PORT-OPTION');
    // Sent in the order RFC 2217 section 2 recommends (baud, data size, parity, stop size); the
    // answers are awaited together. A failure of the settings is the baud's failure too (closed).
    const baud = setBaud(opts.baud);
    const settings = Promise.all([
      conn.command(CPO.SET_DATASIZE, Uint8Array.of(8), t.answerMs),
      conn.command(CPO.SET_PARITY, Uint8Array.of(PARITY_NONE), t.answerMs),
      conn.command(CPO.SET_STOPSIZE, Uint8Array.of(STOPSIZE_1), t.answerMs),
    ]);
    settings.catch(() => undefined);
    await baud;
    const answers = await settings;
    if (answers.some((a) => a === null)) log(`server: not every line setting (8N1) was confirmed within ${t.answerMs} ms; going on`);
    await purge();
  } catch (e) {
    await conn.close();
    throw e;
  }

  const link: QueueLink = new QueueLink({
    description: `rfc2217://${addr.host}:${addr.port}`,
    clock,
    baud: opts.baud,
    write: (bytes) => conn.writeData(bytes),
    setSignals: async (s) => {
      const codes: number[] = [];
      if (s.dataTerminalReady !== undefined) codes.push(s.dataTerminalReady ? CONTROL.DTR_ON : CONTROL.DTR_OFF);
      if (s.requestToSend !== undefined) codes.push(s.requestToSend ? CONTROL.RTS_ON : CONTROL.RTS_OFF);
      if (codes.length === 0) return;
      const answers = codes.map((c) => conn.command(CPO.SET_CONTROL, Uint8Array.of(c), controlAnswers ? t.controlMs : 0));
      const got = await Promise.all(answers);
      if (controlAnswers && got.some((a) => a === null)) {
        controlAnswers = false;
        opts.onNote?.(
          `${capital(conn.name)} did not answer the DTR/RTS request (SET-CONTROL) within ${t.controlMs} ms: its serial port may have no modem lines ` +
            '(a pseudo-terminal, as socat makes), so HexFlash cannot reset the board through it and goes on without waiting for such answers. ' +
            "If no bootloader answers, press the board's reset button just before flashing.",
        );
      } else if (!linesSet) log('server: DTR/RTS change confirmed');
      linesSet = true;
    },
    canReset: () => controlAnswers,
    setBaud: async (baud) => {
      await setBaud(baud);
      await purge();
    },
    close: () => {
      conn.onClosed = null;
      return conn.close();
    },
  });
  conn.onData = (bytes) => link.queue.push(bytes);
  conn.onClosed = (e) => link.fail(e);
  return link;
}
