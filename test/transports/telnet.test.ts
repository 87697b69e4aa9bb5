// Telnet framing for RFC 2217: the decoder gives the same data, negotiations and subnegotiations
// however the stream is split (down to one byte per push), IAC IAC is one 0xFF in data and in a
// subnegotiation, and option negotiation answers requests but never a confirmation (no loops).
import { describe, expect, it } from 'vitest';
import {
  baudBytes,
  baudFrom,
  comPortCommand,
  DO,
  DONT,
  escapeIac,
  IAC,
  OPT_BINARY,
  OPT_COM_PORT,
  OPT_ECHO,
  SB,
  SE,
  TelnetDecoder,
  TelnetOptions,
  WILL,
  WONT,
} from '../../src/transports/telnet.js';

type Seen = (string | number)[];

function decode(chunks: readonly Uint8Array[]): Seen {
  const seen: Seen = [];
  const d = new TelnetDecoder({
    data: (b) => seen.push(...b),
    negotiate: (c, o) => seen.push(`neg ${c} ${o}`),
    subnegotiation: (body) => seen.push(`sb ${[...body].join(',')}`),
  });
  for (const c of chunks) d.push(c);
  return seen;
}

// ser2net's greeting, then data with an escaped 0xFF, a SET-BAUDRATE answer of 0xFFFFFFFF... and more data.
const STREAM = Uint8Array.of(
  IAC, WILL, 3, IAC, DO, OPT_COM_PORT, 0x41, IAC, IAC, 0x42,
  IAC, SB, OPT_COM_PORT, 101, 0x00, 0x01, IAC, IAC, 0x00, IAC, SE,
  IAC, 0xf1, // NOP: ignored
  0x43,
);
const EXPECTED: Seen = [`neg ${WILL} 3`, `neg ${DO} ${OPT_COM_PORT}`, 0x41, 0xff, 0x42, `sb ${OPT_COM_PORT},101,0,1,255,0`, 0x43];

describe('telnet framing', () => {
  it('decodes a whole stream', () => {
    expect(decode([STREAM])).toEqual(EXPECTED);
  });

  it('decodes the same stream split at every byte', () => {
    expect(decode([...STREAM].map((b) => Uint8Array.of(b)))).toEqual(EXPECTED);
    for (let cut = 1; cut < STREAM.length; cut++) expect(decode([STREAM.subarray(0, cut), STREAM.subarray(cut)])).toEqual(EXPECTED);
  });

  it('drops a subnegotiation broken by a command and goes on', () => {
    expect(decode([Uint8Array.of(IAC, SB, OPT_COM_PORT, 1, IAC, WILL, 0x44)])).toEqual([0x44]);
  });

  it('escapes 0xFF in data and in subnegotiation values', () => {
    expect([...escapeIac(Uint8Array.of(1, 0xff, 2, 0xff, 0xff))]).toEqual([1, 0xff, 0xff, 2, 0xff, 0xff, 0xff, 0xff]);
    const plain = Uint8Array.of(1, 2, 3);
    expect(escapeIac(plain)).toBe(plain);
    expect([...comPortCommand(1, baudBytes(0xff00ff))]).toEqual([IAC, SB, OPT_COM_PORT, 1, 0, 0xff, 0xff, 0, 0xff, 0xff, IAC, SE]);
    expect(baudFrom(baudBytes(115200))).toBe(115200);
    expect(baudFrom(baudBytes(0xfffffffe))).toBe(0xfffffffe);
    expect(baudFrom(Uint8Array.of(1, 2))).toBeNull();
  });
});

describe('telnet option negotiation', () => {
  function pair(): { opts: TelnetOptions; sent: number[][]; changes: string[] } {
    const sent: number[][] = [];
    const changes: string[] = [];
    const opts = new TelnetOptions({ local: [OPT_BINARY, OPT_COM_PORT], remote: [OPT_BINARY] }, (b) => sent.push([...b]), (s, o, on) => changes.push(`${s} ${o} ${on}`));
    return { opts, sent, changes };
  }

  it('a confirmation of our offer is not answered; a request is answered once', () => {
    const { opts, sent, changes } = pair();
    opts.offer(OPT_COM_PORT);
    expect(sent).toEqual([[IAC, WILL, OPT_COM_PORT]]);
    opts.receive(DO, OPT_COM_PORT);
    expect(opts.isLocal(OPT_COM_PORT)).toBe(true);
    expect(sent).toHaveLength(1);
    opts.receive(WILL, OPT_BINARY);
    opts.receive(WILL, OPT_BINARY);
    expect(sent.slice(1)).toEqual([[IAC, DO, OPT_BINARY]]);
    expect(changes).toEqual([`local ${OPT_COM_PORT} true`, `remote ${OPT_BINARY} true`]);
  });

  it('refuses what it does not accept, and records a refusal of its own offer', () => {
    const { opts, sent } = pair();
    opts.receive(WILL, OPT_ECHO);
    opts.receive(DO, OPT_ECHO);
    expect(sent).toEqual([[IAC, DONT, OPT_ECHO], [IAC, WONT, OPT_ECHO]]);
    opts.offer(OPT_COM_PORT);
    opts.receive(DONT, OPT_COM_PORT);
    expect(opts.isLocal(OPT_COM_PORT)).toBe(false);
    expect(opts.refused('local', OPT_COM_PORT)).toBe(true);
    // Refusing a pending offer needs no answer; turning off an active option is confirmed.
    expect(sent).toHaveLength(3);
    opts.receive(DO, OPT_BINARY);
    opts.receive(DONT, OPT_BINARY);
    expect(sent.slice(3)).toEqual([[IAC, WILL, OPT_BINARY], [IAC, WONT, OPT_BINARY]]);
  });
});
