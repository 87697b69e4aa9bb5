// The flash service's platform parts in a browser: Chrome's port chooser, the Web Serial
// transport, the granted ports for the 1200-baud touch, and the wall clock.
import { openWebSerialLink } from '../transports/web-serial.js';
import { systemClock } from '../transports/system-clock.js';
import type { FlashDeps } from './flash-service.js';
import { webSerialPorts } from './touch-ports.js';

export function webSerialDeps(serial: Serial = navigator.serial): FlashDeps {
  return {
    requestPort: (filters) => serial.requestPort(filters && filters.length > 0 ? { filters: [...filters] } : undefined),
    openLink: (port, opts) => openWebSerialLink(port, opts),
    clock: systemClock,
    ports: webSerialPorts(serial, systemClock),
  };
}
