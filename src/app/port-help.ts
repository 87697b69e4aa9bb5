// The help shown when no port shows up or a port will not open, as data built from the actual
// error, the port's USB IDs (the driver named by chip) and the platform: charge-only cables and
// drivers (CH340/CH341, CH9102, CP210x, FTDI) on Windows and macOS; the dialout group, brltty and
// the Chromium snap on Linux; programs that hold the port. Pure: components/port-help renders it.
import { identifyUsb, usbIdText } from '../core/usb-ids.js';
import type { HelpInput, UsbIdsSeen } from './help-cause.js';
import type { Platform } from './platform.js';

export interface HelpLink {
  readonly label: string;
  readonly href: string;
}

export interface HelpStep {
  readonly title: string;
  readonly text: string;
  /** Commands to type in a terminal, one a line. */
  readonly commands?: readonly string[];
  /** Download pages the user may open (the page itself never fetches them). */
  readonly links?: readonly HelpLink[];
}

export interface HelpModel {
  readonly id: 'empty-chooser' | 'open-failed' | 'port-busy' | 'unknown-adapter';
  readonly title: string;
  readonly intro: string;
  readonly steps: readonly HelpStep[];
}

type DriverChip = 'CH340' | 'CH9102' | 'CP210x' | 'FTDI';

const DRIVERS: Readonly<Record<DriverChip, { readonly maker: string; readonly windows: string; readonly macos: string }>> = {
  CH340: {
    maker: 'WCH',
    windows: 'https://www.wch-ic.com/downloads/CH341SER_EXE.html',
    macos: 'https://www.wch-ic.com/downloads/CH34XSER_MAC_ZIP.html',
  },
  CH9102: {
    maker: 'WCH',
    windows: 'https://www.wch-ic.com/downloads/CH343SER_EXE.html',
    macos: 'https://www.wch-ic.com/downloads/CH34XSER_MAC_ZIP.html',
  },
  CP210x: {
    maker: 'Silicon Labs',
    windows: 'https://www.silabs.com/developers/usb-to-uart-bridge-vcp-drivers',
    macos: 'https://www.silabs.com/developers/usb-to-uart-bridge-vcp-drivers',
  },
  FTDI: { maker: 'FTDI', windows: 'https://ftdichip.com/drivers/vcp-drivers/', macos: 'https://ftdichip.com/drivers/vcp-drivers/' },
};

const CHIP_NAMES: Readonly<Record<DriverChip, string>> = { CH340: 'CH340/CH341', CH9102: 'CH9102', CP210x: 'CP210x', FTDI: 'FTDI' };

const HOLDERS =
  'OctoPrint (press Disconnect in its Connection panel), Cura and PrusaSlicer (they connect to USB printers by themselves: close them), ' +
  'Pronterface or Repetier-Host, the Arduino IDE (its Serial Monitor or Plotter), PuTTY, screen or minicom';

const CABLE: HelpStep = {
  title: 'Use a data cable',
  text:
    'Many USB cables only charge: the board lights up but the computer sees no device. Try a cable that you know carries data ' +
    '(one that lets a phone transfer files), plug the board straight into the computer rather than a hub, and try another USB socket.',
};

const DIALOUT: HelpStep = {
  title: 'Allow your user to open serial ports',
  text:
    'Serial ports (/dev/ttyUSB*, /dev/ttyACM*) belong to the dialout group (uucp on Arch Linux). Add yourself to it, ' +
    'then log out and back in (or restart) and reload this page.',
  commands: ['sudo usermod -a -G dialout $USER'],
};

const BRLTTY: HelpStep = {
  title: 'Remove brltty if the CH340 port vanishes',
  text:
    'On Ubuntu 22.04 and later the brltty package (for braille displays) claims CH340 adapters (USB 1a86:7523): the port appears ' +
    'and is gone a second later. If you do not use a braille display, remove it and plug the board in again. ' +
    'The kernel log shows it as "interface 0 claimed by ch341 while \'brltty\' sets config".',
  commands: ['sudo dmesg | grep -i brltty', 'sudo apt remove brltty'],
};

const SNAP: HelpStep = {
  title: 'Chromium from the Snap Store',
  text: 'The snap package of Chromium may only open serial ports once it is allowed raw USB access. Then restart Chromium.',
  commands: ['sudo snap connect chromium:raw-usb'],
};

/** The chip whose driver this USB ID needs; undefined for boards with their own USB chip and unknown IDs. */
function driverChip(usb: UsbIdsSeen | null): DriverChip | undefined {
  const chip = usb ? identifyUsb(usb.vid, usb.pid)?.chip : undefined;
  if (chip === 'CH340' || chip === 'CH341') return 'CH340';
  if (chip === 'CH9102' || chip === 'CP210x' || chip === 'FTDI') return chip;
  return undefined;
}

function isCh34x(usb: UsbIdsSeen | null): boolean {
  return usb !== null && usb.vid === 0x1a86;
}

function driverStep(platform: 'windows' | 'macos', chips: readonly DriverChip[]): HelpStep {
  const os = platform === 'windows' ? 'Windows' : 'macOS';
  const named = chips.map((c) => CHIP_NAMES[c]).join(', ');
  const where =
    platform === 'windows'
      ? 'In Device Manager, a board without its driver shows under "Other devices" with a warning sign (for example "USB2.0-Serial").'
      : 'After installing, allow the driver in System Settings, Privacy & Security, and plug the board in again.';
  return {
    title: chips.length === 1 ? `Install the ${named} driver` : 'Install the driver of the USB-serial chip',
    text:
      `${os} needs the maker's driver for some USB-serial chips; without it the list of ports stays empty. ` +
      (chips.length === 1 ? '' : `Cheap Arduino clones and most 3D-printer boards use a CH340; others a CP210x or an FTDI chip (the chip's name is printed on it, near the USB socket). `) +
      where,
    links: chips.map((c) => ({ label: `${CHIP_NAMES[c]} driver for ${os} (${DRIVERS[c].maker})`, href: DRIVERS[c][platform] })),
  };
}

function holdersStep(platform: Platform): HelpStep {
  return {
    title: 'Close the program that holds the port',
    text: `Only one program at a time can open a serial port. Close or disconnect it in ${HOLDERS}, then press Flash again.${
      platform === 'linux' ? ' To see which program it is:' : ''
    }`,
    ...(platform === 'linux' ? { commands: ['sudo fuser -v /dev/ttyUSB* /dev/ttyACM*'] } : {}),
  };
}

function emptyChooser(input: HelpInput): HelpModel {
  const { platform } = input;
  const steps: HelpStep[] = [CABLE];
  if (platform === 'windows' || platform === 'macos') steps.push(driverStep(platform, ['CH340', 'CH9102', 'CP210x', 'FTDI']));
  if (platform === 'linux') steps.push(BRLTTY, SNAP);
  steps.push({
    title: 'Then press Flash again',
    text: 'The list updates as boards are plugged in. If the board was in the list and the chooser was closed by mistake, press Flash and pick it.',
  });
  return {
    id: 'empty-chooser',
    title: 'No board in the list of ports?',
    intro:
      'The port chooser closed without a port. Boards show there by their USB name: "USB2.0-Serial" or "USB-SERIAL CH340" (most clones ' +
      'and 3D-printer boards), "Arduino Mega 2560", "ttyUSB0" or "ttyACM0". If yours was not there, the computer does not see it yet:',
    steps,
  };
}

function openRefused(input: HelpInput): HelpModel {
  const { platform, usb } = input;
  if (platform !== 'linux') return portBusy(input, false);
  const steps: HelpStep[] = [DIALOUT, holdersStep(platform)];
  if (isCh34x(usb) || usb?.vid === undefined) steps.push(BRLTTY);
  steps.push(SNAP);
  return {
    id: 'open-failed',
    title: 'Linux refused to open the port',
    intro:
      'The browser got "Failed to open serial port" (NetworkError) from the system. On Linux that means your user may not open ' +
      'serial ports, or another program holds this one:',
    steps,
  };
}

function portBusy(input: HelpInput, inBrowser: boolean): HelpModel {
  const steps: HelpStep[] = [];
  if (inBrowser) {
    steps.push({
      title: 'Close it in this browser',
      text: 'The serial console of this page, another HexFlash tab or window, or another page with a serial connection has it open. Close that connection or tab, then press Flash again.',
    });
  }
  steps.push(holdersStep(input.platform));
  if (!inBrowser) {
    steps.push({ title: 'Plug the board in again', text: 'If no program holds it, unplug the board for a few seconds; that frees a port a crashed program left open.' });
    const chip = driverChip(input.usb);
    const p = input.platform;
    if (chip && (p === 'windows' || p === 'macos')) {
      const os = p === 'windows' ? 'Windows' : 'macOS';
      steps.push({
        title: `Reinstall the ${CHIP_NAMES[chip]} driver`,
        text: `An outdated ${CHIP_NAMES[chip]} driver can refuse to open the port too. Install the current one from ${DRIVERS[chip].maker}, then plug the board in again.`,
        links: [{ label: `${CHIP_NAMES[chip]} driver for ${os} (${DRIVERS[chip].maker})`, href: DRIVERS[chip][p] }],
      });
    }
  }
  return {
    id: 'port-busy',
    title: 'The port is in use',
    intro: inBrowser
      ? 'The browser says the port is open already (InvalidStateError): something in this browser holds it.'
      : 'The system refused to open the port (NetworkError): another program holds it.',
    steps,
  };
}

function unknownAdapter(input: HelpInput): HelpModel {
  const { usb, platform } = input;
  const vid = usb?.vid;
  const what =
    vid === undefined
      ? 'This port has no USB IDs: a Bluetooth serial port, or one built into the computer (COM1), rather than a board on USB.'
      : `This port is a USB serial device with the ID ${usbIdText(vid, usb?.pid)} (vendor:product), which is not in HexFlash's table of boards ` +
        'and USB-serial adapters. It may be a clone with a less common USB chip, or not a board at all (a phone, a GPS receiver, a modem).';
  const steps: HelpStep[] = [
    {
      title: 'Check that it is the board',
      text: 'Unplug the board and press Flash: the port missing from the list now was the board. Plug it back in and choose that one.',
    },
    {
      title: 'Check the board choice',
      text: 'Pick the board (or its MCU) rather than "Detect automatically", and if the board does not reset by itself, press its reset button just before Flash.',
    },
  ];
  if (platform === 'windows' || platform === 'macos') {
    steps.push({
      title: 'Look at the USB chip',
      text: "The chip next to the USB socket names the driver it needs (CH340, CP2102, FT232R); install its maker's driver if the port misbehaves.",
    });
  }
  steps.push({ title: 'Tell us about it', text: 'Download the log (below) and report the USB ID with the board name, so it can be added.' });
  return { id: 'unknown-adapter', title: vid === undefined ? 'A serial port without USB IDs' : `HexFlash does not know this USB device (USB ${usbIdText(vid, usb?.pid)})`, intro: what, steps };
}

export function portHelp(input: HelpInput): HelpModel {
  switch (input.kind) {
    case 'empty-chooser':
      return emptyChooser(input);
    case 'open-refused':
      return openRefused(input);
    case 'open-in-use':
      return portBusy(input, true);
    case 'unknown-adapter':
      return unknownAdapter(input);
  }
}
