# pyserial's RFC 2217 client (Debian's python3-serial) against the emulated board's RFC 2217 server,
# run by rfc2217-listener.test.ts with /usr/bin/python3: opens at 57600, resets the board with a DTR
# edge and tries optiboot's GET_SYNC there (a wrong baud: it must fail), changes to 115200, resets
# with an RTS edge, syncs, reads the signature and 16 bytes of erased flash (0xFF: IAC on the wire).
# Prints one JSON line of what it saw; the test judges it.
import json
import sys
import time

import serial


def sync(port, tries):
    for _ in range(tries):
        port.reset_input_buffer()
        port.write(b"\x30\x20")
        got = port.read(2)
        if got == b"\x14\x10":
            return got.hex()
    return got.hex()


url = sys.argv[1]
port = serial.serial_for_url(url, baudrate=57600, timeout=0.3)
seen = {}
port.dtr = False
time.sleep(0.05)
port.dtr = True
seen["sync_at_57600"] = sync(port, 5)

port.baudrate = 115200
# From here every read expects an answer: a generous deadline costs nothing when it comes, and a loaded
# machine (the test's emulator shares it) may take longer than 0.3 s to send it.
port.timeout = 2.0
port.rts = False
time.sleep(0.05)
port.rts = True
seen["sync_at_115200"] = sync(port, 10)
port.write(b"\x75\x20")
seen["signature"] = port.read(5).hex()
port.write(b"\x55\x00\x00\x20")
seen["load_address"] = port.read(2).hex()
port.write(b"\x74\x00\x10\x46\x20")
seen["read_page"] = port.read(18).hex()
port.close()
print(json.dumps(seen))
