// The flash service's platform parts in a browser: Chrome's port chooser, the Web Serial
// transport and the wall clock.
import { openWebSerialLink } from '../transports/web-serial.js';
import { systemClock } from '../transports/system-clock.js';
import type { FlashDeps } from './flash-service.js';

export function webSerialDeps(serial: Serial = navigator.serial): FlashDeps {
  return {
    requestPort: () => serial.requestPort(),
    openLink: (port, opts) => openWebSerialLink(port, opts),
    clock: systemClock,
  };
}
