// Builds what the browser tests load: the app and the install element's module (vite build, the same
// as `npm run build` minus the type check) and the test-only fake-serial bundle (an IIFE injected with addInitScript).
import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function buildApp(): Promise<string> {
  await build({ root: ROOT, configFile: `${ROOT}vite.config.ts`, logLevel: 'warn' });
  await build({ root: ROOT, configFile: `${ROOT}vite.install.config.ts`, logLevel: 'warn' });
  return `${ROOT}dist`;
}

/** Returns the fake-serial bundle's code (nothing is written to disk); benches pass an entry of their own. */
export async function buildFakeSerial(entry = `${ROOT}test/e2e/fake-serial-entry.ts`): Promise<string> {
  const out = await build({
    root: ROOT,
    configFile: false,
    logLevel: 'warn',
    build: {
      write: false,
      minify: false,
      target: 'es2022',
      lib: { entry, formats: ['iife'], name: 'hexflashFakeSerial' },
    },
  });
  const outputs = (Array.isArray(out) ? out : [out]) as Rolldown.RolldownOutput[];
  const chunk = outputs.flatMap((o) => o.output).find((c) => c.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('the fake-serial bundle produced no code');
  return chunk.code;
}
