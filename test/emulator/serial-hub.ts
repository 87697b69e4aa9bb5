// A navigator.serial look-alike over emulated ports, for in-process tests and the browser tests:
// getPorts() lists the plugged ports whose USB ID the page was granted, requestPort() is the chooser
// (the test decides what the "user" picks, filters applied), and 'connect' / 'disconnect' fire on
// it as in Chrome. A port chosen once is granted by its vid:pid from then on, as Chrome remembers it.

export interface HubPort extends EventTarget {
  getInfo(): { usbVendorId?: number; usbProductId?: number };
}

/** Where a USB device model shows its ports. */
export interface PortSink {
  plug(port: HubPort): void;
  unplug(port: HubPort): void;
}

export interface PortFilterLike {
  readonly usbVendorId?: number;
  readonly usbProductId?: number;
}

/** What the user picks among `offered` (the plugged ports the filters let through); null: dismissed. */
export type Chooser<P> = (offered: readonly P[]) => P | null | Promise<P | null>;

const key = (p: HubPort): string => `${p.getInfo().usbVendorId ?? '-'}:${p.getInfo().usbProductId ?? '-'}`;

export class EmulatedSerial extends EventTarget implements PortSink {
  onconnect: ((ev: Event) => unknown) | null = null;
  ondisconnect: ((ev: Event) => unknown) | null = null;
  requests = 0;
  /** The last filters requestPort() was called with. */
  lastFilters: readonly PortFilterLike[] = [];
  chooser: Chooser<HubPort> = (offered) => offered[0] ?? null;
  private readonly plugged: HubPort[] = [];
  private readonly granted = new Set<string>();

  plug(port: HubPort): void {
    this.plugged.push(port);
    this.fire('connect', port);
  }

  unplug(port: HubPort): void {
    const i = this.plugged.indexOf(port);
    if (i < 0) return;
    this.plugged.splice(i, 1);
    this.fire('disconnect', port);
  }

  grant(port: HubPort): void {
    this.granted.add(key(port));
  }

  grantIds(vid: number, pid: number): void {
    this.granted.add(`${vid}:${pid}`);
  }

  revokeAll(): void {
    this.granted.clear();
  }

  async getPorts(): Promise<HubPort[]> {
    return this.plugged.filter((p) => this.granted.has(key(p)));
  }

  async requestPort(options?: { filters?: readonly PortFilterLike[] }): Promise<HubPort> {
    this.requests++;
    const filters = options?.filters ?? [];
    this.lastFilters = filters;
    const offered = this.plugged.filter((p) => filters.length === 0 || filters.some((f) => matches(p, f)));
    const chosen = await this.chooser(offered);
    if (!chosen) throw new DOMException('No port selected by the user.', 'NotFoundError');
    this.grant(chosen);
    return chosen;
  }

  private fire(type: 'connect' | 'disconnect', port: HubPort): void {
    // Chrome fires the event at the port and it bubbles to navigator.serial with the port as target.
    const ev = new Event(type);
    Object.defineProperty(ev, 'target', { value: port });
    this.dispatchEvent(ev);
    void (type === 'connect' ? this.onconnect : this.ondisconnect)?.call(this, ev);
  }
}

function matches(p: HubPort, f: PortFilterLike): boolean {
  const i = p.getInfo();
  return (f.usbVendorId === undefined || f.usbVendorId === i.usbVendorId) && (f.usbProductId === undefined || f.usbProductId === i.usbProductId);
}
