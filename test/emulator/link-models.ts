// How a USB-serial adapter (or a network bridge) between host and board moves bytes in time, by name:
// 'fixed' (every transfer late by latencyMs +- jitterMs, the board's options), 'ftdi', 'ch340',
// '16u2' and 'wifi'. The board asks the model when a host write starts onto its wire, and when each
// byte its UART sent reaches the host (bytes given one delivery go to the host as one chunk), and
// the rate its own UART really sends at for the baud the host asked for (each derives it from its
// own clock, so "115200" is 117,647 on a 16U2 and 115,385 on an FTDI chip).
// Times are milliseconds on the board's timeline; every model is deterministic given `random`.

export const LINK_MODELS = ['fixed', 'ftdi', 'ch340', '16u2', 'wifi'] as const;
export type LinkModelName = (typeof LINK_MODELS)[number];

export function isLinkModelName(s: string): s is LinkModelName {
  return (LINK_MODELS as readonly string[]).includes(s);
}

export interface LinkModel {
  readonly name: LinkModelName;
  /** When bytes the host writes at `nowMs` start onto the board's wire (at or after `nowMs`). */
  toBoardAt(nowMs: number): number;
  /**
   * When a byte that left the board's UART at `sentMs` reaches the host. `pendingMs` is the delivery
   * time of the chunk still on its way (null when none): `join` puts the byte into it, and `at` then
   * becomes that whole chunk's delivery time. Deliveries never go backwards.
   */
  toHost(sentMs: number, pendingMs: number | null): { readonly at: number; readonly join: boolean };
  /** Bits a second the adapter's UART sends to the board when the host opens the port at `requested`. */
  uartBaud(requested: number): number;
}

/**
 * Arduino-usbserial on the 16U2 at 16 MHz (firmwares/atmegaxxu2/arduino-usbserial): UBRR rounded
 * as LUFA's SERIAL_2X_UBBRVAL, except 57600, which it sets without U2X (58,824, as ATmegaBOOT's own).
 */
export function usbserial16u2Baud(requested: number): number {
  const clock = requested === 57600 ? 1e6 : 2e6;
  return clock / Math.floor((clock + Math.floor(requested / 2)) / requested);
}

/** FT232R and kin: 3 MHz divided by a divisor in eighths, the nearest to the request. */
export function ftdiBaud(requested: number): number {
  return 3e6 / (Math.max(1, Math.round((3e6 * 8) / requested)) / 8);
}

/**
 * CH340/CH341 (Linux's ch341.c): 48 MHz through a prescaler (the largest whose slowest rate is still
 * below the request) and an 8-bit divisor, rounded to the nearer rate.
 */
export function ch340Baud(requested: number): number {
  const clkDiv = (ps: number): number => 1 << (12 - 3 * ps - 1);
  let ps = 3;
  while (ps > 0 && requested <= 48e6 / (clkDiv(ps) * 512)) ps--;
  const k = clkDiv(ps);
  let div = Math.floor(48e6 / (k * requested));
  if (48e6 / (k * div) - requested >= requested - 48e6 / (k * (div + 1))) div++;
  return 48e6 / (k * div);
}

/** An ESP8266 bridge (esp-link): its UART divides 80 MHz by a whole number. */
export function esp8266Baud(requested: number): number {
  return 80e6 / Math.floor(80e6 / requested);
}

/** Latency and jitter read at each transfer, so a test may change them mid-session. */
export interface FixedLatency {
  readonly latencyMs: number;
  readonly jitterMs: number;
}

/**
 * A transfer to the host gathers bytes for at most this long (a USB frame), so each byte of a stream
 * that never pauses (answers back to back) still arrives within the latency and a frame.
 */
const TRANSFER_SPAN_MS = 1;

/**
 * Every transfer each way is late by latency +- jitter. Bytes that leave before a transfer is
 * delivered ride along with it (up to TRANSFER_SPAN_MS of them); no transfer overtakes another.
 * The UART is clocked as `uartBaud` says: by default the board's own 16U2, the Uno's and Mega's
 * adapter, with its packet timer replaced by the latency given.
 */
export function fixedModel(
  params: () => FixedLatency,
  random: () => number,
  name: LinkModelName = 'fixed',
  uartBaud: (requested: number) => number = usbserial16u2Baud,
): LinkModel {
  const draw = (): number => {
    const { latencyMs, jitterMs } = params();
    return jitterMs > 0 ? Math.max(0, latencyMs + (random() * 2 - 1) * jitterMs) : latencyMs;
  };
  let chunkLatency = 0;
  let chunkStart = -Infinity;
  let lastAt = -Infinity;
  return {
    name,
    uartBaud,
    toBoardAt: (now) => now + draw(),
    toHost(sent, pending) {
      if (pending !== null && sent <= pending && sent - chunkStart < TRANSFER_SPAN_MS) {
        lastAt = Math.max(pending, sent + chunkLatency);
        return { at: lastAt, join: true };
      }
      chunkLatency = draw();
      chunkStart = sent;
      lastAt = Math.max(lastAt, sent + chunkLatency);
      return { at: lastAt, join: false };
    },
  };
}

export interface PacketAdapter {
  /** Bytes the adapter gathers before it sends them to the host at once. */
  readonly packetBytes: number;
  /** Its flush timer's period: bytes wait at most this long (a free-running timer with a seeded phase). */
  readonly timerMs: number;
  /** USB frames the host's writes are sent in (1 ms at full speed). */
  readonly frameMs: number;
  readonly uartBaud: (requested: number) => number;
}

/** FT232R and kin: 62 data bytes a packet, the latency timer at its default 16 ms. */
export const FTDI: PacketAdapter = { packetBytes: 62, timerMs: 16, frameMs: 1, uartBaud: ftdiBaud };
/** CH340/CH341: 32-byte packets, a short timer. */
export const CH340: PacketAdapter = { packetBytes: 32, timerMs: 2, frameMs: 1, uartBaud: ch340Baud };
/**
 * The Uno/Mega's ATmega16U2 with Arduino-usbserial (Debian's firmwares/atmegaxxu2): it sends what its
 * ring buffer holds when timer 0 overflows (clk/256: 4.096 ms) or more than 96 bytes wait.
 */
export const USBSERIAL_16U2: PacketAdapter = { packetBytes: 97, timerMs: 4.096, frameMs: 1, uartBaud: usbserial16u2Baud };

/** An adapter that gathers bytes into packets, flushed when full or at its timer's tick. */
export function packetModel(name: LinkModelName, a: PacketAdapter, random: () => number): LinkModel {
  const timerPhase = random() * a.timerMs;
  const framePhase = random() * a.frameMs;
  const nextTick = (t: number, period: number, phase: number): number => phase + Math.ceil((t - phase) / period) * period;
  let gathered = 0;
  return {
    name,
    uartBaud: a.uartBaud,
    toBoardAt: (now) => nextTick(now, a.frameMs, framePhase),
    toHost(sent, pending) {
      if (pending !== null && sent <= pending) {
        gathered++;
        // A full packet goes at once; the timer's tick would have sent it later.
        return { at: gathered >= a.packetBytes ? sent : pending, join: true };
      }
      gathered = 1;
      return { at: a.packetBytes <= 1 ? sent : nextTick(sent, a.timerMs, timerPhase), join: false };
    },
  };
}

/** A Wi-Fi bridge (esp-link and kin): each transfer each way 5-30 ms late. */
export const WIFI: FixedLatency = { latencyMs: 17.5, jitterMs: 12.5 };

/** The model `name`; 'fixed' reads its latency from `fixed` at each transfer. */
export function makeLinkModel(name: LinkModelName, random: () => number, fixed: () => FixedLatency): LinkModel {
  switch (name) {
    case 'ftdi':
      return packetModel(name, FTDI, random);
    case 'ch340':
      return packetModel(name, CH340, random);
    case '16u2':
      return packetModel(name, USBSERIAL_16U2, random);
    case 'wifi':
      return fixedModel(() => WIFI, random, 'wifi', esp8266Baud);
    case 'fixed':
      return fixedModel(fixed, random);
  }
}
