// Vite build of the embeddable <hexflash-install> element as one minified ES module,
// dist/install-button.js, run after the app's build (which empties dist): no chunks, no CSS file, no
// service worker, so a publisher's page fetches this one file and then only the manifest and the firmware.
import { defineConfig } from 'vite';

export const INSTALL_MODULE = 'install-button.js';

export default defineConfig({
  publicDir: false,
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: false,
    modulePreload: false,
    rollupOptions: {
      input: 'src/install/hexflash-install.ts',
      preserveEntrySignatures: 'strict',
      output: { format: 'es', entryFileNames: INSTALL_MODULE },
    },
  },
});
