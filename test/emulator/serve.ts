// Starts an emulated board with its real bootloader behind a TCP listener, so a user, avrdude,
// the CLI or a benchmark can connect: npm run emulate -- --mcu atmega2560 --port 7000
// With --rfc2217 the listener is an RFC 2217 server instead (rfc2217://127.0.0.1:PORT): baud
// changes and DTR/RTS resets over the connection, as ser2net's telnet(rfc2217) accepter serves.
// Fault options make it a board the CLI tests can fail on: one that falls silent after N bytes,
// one whose answers are garbled after N bytes, a worn-out flash cell; --clients sets how the
// listener treats a second client (see tcp-bridge.ts); --flash-out FILE writes the emulated flash
// there when the process is stopped (SIGINT/SIGTERM), for tests that compare it byte for byte.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { BOOTLOADER_IDS, loadBootloader, type BootloaderId } from './bootloaders.js';
import { EmulatedBoard } from './board.js';
import { startRfc2217Listener } from './rfc2217-listener.js';
import { CLIENT_POLICIES, startTcpBridge, type ClientPolicy } from './tcp-bridge.js';

const BY_MCU: Record<string, BootloaderId> = {
  atmega2560: 'stk500v2-atmega2560',
  atmega328p: 'optiboot-atmega328p',
  atmega1280: 'atmegaboot-atmega1280',
  atmega1284p: 'atmegaboot-atmega1284p',
};

function count(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} takes a whole number, not "${text}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mcu: { type: 'string', default: 'atmega2560' },
      bootloader: { type: 'string' },
      port: { type: 'string', default: '7000' },
      speed: { type: 'string', default: 'realtime' },
      'latency-ms': { type: 'string', default: '0' },
      'no-bootloader': { type: 'boolean', default: false },
      clients: { type: 'string', default: 'replace' },
      rfc2217: { type: 'boolean', default: false },
      'mute-after': { type: 'string' },
      'garble-after': { type: 'string' },
      'stuck-low': { type: 'string' },
      'flash-out': { type: 'string' },
    },
  });
  const id = (values.bootloader ?? BY_MCU[values.mcu]) as BootloaderId | undefined;
  if (!id || !BOOTLOADER_IDS.includes(id)) {
    throw new Error(`--mcu must be one of ${Object.keys(BY_MCU).join(', ')} (or --bootloader one of ${BOOTLOADER_IDS.join(', ')})`);
  }
  const speed = values.speed;
  if (speed !== 'realtime' && speed !== 'adaptive' && speed !== 'fast') throw new Error('--speed must be realtime, adaptive or fast');
  const clients = values.clients as ClientPolicy;
  if (!CLIENT_POLICIES.includes(clients)) throw new Error(`--clients must be one of ${CLIENT_POLICIES.join(', ')}`);
  const info = await loadBootloader(id);
  const board = new EmulatedBoard({
    mcu: info.mcu,
    bootloader: values['no-bootloader'] ? null : { bytes: parseIntelHex(info.hexText).bytes, start: info.start },
    speed,
    latencyMs: Number(values['latency-ms']),
  });
  const muteAfter = count(values['mute-after'], '--mute-after');
  const garbleAfter = count(values['garble-after'], '--garble-after');
  if (muteAfter !== undefined || garbleAfter !== undefined) {
    let toMcu = 0;
    let toHost = 0;
    board.line = {
      toMcu: (v) => (muteAfter !== undefined && toMcu++ >= muteAfter ? null : v),
      toHost: (v) => (garbleAfter !== undefined && toHost++ >= garbleAfter ? v ^ 0x80 : v),
    };
  }
  const stuck = count(values['stuck-low'], '--stuck-low');
  if (stuck !== undefined) board.spm.stuckLow.set(stuck, 0x01);
  board.start();
  const address = { host: '127.0.0.1', port: Number(values.port), baud: info.baud };
  // The RFC 2217 server serves one client at a time, as ser2net does; --clients is for the raw bridge.
  const bridge = values.rfc2217 ? await startRfc2217Listener(board, address) : await startTcpBridge(board, { ...address, clients });
  const spec = values.rfc2217 ? `rfc2217://127.0.0.1:${bridge.port}` : `net:127.0.0.1:${bridge.port}`;
  process.stdout.write(
    `Emulated ${info.mcu} (${values['no-bootloader'] ? 'no bootloader' : info.origin}, ${info.protocol.toUpperCase()} ${info.baud} baud) on ${spec}\n`,
  );
  const flashOut = values['flash-out'];
  const stop = (): void => {
    void bridge
      .close()
      .then(() => board.stop())
      .then(() => flashOut && writeFileSync(flashOut, board.flash))
      .then(() => process.exit(0));
  };
  if ('finished' in bridge) void bridge.finished.then(stop);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
