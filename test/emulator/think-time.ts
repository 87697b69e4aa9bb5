// The bootloader's own time on the emulated board, for the bench's floor (test/bench/lower-bound.ts):
// from the arrival of the last byte it read before it answered (a command's last; bytes that came
// meanwhile, a pipelining host's filler, wait unread) to its answer's first byte out, and within an
// answer the time its wire idles between bytes (stk500boot waits for each byte's transmit-complete
// flag before it prepares the next; optiboot writes the page between its two answer bytes). Cycles in.

export class ThinkTime {
  /** Over the whole session, in cycles, and the commands answered. */
  total = 0;
  commands = 0;
  /** The same from the first host write as long as a flash page on (not the reset and detection before it). */
  pages = 0;
  private pagesBegun = false;
  private lastReadArrivedAt = 0;
  private readSinceTx = false;
  private lastTxDoneAt = 0;

  /** `pageBytes`: the MCU's flash page; `cyclesPerMs`: its clock, for the figures in ms. */
  constructor(
    private readonly pageBytes: number,
    private readonly cyclesPerMs = 1,
  ) {}

  get totalMs(): number {
    return this.total / this.cyclesPerMs;
  }

  get pagesMs(): number {
    return this.pages / this.cyclesPerMs;
  }

  /** The host wrote `bytes` bytes. */
  hostWrote(bytes: number): void {
    if (bytes >= this.pageBytes) this.pagesBegun = true;
  }

  /** The firmware read a byte that had arrived at `arrivedAt`. */
  read(arrivedAt: number): void {
    this.lastReadArrivedAt = arrivedAt;
    this.readSinceTx = true;
  }

  /** The firmware wrote a byte to its UART at `at`; it is out at `doneAt`. */
  sent(at: number, doneAt: number): void {
    const since = this.readSinceTx ? this.lastReadArrivedAt : this.lastTxDoneAt > 0 ? this.lastTxDoneAt : at;
    if (this.readSinceTx) this.commands++;
    this.readSinceTx = false;
    this.lastTxDoneAt = doneAt;
    if (at <= since) return;
    this.total += at - since;
    if (this.pagesBegun) this.pages += at - since;
  }
}
