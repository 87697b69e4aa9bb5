// Telnet framing as RFC 2217 uses it (RFC 854 commands, RFC 855 subnegotiation, RFC 2217 section
// numbers below): a pure push decoder that splits a received stream into data bytes, option
// negotiations and subnegotiations, however the stream is chunked; and the encoders for the other
// way (0xFF in data is sent as IAC IAC). No I/O here: the RFC 2217 client (rfc2217.ts) and the
// emulated board's RFC 2217 listener (test/emulator/rfc2217-listener.ts) share it.

/** RFC 854 command bytes. */
export const IAC = 0xff;
export const DONT = 0xfe;
export const DO = 0xfd;
export const WONT = 0xfc;
export const WILL = 0xfb;
export const SB = 0xfa;
export const SE = 0xf0;

export type Negotiation = typeof WILL | typeof WONT | typeof DO | typeof DONT;

/** Telnet options HexFlash deals with. */
export const OPT_BINARY = 0; // RFC 856
export const OPT_ECHO = 1; // RFC 857
export const OPT_SGA = 3; // RFC 858, suppress go-ahead
export const OPT_COM_PORT = 44; // RFC 2217, COM-PORT-OPTION

/** RFC 2217 section 2-4 command codes, client to access server; the server answers with code + 100. */
export const CPO = {
  SIGNATURE: 0,
  SET_BAUDRATE: 1,
  SET_DATASIZE: 2,
  SET_PARITY: 3,
  SET_STOPSIZE: 4,
  SET_CONTROL: 5,
  NOTIFY_LINESTATE: 6,
  NOTIFY_MODEMSTATE: 7,
  FLOWCONTROL_SUSPEND: 8,
  FLOWCONTROL_RESUME: 9,
  SET_LINESTATE_MASK: 10,
  SET_MODEMSTATE_MASK: 11,
  PURGE_DATA: 12,
} as const;
export const SERVER_OFFSET = 100;

/** SET-CONTROL values (RFC 2217 section 3). */
export const CONTROL = {
  USE_NO_FLOW_CONTROL: 1,
  DTR_ON: 8,
  DTR_OFF: 9,
  RTS_ON: 11,
  RTS_OFF: 12,
} as const;

/** SET-PARITY 1 = NONE, SET-STOPSIZE 1 = one stop bit, PURGE-DATA 3 = both buffers. */
export const PARITY_NONE = 1;
export const STOPSIZE_1 = 1;
export const PURGE_BOTH = 3;

export interface TelnetHandlers {
  data(bytes: Uint8Array): void;
  negotiate(command: Negotiation, option: number): void;
  /** The bytes between IAC SB and IAC SE, unescaped (first byte: the option). */
  subnegotiation(body: Uint8Array): void;
}

/** Decoder states: in data, after IAC, after WILL/WONT/DO/DONT, in a subnegotiation, after IAC in one. */
const IN_DATA = 0;
const AFTER_IAC = 1;
const AFTER_NEGOTIATION = 2;
const IN_SUB = 3;
const IN_SUB_AFTER_IAC = 4;

/** Splits a telnet stream; keeps its state across `push` calls, so chunks may split anywhere. */
export class TelnetDecoder {
  private state: number = IN_DATA;
  private command: Negotiation = WILL;
  private sub: number[] = [];

  constructor(private readonly on: TelnetHandlers) {}

  push(chunk: Uint8Array): void {
    let data: number[] = [];
    const flush = (): void => {
      if (data.length > 0) this.on.data(Uint8Array.from(data));
      data = [];
    };
    for (const b of chunk) {
      switch (this.state) {
        case IN_DATA:
          if (b === IAC) this.state = AFTER_IAC;
          else data.push(b);
          break;
        case AFTER_IAC:
          if (b === IAC) {
            data.push(IAC);
            this.state = IN_DATA;
          } else if (b === WILL || b === WONT || b === DO || b === DONT) {
            this.command = b;
            this.state = AFTER_NEGOTIATION;
          } else if (b === SB) {
            this.sub = [];
            this.state = IN_SUB;
          } else {
            // NOP, GA, AYT and kin carry nothing for a serial line.
            this.state = IN_DATA;
          }
          break;
        case AFTER_NEGOTIATION:
          flush();
          this.on.negotiate(this.command, b);
          this.state = IN_DATA;
          break;
        case IN_SUB:
          if (b === IAC) this.state = IN_SUB_AFTER_IAC;
          else this.sub.push(b);
          break;
        case IN_SUB_AFTER_IAC:
          if (b === IAC) {
            this.sub.push(IAC);
            this.state = IN_SUB;
          } else if (b === SE) {
            flush();
            this.on.subnegotiation(Uint8Array.from(this.sub));
            this.sub = [];
            this.state = IN_DATA;
          } else {
            // A command inside a subnegotiation is malformed: drop the subnegotiation.
            this.sub = [];
            this.state = IN_DATA;
          }
          break;
      }
    }
    flush();
  }
}

type OptionState = 'off' | 'asked' | 'on';

/**
 * Both sides of each option (RFC 854's WILL/WONT/DO/DONT), answering only what changes a state,
 * so two ends never loop: a request for an option not in `accept` is refused, a confirmation of
 * our own request is not answered.
 */
export class TelnetOptions {
  private readonly local = new Map<number, OptionState>();
  private readonly remote = new Map<number, OptionState>();
  private readonly refusals = new Set<string>();

  constructor(
    private readonly accept: { readonly local: readonly number[]; readonly remote: readonly number[] },
    private readonly send: (bytes: Uint8Array) => void,
    /** Told each time an option turns on or off. */
    private readonly onChange: (side: 'local' | 'remote', option: number, on: boolean) => void = () => undefined,
  ) {}

  /** Offers to do `option` ourselves (WILL). */
  offer(option: number): void {
    if ((this.local.get(option) ?? 'off') !== 'off') return;
    this.local.set(option, 'asked');
    this.send(negotiation(WILL, option));
  }

  /** Asks the other end to do `option` (DO). */
  ask(option: number): void {
    if ((this.remote.get(option) ?? 'off') !== 'off') return;
    this.remote.set(option, 'asked');
    this.send(negotiation(DO, option));
  }

  isLocal(option: number): boolean {
    return this.local.get(option) === 'on';
  }

  isRemote(option: number): boolean {
    return this.remote.get(option) === 'on';
  }

  /** True once the other end refused (or turned off) what we offered or asked. */
  refused(side: 'local' | 'remote', option: number): boolean {
    return this.refusals.has(`${side}:${option}`);
  }

  receive(command: Negotiation, option: number): void {
    const local = command === DO || command === DONT;
    const side = local ? 'local' : 'remote';
    const states = local ? this.local : this.remote;
    const yes = local ? WILL : DO;
    const no = local ? WONT : DONT;
    const state = states.get(option) ?? 'off';
    if (command === DO || command === WILL) {
      if (!(local ? this.accept.local : this.accept.remote).includes(option)) {
        this.send(negotiation(no, option));
        return;
      }
      if (state === 'on') return;
      if (state === 'off') this.send(negotiation(yes, option));
      states.set(option, 'on');
      this.refusals.delete(`${side}:${option}`);
      this.onChange(side, option, true);
      return;
    }
    if (state === 'off') return;
    if (state === 'on') this.send(negotiation(no, option));
    states.set(option, 'off');
    this.refusals.add(`${side}:${option}`);
    this.onChange(side, option, false);
  }
}

/** Data as sent on a telnet connection: each 0xFF doubled. */
export function escapeIac(bytes: Uint8Array): Uint8Array {
  let n = 0;
  for (const b of bytes) if (b === IAC) n++;
  if (n === 0) return bytes;
  const out = new Uint8Array(bytes.length + n);
  let j = 0;
  for (const b of bytes) {
    out[j++] = b;
    if (b === IAC) out[j++] = IAC;
  }
  return out;
}

export function negotiation(command: Negotiation, option: number): Uint8Array {
  return Uint8Array.of(IAC, command, option);
}

/** IAC SB COM-PORT-OPTION code value... IAC SE, with 0xFF in the value doubled. */
export function comPortCommand(code: number, value: Uint8Array): Uint8Array {
  const body = escapeIac(value);
  const out = new Uint8Array(body.length + 6);
  out.set([IAC, SB, OPT_COM_PORT, code]);
  out.set(body, 4);
  out.set([IAC, SE], 4 + body.length);
  return out;
}

/** A 4-byte big-endian baud rate, as SET-BAUDRATE carries it. */
export function baudBytes(baud: number): Uint8Array {
  return Uint8Array.of((baud >>> 24) & 0xff, (baud >>> 16) & 0xff, (baud >>> 8) & 0xff, baud & 0xff);
}

export function baudFrom(value: Uint8Array): number | null {
  if (value.length < 4) return null;
  return (((value[0] ?? 0) << 24) >>> 0) + ((value[1] ?? 0) << 16) + ((value[2] ?? 0) << 8) + (value[3] ?? 0);
}

const NEGOTIATION_NAMES: Readonly<Record<Negotiation, string>> = { [WILL]: 'WILL', [WONT]: 'WONT', [DO]: 'DO', [DONT]: 'DONT' };
const OPTION_NAMES: Readonly<Record<number, string>> = { [OPT_BINARY]: 'BINARY', [OPT_ECHO]: 'ECHO', [OPT_SGA]: 'SGA', [OPT_COM_PORT]: 'COM-PORT-OPTION' };

/** "DO COM-PORT-OPTION", for logs. */
export function describeNegotiation(command: Negotiation, option: number): string {
  return `${NEGOTIATION_NAMES[command]} ${OPTION_NAMES[option] ?? `option ${option}`}`;
}
