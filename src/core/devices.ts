// MCU table as data (values from the Atmel/Microchip datasheets: "Memory Programming" and
// "Boot Loader Support" chapters). Code looks devices up here; it never branches on a name.

export interface Device {
  readonly name: string;
  /** Three signature bytes, as READ_SIGNATURE returns them. */
  readonly signature: readonly [number, number, number];
  readonly flashBytes: number;
  readonly pageBytes: number;
  /** Boot section sizes in bytes, selectable by the BOOTSZ fuses, smallest first. */
  readonly bootSizes: readonly number[];
  /** First byte address of the no-read-while-write section. */
  readonly nrwwStart: number;
}

export const DEVICES = {
  atmega8: {
    name: 'ATmega8',
    signature: [0x1e, 0x93, 0x07],
    flashBytes: 8 * 1024,
    pageBytes: 64,
    bootSizes: [256, 512, 1024, 2048],
    nrwwStart: 0x1800,
  },
  atmega168: {
    name: 'ATmega168',
    signature: [0x1e, 0x94, 0x06],
    flashBytes: 16 * 1024,
    pageBytes: 128,
    bootSizes: [256, 512, 1024, 2048],
    nrwwStart: 0x3800,
  },
  atmega168p: {
    name: 'ATmega168P',
    signature: [0x1e, 0x94, 0x0b],
    flashBytes: 16 * 1024,
    pageBytes: 128,
    bootSizes: [256, 512, 1024, 2048],
    nrwwStart: 0x3800,
  },
  atmega328: {
    name: 'ATmega328',
    signature: [0x1e, 0x95, 0x14],
    flashBytes: 32 * 1024,
    pageBytes: 128,
    bootSizes: [512, 1024, 2048, 4096],
    nrwwStart: 0x7000,
  },
  atmega328p: {
    name: 'ATmega328P',
    signature: [0x1e, 0x95, 0x0f],
    flashBytes: 32 * 1024,
    pageBytes: 128,
    bootSizes: [512, 1024, 2048, 4096],
    nrwwStart: 0x7000,
  },
  atmega32u4: {
    name: 'ATmega32U4',
    signature: [0x1e, 0x95, 0x87],
    flashBytes: 32 * 1024,
    /** Also Caterina's AVR109 block size ('b' answers SPM_PAGESIZE): one block is one page. */
    pageBytes: 128,
    bootSizes: [512, 1024, 2048, 4096],
    nrwwStart: 0x7000,
  },
  atmega644p: {
    name: 'ATmega644P',
    signature: [0x1e, 0x96, 0x0a],
    flashBytes: 64 * 1024,
    pageBytes: 256,
    bootSizes: [1024, 2048, 4096, 8192],
    nrwwStart: 0xe000,
  },
  atmega1280: {
    name: 'ATmega1280',
    signature: [0x1e, 0x97, 0x03],
    flashBytes: 128 * 1024,
    pageBytes: 256,
    bootSizes: [1024, 2048, 4096, 8192],
    nrwwStart: 0x1e000,
  },
  atmega1284p: {
    name: 'ATmega1284P',
    signature: [0x1e, 0x97, 0x05],
    flashBytes: 128 * 1024,
    pageBytes: 256,
    bootSizes: [1024, 2048, 4096, 8192],
    nrwwStart: 0x1e000,
  },
  atmega2560: {
    name: 'ATmega2560',
    signature: [0x1e, 0x98, 0x01],
    flashBytes: 256 * 1024,
    pageBytes: 256,
    bootSizes: [1024, 2048, 4096, 8192],
    nrwwStart: 0x3e000,
  },
} as const satisfies Record<string, Device>;

export type McuId = keyof typeof DEVICES;

export const MCU_IDS = Object.keys(DEVICES) as McuId[];

export function isMcuId(s: string): s is McuId {
  return Object.prototype.hasOwnProperty.call(DEVICES, s);
}

export function deviceBySignature(sig: ArrayLike<number>): { id: McuId; device: Device } | undefined {
  for (const id of MCU_IDS) {
    const d: Device = DEVICES[id];
    if (d.signature[0] === sig[0] && d.signature[1] === sig[1] && d.signature[2] === sig[2]) return { id, device: d };
  }
  return undefined;
}

export function formatSignature(sig: ArrayLike<number>): string {
  return Array.from(sig, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
