// The emulated board's own behaviour: SPM semantics, the UART receiver's capacity and timing, baud
// mismatch, DTR reset. Small AVR programs are hand-assembled here so each test isolates one thing.
import { describe, expect, it } from 'vitest';
import { EmulatedBoard } from './board.js';
import { SpmUnit, PGERS, PGWRT, RWWSB, RWWSRE, SPMEN } from './spm.js';

describe('SpmUnit', () => {
  const make = () => {
    const flash = new Uint8Array(0x8000).fill(0x00);
    return { flash, spm: new SpmUnit({ flash, pageBytes: 128, nrwwStart: 0x7000, bootStart: 0x7e00, cyclesPerMs: 16000 }) };
  };

  it('fills the buffer, erases (RWW: CPU runs, RWWSB set) and writes by AND, page at Z', () => {
    const { flash, spm } = make();
    spm.write(SPMEN, 100);
    expect(spm.execute(0x0102, 0xbeef, 0x7e10, 102)).toEqual({ busyUntil: 0, halt: false });
    spm.write(PGERS | SPMEN, 200);
    const erase = spm.execute(0x0100, 0, 0x7e10, 202);
    expect(erase.halt).toBe(false);
    expect(erase.busyUntil).toBe(202 + 4 * 16000);
    expect(spm.spmcsr & (SPMEN | RWWSB)).toBe(SPMEN | RWWSB);
    expect(flash.subarray(0x100, 0x180).every((b) => b === 0xff)).toBe(true);
    expect(flash[0x180]).toBe(0x00);
    spm.finish();
    spm.write(PGWRT | SPMEN, 70_000);
    spm.execute(0x0100, 0, 0x7e10, 70_002);
    spm.finish();
    expect([flash[0x102], flash[0x103], flash[0x100]]).toEqual([0xef, 0xbe, 0xff]);
    spm.write(RWWSRE | SPMEN, 140_000);
    spm.execute(0, 0, 0x7e10, 140_002);
    expect(spm.spmcsr & RWWSB).toBe(0);
  });

  it('halts the CPU for an NRWW page, and refuses SPM from the application section or when not armed', () => {
    const { spm } = make();
    spm.write(PGERS | SPMEN, 0);
    expect(spm.execute(0x7080, 0, 0x7e10, 2).halt).toBe(true);
    spm.finish();
    spm.write(PGERS | SPMEN, 10);
    expect(spm.execute(0x0100, 0, 0x0100, 12).busyUntil).toBe(0);
    spm.write(PGERS | SPMEN, 20);
    expect(spm.execute(0x0100, 0, 0x7e10, 40).busyUntil).toBe(0);
    expect(spm.counts.refused).toBe(2);
  });

  it('refuses to erase or write the boot section, as the lock bits of Arduino boards do', () => {
    const { flash, spm } = make();
    spm.write(PGERS | SPMEN, 0);
    expect(spm.execute(0x7f00, 0, 0x7e10, 2)).toEqual({ busyUntil: 0, halt: false });
    spm.write(PGWRT | SPMEN, 10);
    expect(spm.execute(0x7e00, 0, 0x7e10, 12)).toEqual({ busyUntil: 0, halt: false });
    expect(flash.subarray(0x7e00).every((b) => b === 0x00)).toBe(true);
    expect(spm.counts).toMatchObject({ erases: 0, writes: 0, refused: 2 });
  });
});

/** A tiny 328p "bootloader" at 0x7e00 that enables the UART at 115200 (U2X, UBRR 16) and never reads it. */
function silentUartProgram(): Uint8Array {
  const words = [
    0xe082, // ldi r24, 0x02 (U2X0)
    0x9380, 0x00c0, // sts UCSR0A, r24
    0xe188, // ldi r24, 0x18 (RXEN0|TXEN0)
    0x9380, 0x00c1, // sts UCSR0B, r24
    0xe180, // ldi r24, 16
    0x9380, 0x00c4, // sts UBRR0L, r24
    0xcfff, // rjmp .-2 (spin)
  ];
  const flash = new Uint8Array(0x8000).fill(0xff);
  words.forEach((w, i) => {
    flash[0x7e00 + i * 2] = w & 0xff;
    flash[0x7e00 + i * 2 + 1] = w >> 8;
  });
  return flash;
}

async function runFor(board: EmulatedBoard, ms: number): Promise<void> {
  board.start();
  await new Promise((r) => setTimeout(r, ms));
  await board.stop();
}

describe('EmulatedBoard UART', () => {
  it('keeps three bytes when the firmware does not read, loses the rest, and takes 10 bit times a byte', async () => {
    const board = new EmulatedBoard({ mcu: 'atmega328p', bootloader: { bytes: silentUartProgram(), start: 0x7e00 }, speed: 'fast' });
    board.reset();
    await runFor(board, 20);
    const before = board.cycles;
    board.hostWrite(Uint8Array.of(1, 2, 3, 4, 5, 6), 117647);
    await runFor(board, 50);
    expect(board.stats.bytesLost).toBe(3);
    expect(board.cycles - before).toBeGreaterThan(6 * 10 * 136);
  });

  it('garbles bytes sent at a baud rate 4 % or more away from the UART setting', async () => {
    const board = new EmulatedBoard({ mcu: 'atmega328p', bootloader: { bytes: silentUartProgram(), start: 0x7e00 }, speed: 'fast' });
    board.reset();
    await runFor(board, 20);
    expect(board.mcuBaud).toBe(117647);
    board.hostWrite(Uint8Array.of(0x30), 57600);
    board.hostWrite(Uint8Array.of(0x30), 115200);
    await runFor(board, 20);
    const fifo = (board as unknown as { rxFifo: number[] }).rxFifo;
    expect(fifo[0]).not.toBe(0x30);
    expect(fifo[1]).toBe(0x30);
  });

  it('resets on a deasserted-to-asserted DTR or RTS edge only', () => {
    const board = new EmulatedBoard({ mcu: 'atmega328p', bootloader: null });
    const n = board.stats.resets;
    board.setSignals({ dataTerminalReady: true, requestToSend: true });
    board.setSignals({ dataTerminalReady: true });
    board.setSignals({ dataTerminalReady: false, requestToSend: false });
    expect(board.stats.resets).toBe(n + 1);
    board.setSignals({ requestToSend: true });
    expect(board.stats.resets).toBe(n + 2);
  });
});

describe('EmulatedBoard real time', () => {
  /**
   * After the thread was blocked for 100 ms (a stalled page, a loaded machine) and the board ran
   * again: how far behind the wall clock the MCU's time puts a byte the host writes now.
   */
  const afterStall = async (speed: 'realtime' | 'locked'): Promise<{ board: EmulatedBoard; lateMs: number }> => {
    const board = new EmulatedBoard({ mcu: 'atmega328p', bootloader: { bytes: silentUartProgram(), start: 0x7e00 }, speed });
    board.reset();
    const c0 = board.cycles;
    const t0 = performance.now();
    board.start();
    await new Promise((r) => setTimeout(r, 20));
    for (const until = performance.now() + 100; performance.now() < until; );
    await new Promise((r) => setTimeout(r, 30));
    const wallMs = performance.now() - t0;
    board.hostWrite(Uint8Array.of(0x30), 117647);
    const [byte] = (board as unknown as { rxWire: { doneAt: number }[] }).rxWire;
    await board.stop();
    return { board, lateMs: wallMs - ((byte?.doneAt ?? 0) - c0) / 16_000 };
  };

  it("'realtime' stretches its time over a stall (the host's next byte lands early for the MCU); 'locked' keeps the wall clock's", async () => {
    const stretched = await afterStall('realtime');
    expect(stretched.board.stats.lagMs).toBeGreaterThan(80);
    expect(stretched.lateMs).toBeGreaterThan(80);
    const locked = await afterStall('locked');
    expect(locked.board.stats.lagMs).toBe(0);
    expect(locked.board.stats.behindMs).toBeGreaterThan(90);
    // The byte's 10 bits (0.085 ms) put it a little after the wall clock's now, never before.
    expect(locked.lateMs).toBeLessThan(0);
    expect(locked.lateMs).toBeGreaterThan(-1);
  });
});
