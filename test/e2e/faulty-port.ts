// A SerialPort wrapper for the browser tests that adds what a real port can do wrong: refuse to
// open because the system refuses it (Chrome's NetworkError: another program holds it, or on Linux
// no permission) or because it is open already (InvalidStateError), or vanish after some bytes were
// written (USB unplugged: the readable errors, writes fail, 'disconnect' fires on the port).
// Everything else is passed through to the wrapped (emulated) port.

export type Fault =
  | { readonly kind: 'none' }
  | { readonly kind: 'busy'; readonly error?: 'NetworkError' | 'InvalidStateError' }
  | { readonly kind: 'unplug-after'; readonly bytes: number };

const lost = (): DOMException => new DOMException('The device has been lost.', 'NetworkError');

export class FaultyPort extends EventTarget {
  private readableStream: ReadableStream<Uint8Array> | null = null;
  private writableStream: WritableStream<Uint8Array> | null = null;
  private innerReader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private readController: ReadableStreamDefaultController<Uint8Array> | null = null;
  private written = 0;
  private gone = false;
  onconnect: ((ev: Event) => unknown) | null = null;
  ondisconnect: ((ev: Event) => unknown) | null = null;

  constructor(
    private readonly inner: SerialPort,
    private readonly fault: Fault,
  ) {
    super();
  }

  get connected(): boolean {
    return !this.gone;
  }

  get readable(): ReadableStream<Uint8Array> | null {
    return this.readableStream;
  }

  get writable(): WritableStream<Uint8Array> | null {
    return this.writableStream;
  }

  getInfo(): SerialPortInfo {
    return this.inner.getInfo();
  }

  async open(options: SerialOptions): Promise<void> {
    if (this.fault.kind === 'busy') {
      const name = this.fault.error ?? 'NetworkError';
      throw new DOMException(name === 'NetworkError' ? 'Failed to open serial port.' : 'The port is already open.', name);
    }
    if (this.gone) throw lost();
    await this.inner.open(options);
    this.wrapStreams();
  }

  async setSignals(signals: SerialOutputSignals): Promise<void> {
    if (this.gone) throw lost();
    await this.inner.setSignals(signals);
  }

  async getSignals(): Promise<SerialInputSignals> {
    if (this.gone) throw lost();
    return this.inner.getSignals();
  }

  async close(): Promise<void> {
    if (this.innerReader) {
      await this.innerReader.cancel().catch(() => undefined);
      this.innerReader.releaseLock();
      this.innerReader = null;
    }
    this.readableStream = null;
    this.writableStream = null;
    this.readController = null;
    await this.inner.close();
  }

  async forget(): Promise<void> {
    await this.close().catch(() => undefined);
  }

  /** Pulls the plug now. */
  unplug(): void {
    if (this.gone) return;
    this.gone = true;
    try {
      this.readController?.error(lost());
    } catch {
      // already closed
    }
    this.dispatchEvent(new Event('disconnect', { bubbles: true }));
  }

  private wrapStreams(): void {
    const inner = this.inner;
    this.readableStream = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.readController = c;
        },
        pull: async (c) => {
          if (this.gone) throw lost();
          this.innerReader ??= inner.readable?.getReader() ?? null;
          if (!this.innerReader) throw lost();
          const { value, done } = await this.innerReader.read();
          if (this.gone) return;
          if (done) c.close();
          else c.enqueue(value);
        },
        cancel: async () => {
          const r = this.innerReader;
          this.innerReader = null;
          if (r) {
            await r.cancel().catch(() => undefined);
            r.releaseLock();
          }
        },
      },
      { highWaterMark: 0 },
    );
    this.writableStream = new WritableStream<Uint8Array>({
      write: async (chunk) => {
        if (this.gone) throw lost();
        const limit = this.fault.kind === 'unplug-after' ? this.fault.bytes : Infinity;
        if (this.written + chunk.length > limit) {
          this.unplug();
          throw lost();
        }
        this.written += chunk.length;
        const w = inner.writable?.getWriter();
        if (!w) throw lost();
        try {
          await w.write(chunk);
        } finally {
          w.releaseLock();
        }
      },
    });
  }
}
