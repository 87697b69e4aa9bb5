// RFC 2217 client ("rfc2217://HOST:PORT"): a serial port served over telnet's COM-PORT-OPTION, as
// ser2net's `telnet(rfc2217)` accepter and many device servers do. Unlike a raw TCP
// bridge (tcp.ts) it carries the baud rate (SET-BAUDRATE) and DTR/RTS (SET-CONTROL) over the same
// connection, so protocol auto's baud changes and the DTR reset work as on a local port, without
// reconnecting. Every command waits for the server's answer (code + 100) against a deadline; a
// server whose port has no modem lines (ser2net in front of a pseudo-terminal) never answers
// SET-CONTROL: that is said once through onNote, and the flash goes on.
import { connect, type Socket } from 'node:net';
import { FlashError } from '../core/errors.js';
import type { Clock } from '../core/link/clock.js';
import { QueueLink } from '../core/link/queue-link.js';
import { systemClock } from './system-clock.js';
import { closeSocket } from './tcp.js';
import {
  baudBytes,
  baudFrom,
  comPortCommand,
  CONTROL,
  CPO,
  escapeIac,
  OPT_BINARY,
  OPT_COM_PORT,
  OPT_SGA,
  PARITY_NONE,
  PURGE_BOTH,
  SERVER_OFFSET,
  STOPSIZE_1,
  TelnetDecoder,
  TelnetOptions,
  describeNegotiation,
} from './telnet.js';

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

export interface Rfc2217Timeouts {
  readonly connectMs: number;
  /** Listened to before anything is sent, so a refusal can be read (see negotiate). */
  readonly quietMs: number;
  /** For the server to agree to COM-PORT-OPTION. */
  readonly negotiateMs: number;
  /** For the answer to SET-BAUDRATE, the line settings and PURGE-DATA. */
  readonly answerMs: number;
  /** For the answer to SET-CONTROL (DTR/RTS); a server without modem lines never answers. */
  readonly controlMs: number;
}

const TIMEOUTS: Rfc2217Timeouts = { connectMs: 5000, quietMs: 100, negotiateMs: 3000, answerMs: 3000, controlMs: 500 };

interface Waiter {
  resolve(value: Uint8Array | null): void;
  reject(e: FlashError): void;
}

/** One telnet connection to an RFC 2217 server: framing, options, commands and their answers. */
class Rfc2217Connection {
  readonly name: string;
  /** Where received data goes; null while opening (the text is kept to quote a refusal). */
  onData: ((bytes: Uint8Array) => void) | null = null;
  onClosed: ((e: FlashError) => void) | null = null;
  private said = '';
  private closedWith: FlashError | null = null;
  private readonly waiters = new Map<number, Waiter[]>();
  private readonly options: TelnetOptions;
  private readonly decoder: TelnetDecoder;
  private negotiated: (() => void) | null = null;
  private readonly closeWaiters = new Set<(e: FlashError) => void>();
  /** What is to be sent while the connection may still be refused (see negotiate). */
  private held: Uint8Array[] | null = [];

  constructor(
    private readonly socket: Socket,
    private readonly addr: Rfc2217Address,
    private readonly clock: Clock,
    private readonly log: (text: string) => void,
  ) {
    this.name = `the RFC 2217 server at ${addr.host}:${addr.port}`;
    this.options = new TelnetOptions(
      { local: [OPT_BINARY, OPT_SGA, OPT_COM_PORT], remote: [OPT_BINARY, OPT_SGA] },
      (bytes) => this.raw(bytes),
      () => this.negotiated?.(),
    );
    this.decoder = new TelnetDecoder({
      data: (bytes) => {
        if (this.onData) this.onData(bytes);
        // Kept printable: a refusal is text ("Port already in use"), a board's chatter is not.
        else if (this.said.length < 200) this.said += String.fromCharCode(...bytes.subarray(0, 200)).replace(/[^\x20-\x7e]+/g, ' ');
      },
      negotiate: (command, option) => {
        this.log(`server: ${describeNegotiation(command, option)}`);
        this.options.receive(command, option);
      },
      subnegotiation: (body) => this.subnegotiation(body),
    });
    socket.on('data', (chunk: Buffer) => this.decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    socket.on('error', () => undefined);
    socket.once('close', () => this.closed());
  }

  /**
   * Holds everything it would send for `quietMs` first: a server that refuses a client (ser2net:
   * "Port already in use") hangs up at once, and bytes sent to a closed socket make the kernel
   * reset the connection and drop the refusal text unread. Then offers BINARY, SGA and
   * COM-PORT-OPTION; resolves once the server agreed to COM-PORT-OPTION.
   */
  async negotiate(quietMs: number, ms: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onClose = (e: FlashError): void => {
        cancel();
        reject(e);
      };
      const cancel = this.clock.setTimer(quietMs, () => {
        this.closeWaiters.delete(onClose);
        resolve();
      });
      this.closeWaiters.add(onClose);
    });
    const held = this.held ?? [];
    this.held = null;
    for (const bytes of held) this.raw(bytes);
    for (const o of [OPT_BINARY, OPT_SGA, OPT_COM_PORT]) this.options.offer(o);
    for (const o of [OPT_BINARY, OPT_SGA]) this.options.ask(o);
    return new Promise<void>((resolve, reject) => {
      const done = (e?: FlashError): void => {
        cancel();
        this.negotiated = null;
        this.closeWaiters.delete(onClose);
        if (e) reject(e);
        else resolve();
      };
      const check = (): void => {
        if (this.options.isLocal(OPT_COM_PORT)) done();
        else if (this.options.refused('local', OPT_COM_PORT)) done(this.notRfc2217('it refused COM-PORT-OPTION'));
      };
      const onClose = (e: FlashError): void => done(e);
      const cancel = this.clock.setTimer(ms, () => done(this.notRfc2217(`it did not agree to COM-PORT-OPTION within ${ms} ms`)));
      this.negotiated = check;
      this.closeWaiters.add(onClose);
      if (this.closedWith) done(this.closedWith);
      else check();
    });
  }

  private notRfc2217(why: string): FlashError {
    return new FlashError(
      'port-unreachable',
      `${capital(this.name)} does not speak RFC 2217 (${why}). A raw TCP serial bridge (ser2net's plain "tcp" accepter, esp-link, socat) is opened as net:${this.addr.host}:${this.addr.port} instead.`,
    );
  }

  /** Sends a COM-PORT-OPTION command; resolves with the server's answer, or null after `ms`. */
  command(code: number, value: Uint8Array, ms: number): Promise<Uint8Array | null> {
    const answer = this.answer(code + SERVER_OFFSET, ms);
    this.raw(comPortCommand(code, value));
    return answer;
  }

  /** Waits for the next answer with this code, or null after `ms`; rejects when the server hangs up. */
  answer(code: number, ms: number): Promise<Uint8Array | null> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(code) ?? [];
      this.waiters.set(code, list);
      const waiter: Waiter = {
        resolve: (v) => {
          cancel();
          resolve(v);
        },
        reject: (e) => {
          cancel();
          reject(e);
        },
      };
      const cancel = this.clock.setTimer(ms, () => {
        const i = list.indexOf(waiter);
        if (i >= 0) list.splice(i, 1);
        resolve(null);
      });
      list.push(waiter);
    });
  }

  raw(bytes: Uint8Array): void {
    if (this.held) this.held.push(bytes);
    else if (!this.socket.destroyed) this.socket.write(bytes);
  }

  writeData(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closedWith || this.socket.destroyed) {
        reject(this.closedWith ?? new FlashError('link-closed', `Not connected to ${this.name}.`));
        return;
      }
      this.socket.write(escapeIac(bytes), (e) => (e ? reject(new FlashError('link-closed', `Writing to ${this.name} failed.`, { cause: e })) : resolve()));
    });
  }

  close(): Promise<void> {
    return closeSocket(this.socket);
  }

  private subnegotiation(body: Uint8Array): void {
    if (body[0] !== OPT_COM_PORT || body.length < 2) {
      this.log(`server: subnegotiation for option ${body[0] ?? '?'} ignored`);
      return;
    }
    const code = body[1] ?? 0;
    const value = body.subarray(2);
    if (code === CPO.SIGNATURE + SERVER_OFFSET && value.length === 0) {
      // The server asks who we are (RFC 2217 section 2, SIGNATURE without text).
      this.raw(comPortCommand(CPO.SIGNATURE, new TextEncoder().encode('HexFlash')));
      return;
    }
    const waiter = this.waiters.get(code)?.shift();
    if (waiter) waiter.resolve(value);
    // Anything else (NOTIFY-LINESTATE/MODEMSTATE, late answers) carries nothing a flash needs.
  }

  private closed(): void {
    const said = this.said.trim();
    const e = this.onData
      ? new FlashError('link-closed', `${capital(this.name)} closed the connection.`)
      : said
        ? new FlashError('port-busy', `${capital(this.name)} refused the connection ("${said}"): another client is using it.`)
        : new FlashError('link-closed', `${capital(this.name)} closed the connection while it was being set up.`);
    this.closedWith = e;
    for (const list of this.waiters.values()) for (const w of list.splice(0)) w.reject(e);
    for (const w of [...this.closeWaiters]) w(e);
    this.onClosed?.(e);
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function connectTo(addr: Rfc2217Address, ms: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: addr.host, port: addr.port });
    const timer = setTimeout(() => fail(new FlashError('port-unreachable', `No connection to ${addr.host}:${addr.port} within ${ms} ms.`)), ms);
    const fail = (e: FlashError): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    const onError = (e: NodeJS.ErrnoException): void => {
      fail(new FlashError('port-unreachable', `Could not connect to the RFC 2217 server at ${addr.host}:${addr.port} (${e.code ?? e.message}).`, { cause: e }));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      // From here on the connection reports errors through 'close' (Rfc2217Connection).
      socket.off('error', onError);
      socket.on('error', () => undefined);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
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
