// The `hexflash` process: wires main() to argv, stdout/stderr and Ctrl-C, and sets the exit status.
// A ref'd timer keeps the process alive until main() has decided: otherwise Node may exit with 0
// while main() still awaits something only an unref'd timer or a closed socket would settle.
import { main } from './main.js';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
const keepAlive = setInterval(() => undefined, 60_000);
const line = (stream: NodeJS.WriteStream) => (s: string): void => {
  stream.write(`${s}\n`);
};

main(process.argv.slice(2), { err: line(process.stderr), out: line(process.stdout), signal: controller.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`Unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
).finally(() => clearInterval(keepAlive));
