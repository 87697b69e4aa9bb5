// The serial ports this page was allowed to open before (navigator.serial.getPorts()), kept in step
// with Web Serial's connect and disconnect events, for "Flash again on <port>" without the chooser.
// A Lit ReactiveController: its host re-renders whenever the list changes.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { portInfo, type PortInfo } from './port-info.js';

/** The part of navigator.serial this needs. */
export interface GrantedPortSource {
  getPorts(): Promise<SerialPort[]>;
  addEventListener(type: 'connect' | 'disconnect', listener: (e: Event) => void): void;
  removeEventListener(type: 'connect' | 'disconnect', listener: (e: Event) => void): void;
}

export interface GrantedPort {
  readonly port: SerialPort;
  readonly info: PortInfo;
  /** The port's label, numbered when several granted ports share it ("CH340 USB-serial adapter (USB 1a86:7523), 2nd"). */
  readonly label: string;
}

export class GrantedPorts implements ReactiveController {
  ports: readonly GrantedPort[] = [];
  private source: GrantedPortSource | null = null;
  private generation = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly serial: () => GrantedPortSource | null,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.source = this.serial();
    this.source?.addEventListener('connect', this.onConnect);
    this.source?.addEventListener('disconnect', this.onDisconnect);
    void this.refresh();
  }

  hostDisconnected(): void {
    this.source?.removeEventListener('connect', this.onConnect);
    this.source?.removeEventListener('disconnect', this.onDisconnect);
    this.source = null;
    this.generation++;
  }

  /** Reads the list again (after a flash, the port picked in the chooser has joined it). */
  async refresh(): Promise<void> {
    const source = this.source;
    if (!source) return;
    const gen = ++this.generation;
    let list: SerialPort[] = [];
    try {
      list = await source.getPorts();
    } catch {
      // A page that may not use serial ports (permissions policy) has none to offer.
    }
    if (gen !== this.generation) return; // a newer read, or an event, came in meanwhile
    // Chrome lists granted ports that are plugged in; `connected` (newer Chrome) says so explicitly.
    this.set(labelPorts(list.filter((p) => (p as { connected?: boolean }).connected !== false)));
  }

  private readonly onConnect = (): void => {
    void this.refresh();
  };

  private readonly onDisconnect = (e: Event): void => {
    // The unplugged port goes at once; the re-read only confirms it.
    const gone = e.target;
    this.generation++;
    this.set(labelPorts(this.ports.filter((g) => g.port !== gone).map((g) => g.port)));
    void this.refresh();
  };

  private set(ports: readonly GrantedPort[]): void {
    this.ports = ports;
    this.host.requestUpdate();
  }
}

const ORDINAL = ['', '', '2nd', '3rd'];

export function labelPorts(ports: readonly SerialPort[]): GrantedPort[] {
  const seen = new Map<string, number>();
  return ports.map((port) => {
    const info = portInfo(port);
    const n = (seen.get(info.label) ?? 0) + 1;
    seen.set(info.label, n);
    return { port, info, label: n === 1 ? info.label : `${info.label}, ${ORDINAL[n] ?? `${n}th`}` };
  });
}
