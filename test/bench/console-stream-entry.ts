// Test-only bundle for `npm run bench:console`: navigator.serial offers one port that, once open,
// streams `total` bytes of seeded printer-like output (temperature reports, echo lines, "ok", now
// and then a burst of raw bytes) as fast as the page reads it, in 16 KiB chunks as Chrome hands
// them over with a 16 KiB buffer: ten minutes of a 250000-baud line in fast time. The bench lets it
// go on in steps (allow), to sample the heap on the way.
import { EmulatedSerial, type HubPort } from '../emulator/serial-hub.js';
import { prng } from '../helpers/random.js';

export interface StreamBenchApi {
  /** Bytes handed to the page so far. */
  delivered(): number;
  readonly total: number;
  /** Lets the stream go on up to `bytes` in total (it waits there), so the bench can sample on the way. */
  allow(bytes: number): void;
}

const TOTAL = Number(new URLSearchParams(location.search).get('bytes') ?? 15_000_000);
const CHUNK = 16 * 1024;
let allowed = 0;
let wakeUp: (() => void) | null = null;

function makePool(bytes: number, seed: number): Uint8Array {
  const r = prng(seed);
  const out: number[] = [];
  for (let n = 0; out.length < bytes; n++) {
    const pick = r();
    const t = (x: number) => (x * 100).toFixed(2);
    let line: string;
    if (pick < 0.55) line = `T:${t(2 + r())} /210.00 B:${t(0.6 + r() / 10)} /60.00 @:${Math.floor(r() * 128)} B@:${Math.floor(r() * 128)}\n`;
    else if (pick < 0.8) line = `echo:busy: processing (line ${n})\n`;
    else if (pick < 0.97) line = 'ok\n';
    else line = '';
    for (const c of line) out.push(c.charCodeAt(0));
    if (line === '') for (let i = 0; i < 16; i++) out.push(Math.floor(r() * 256));
  }
  return Uint8Array.from(out.slice(0, bytes));
}

class StreamPort extends EventTarget implements HubPort {
  readable: ReadableStream<Uint8Array> | null = null;
  writable: WritableStream<Uint8Array> | null = null;
  delivered = 0;
  private readonly pool = makePool(256 * 1024, 51);

  getInfo(): { usbVendorId: number; usbProductId: number } {
    return { usbVendorId: 0x1a86, usbProductId: 0x7523 };
  }

  async open(_options: { baudRate: number; bufferSize?: number }): Promise<void> {
    const ch = new MessageChannel();
    const yieldTask = (): Promise<void> =>
      new Promise((resolve) => {
        ch.port1.onmessage = () => resolve();
        ch.port2.postMessage(0);
      });
    this.readable = new ReadableStream<Uint8Array>({
      pull: async (c) => {
        await yieldTask();
        while (this.delivered >= allowed && this.delivered < TOTAL) await new Promise<void>((resolve) => (wakeUp = resolve));
        const left = TOTAL - this.delivered;
        if (left <= 0) return;
        const at = this.delivered % (this.pool.length - CHUNK);
        const chunk = this.pool.slice(at, at + Math.min(CHUNK, left, allowed - this.delivered));
        this.delivered += chunk.length;
        c.enqueue(chunk);
      },
    });
    this.writable = new WritableStream<Uint8Array>({ write: () => undefined });
  }

  async setSignals(): Promise<void> {}

  async close(): Promise<void> {
    await this.readable?.cancel().catch(() => undefined);
    this.readable = null;
    this.writable = null;
  }
}

const serial = new EmulatedSerial();
const port = new StreamPort();
serial.plug(port);
serial.grant(port);
const api: StreamBenchApi = {
  delivered: () => port.delivered,
  total: TOTAL,
  allow: (bytes) => {
    allowed = bytes;
    wakeUp?.();
    wakeUp = null;
  },
};
Object.defineProperty(Navigator.prototype, 'serial', { configurable: true, get: () => serial });
Object.defineProperty(window, '__streamBench', { configurable: true, value: api });
