// Boots HexFlash: the page styles, the <hexflash-app> element, and the service worker with its
// "new version ready" flow (kept here, out of the modules that tests import).
import './ui/global.css';
import './ui/hexflash-app.js';
import { registerServiceWorker } from './app/pwa-update.js';

const app = document.querySelector('hexflash-app');
if (app && import.meta.env.PROD) {
  app.updater = registerServiceWorker(`${import.meta.env.BASE_URL}sw.js`, {
    isBusy: () => app.busy,
    onReady: () => {
      app.updateReady = true;
    },
  });
}
