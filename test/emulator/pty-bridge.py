#!/usr/bin/python3
# A real tty for the CLI tests: a Linux pseudo-terminal whose other side speaks RFC 2217 (Debian's
# pyserial client) to the emulated board's listener. The baud the host sets on the tty (tcsetattr,
# read back from the kernel through the master) goes to the board as SET-BAUDRATE before the bytes
# written after it, so a wrong baud garbles as on the wire. A pty has no modem lines, so the host's
# DTR pulses cannot reach the board; this bridge stands in for them (and for the user's reset button)
# by pulsing DTR when the host starts writing after QUIET_S of silence (a new try after a reset, or
# the first byte after opening), and holding those bytes until the bootloader is up, as the host's own
# reset-and-wait would. ATmegaBOOT_168 enters only after an external reset, so it needs this.
# Usage: pty-bridge.py LINK_PATH rfc2217://127.0.0.1:PORT   (prints "ready", then "reset"/"baud N")
import errno
import os
import sys
import termios
import threading
import time
import tty

import serial

link_path, url = sys.argv[1], sys.argv[2]
SPEEDS = {}
for rate in (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, 921600, 1000000):
    if hasattr(termios, 'B%d' % rate):
        SPEEDS[getattr(termios, 'B%d' % rate)] = rate

master, slave = os.openpty()
tty.setraw(slave)
os.symlink(os.ttyname(slave), link_path)
os.close(slave)

board = serial.serial_for_url(url, baudrate=115200, timeout=0.01)
lock = threading.Lock()
QUIET_S = 0.3
BOOT_S = 0.1


def tty_baud():
    try:
        speed = termios.tcgetattr(master)[4]
    except termios.error:
        return None
    return SPEEDS.get(speed)


def follow_baud():
    rate = tty_baud()
    if rate is not None and rate != board.baudrate:
        with lock:
            board.baudrate = rate
        print('baud %d' % rate, flush=True)


def reset_board():
    print('reset', flush=True)
    with lock:
        board.dtr = False
        time.sleep(0.05)
        board.dtr = True
    time.sleep(BOOT_S)


def board_to_host():
    while True:
        data = board.read(4096)
        if data:
            try:
                os.write(master, data)
            except OSError:
                pass
        else:
            time.sleep(0.001)


threading.Thread(target=board_to_host, daemon=True).start()
print('ready', flush=True)
last_write = 0.0
while True:
    try:
        data = os.read(master, 4096)
    except OSError as e:
        if e.errno != errno.EIO:
            raise
        # Nobody has the tty open.
        time.sleep(0.01)
        continue
    # The host changed the baud before writing these bytes: send them at the new one.
    follow_baud()
    if time.monotonic() - last_write >= QUIET_S:
        reset_board()
    with lock:
        board.write(data)
    last_write = time.monotonic()
