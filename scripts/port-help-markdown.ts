// The README's "no port shows up / the port will not open" help, written from the same model the
// page renders (src/app/port-help.ts) for each platform, so the README and the page say the same
// words. Steps that differ by platform are marked with the platforms they are for.
import type { HelpInput } from '../src/app/help-cause.js';
import type { Platform } from '../src/app/platform.js';
import { portHelp, type HelpStep } from '../src/app/port-help.js';

const PLATFORM_NAMES: Partial<Record<Platform, string>> = { windows: 'Windows', macos: 'macOS', linux: 'Linux' };
const ALL: readonly Platform[] = ['windows', 'macos', 'linux'];
const CH340 = { vid: 0x1a86, pid: 0x7523 };

const SECTIONS: readonly { readonly heading: string; readonly kind: HelpInput['kind']; readonly usb: HelpInput['usb']; readonly platforms: readonly Platform[] }[] = [
  { heading: 'No board in the list of ports (the chooser was closed, NotFoundError)', kind: 'empty-chooser', usb: null, platforms: ALL },
  { heading: 'Linux: "Failed to open serial port" (NetworkError), here for a CH340', kind: 'open-refused', usb: CH340, platforms: ['linux'] },
  { heading: 'Windows and macOS: the port will not open (NetworkError), here for a CH340', kind: 'open-refused', usb: CH340, platforms: ['windows', 'macos'] },
  { heading: 'The port is open already in this browser (InvalidStateError)', kind: 'open-in-use', usb: CH340, platforms: ['windows'] },
  { heading: 'A USB ID HexFlash does not know, here 1234:5678', kind: 'unknown-adapter', usb: { vid: 0x1234, pid: 0x5678 }, platforms: ALL },
];

const md = (t: string): string => t.replace(/([*_`[\]])/g, '\\$1');

function stepLine(s: HelpStep): string {
  const parts = [`**${md(s.title)}.** ${md(s.text)}`];
  if (s.commands) parts.push(s.commands.map((c) => `\`${c}\``).join(', '));
  if (s.links) parts.push(s.links.map((l) => `[${md(l.label)}](${l.href})`).join(', '));
  return parts.join(' ');
}

export function portHelpMarkdown(): string {
  const out: string[] = [
    '**When no port shows up, or it will not open**, the page shows help built from the error, the port\'s USB IDs and the',
    'platform (read from `navigator.userAgentData`). The same words:',
  ];
  for (const sec of SECTIONS) {
    const on = new Map<string, Platform[]>();
    const order: string[] = [];
    let intro = '';
    for (const platform of sec.platforms) {
      const m = portHelp({ kind: sec.kind, usb: sec.usb, platform });
      intro ||= m.intro;
      const lines = m.steps.map(stepLine);
      lines.forEach((line, i) => {
        on.set(line, [...(on.get(line) ?? []), platform]);
        if (order.includes(line)) return;
        // A step of this platform only goes before the next step it shares with the others.
        const next = lines.slice(i + 1).find((l) => order.includes(l));
        order.splice(next === undefined ? order.length : order.indexOf(next), 0, line);
      });
    }
    out.push('', `*${sec.heading}.* ${md(intro)}`, '');
    for (const line of order) {
      const ps = on.get(line) ?? [];
      const only = ps.length === sec.platforms.length ? '' : `(${ps.map((p) => PLATFORM_NAMES[p] ?? p).join(', ')}) `;
      out.push(`- ${only}${line}`);
    }
  }
  return out.join('\n');
}
