// One RFC 2217 (telnet COM-PORT-OPTION) session over a socket: option negotiation, COM-PORT commands
// with their answers (code + 100) against deadlines, and the data stream with IAC escaped both ways.
// rfc2217.ts builds the ByteLink on it.
import { connect, type Socket } from 'node:net';
import { FlashError } from '../core/errors.js';
import type { Clock } from '../core/link/clock.js';
import type { Rfc2217Address } from './rfc2217.js';
import { closeSocket } from './tcp.js';
import { comPortCommand, CPO, describeNegotiation, escapeIac, OPT_BINARY, OPT_COM_PORT, OPT_SGA, SERVER_OFFSET, TelnetDecoder, TelnetOptions } from './telnet.js';

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

export const TIMEOUTS: Rfc2217Timeouts = { connectMs: 5000, quietMs: 100, negotiateMs: 3000, answerMs: 3000, controlMs: 500 };

interface Waiter {
  resolve(value: Uint8Array | null): void;
  reject(e: FlashError): void;
}

/** One telnet connection to an RFC 2217 server: framing, options, commands and their answers. */
export class Rfc2217Connection {
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

export function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function connectTo(addr: Rfc2217Address, ms: number): Promise<Socket> {
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
