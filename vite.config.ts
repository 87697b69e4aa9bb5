// Vite build of the app: Lit components bundled into one shell, the PWA manifest and a
// generated Workbox service worker that precaches everything, and the CSP in the page.
import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { CSP_META, SECURITY_HEADERS } from './src/app/csp.js';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

/** Puts the CSP into the built page (not in dev: Vite's dev client injects inline scripts). */
function cspMeta(): Plugin {
  return {
    name: 'hexflash-csp-meta',
    apply: 'build',
    transformIndexHtml: (html) => {
      const meta = `<meta http-equiv="Content-Security-Policy" content="${CSP_META.replace(/'/g, '&#39;')}" />`;
      return html.replace(/(<meta charset="utf-8" \/>)/, `$1\n    ${meta}`);
    },
  };
}

export default defineConfig({
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  build: {
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  preview: { headers: { ...SECURITY_HEADERS } },
  plugins: [
    cspMeta(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      manifestFilename: 'manifest.webmanifest',
      manifest: {
        id: '/',
        name: 'HexFlash: AVR firmware flasher',
        short_name: 'HexFlash',
        description: 'Flash .hex firmware to Arduino and 3D-printer boards over Web Serial, offline.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: '#0b5fbf',
        background_color: '#f4f6f8',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
        file_handlers: [{ action: '/', accept: { 'application/octet-stream': ['.hex', '.ihx'], 'text/plain': ['.hex'] } }],
        launch_handler: { client_mode: 'focus-existing' },
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,txt}'],
        navigateFallback: '/index.html',
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: false,
      },
    }),
  ],
});
