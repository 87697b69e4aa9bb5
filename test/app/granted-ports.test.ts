// The granted ports behind "Flash again on <port>": listed from getPorts(), in step with connect and
// disconnect, numbered when two share a label, and nothing from a page without Web Serial.
import { describe, expect, it } from 'vitest';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { GrantedPorts, type GrantedPortSource } from '../../src/app/granted-ports.js';
import { EmulatedSerial, type HubPort } from '../emulator/serial-hub.js';

class FakePort extends EventTarget implements HubPort {
  constructor(private readonly ids: { usbVendorId?: number; usbProductId?: number }) {
    super();
  }
  getInfo() {
    return this.ids;
  }
}

function host() {
  const h = { updates: 0, controllers: [] as ReactiveController[] };
  const api: ReactiveControllerHost = {
    addController: (c) => void h.controllers.push(c),
    removeController: () => undefined,
    requestUpdate: () => void h.updates++,
    updateComplete: Promise.resolve(true),
  };
  return { h, api };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
const labels = (g: GrantedPorts): string[] => g.ports.map((p) => p.label);

describe('GrantedPorts', () => {
  it('lists the granted ports that are plugged in and follows connect and disconnect', async () => {
    const hub = new EmulatedSerial();
    const mega = new FakePort({ usbVendorId: 0x2341, usbProductId: 0x0042 });
    const other = new FakePort({ usbVendorId: 0x10c4, usbProductId: 0xea60 });
    hub.plug(mega);
    hub.plug(other);
    hub.grant(mega);
    const { h, api } = host();
    const g = new GrantedPorts(api, () => hub as unknown as GrantedPortSource);
    h.controllers[0]?.hostConnected?.();
    await settle();
    expect(labels(g)).toEqual(['Arduino Mega 2560 R3 (USB 2341:0042)']);
    expect(g.ports[0]?.port).toBe(mega);

    hub.unplug(mega);
    // Gone at once, before getPorts() answers again.
    expect(labels(g)).toEqual([]);
    await settle();
    expect(labels(g)).toEqual([]);

    hub.plug(mega);
    await settle();
    expect(labels(g)).toEqual(['Arduino Mega 2560 R3 (USB 2341:0042)']);

    // Chosen in the chooser: granted from then on, listed after a refresh.
    await hub.requestPort({ filters: [{ usbVendorId: 0x10c4 }] });
    await g.refresh();
    expect(labels(g).sort()).toEqual(['Arduino Mega 2560 R3 (USB 2341:0042)', 'CP210x USB-serial adapter (USB 10c4:ea60)']);
    expect(h.updates).toBeGreaterThan(3);

    h.controllers[0]?.hostDisconnected?.();
    hub.unplug(other);
    await settle();
    expect(labels(g)).toHaveLength(2); // no longer listening
  });

  it('numbers ports that share a label', async () => {
    const hub = new EmulatedSerial();
    const a = new FakePort({ usbVendorId: 0x1a86, usbProductId: 0x7523 });
    const b = new FakePort({ usbVendorId: 0x1a86, usbProductId: 0x7523 });
    hub.plug(a);
    hub.plug(b);
    hub.grant(a);
    const { h, api } = host();
    const g = new GrantedPorts(api, () => hub as unknown as GrantedPortSource);
    h.controllers[0]?.hostConnected?.();
    await settle();
    expect(labels(g)).toEqual(['CH340 USB-serial adapter (USB 1a86:7523)', 'CH340 USB-serial adapter (USB 1a86:7523), 2nd']);
  });

  it('drops ports that say they are not connected, and offers nothing without Web Serial', async () => {
    const src: GrantedPortSource = {
      getPorts: async () => [Object.assign(new FakePort({}), { connected: false }) as unknown as SerialPort],
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
    };
    const one = host();
    const g = new GrantedPorts(one.api, () => src);
    one.h.controllers[0]?.hostConnected?.();
    await settle();
    expect(g.ports).toEqual([]);
    const none = host();
    const n = new GrantedPorts(none.api, () => null);
    none.h.controllers[0]?.hostConnected?.();
    await n.refresh();
    expect(n.ports).toEqual([]);
  });
});
