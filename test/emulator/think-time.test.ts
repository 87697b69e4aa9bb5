// ThinkTime: what counts as the bootloader's own time for the bench's floor.
import { describe, expect, it } from 'vitest';
import { ThinkTime } from './think-time.js';

describe('ThinkTime', () => {
  it('counts from the last byte read, not from bytes that came meanwhile and wait unread', () => {
    const t = new ThinkTime(128);
    t.read(100);
    // Filler arriving at 150 and 160 is in the receiver, unread: the answer at 200 is 100 after the command's end.
    t.sent(200, 210);
    expect(t.total).toBe(100);
    expect(t.commands).toBe(1);
  });

  it('counts the idle wire between the bytes of one answer', () => {
    const t = new ThinkTime(128);
    t.read(0);
    t.sent(10, 20);
    t.sent(25, 35); // 5 idle after the first byte was out
    t.sent(35, 45); // back to back: nothing
    expect(t.total).toBe(15);
    expect(t.commands).toBe(1);
  });

  it('counts page commands only from the first page-sized host write on', () => {
    const t = new ThinkTime(128);
    t.read(0);
    t.sent(300, 310); // a reset's start-up before the first answer
    t.hostWrote(10);
    t.read(400);
    t.sent(401, 411);
    t.hostWrote(137);
    t.read(500);
    t.sent(504, 514);
    expect(t.pages).toBe(4);
    expect(t.total).toBe(305);
  });
});
