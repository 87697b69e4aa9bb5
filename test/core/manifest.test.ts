// The firmware manifest: the validator names the field at fault, agrees with the schema file on
// every field, and pickBuild chooses by signature, bootloader and preset (or says what is offered).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BOARD_IDS } from '../../src/core/boards.js';
import { checkManifest, MANIFEST_FIELDS, parseManifest, type FirmwareManifest } from '../../src/core/manifest/manifest.js';
import { noBuildError, pickBuild } from '../../src/core/manifest/pick.js';

interface SchemaNode {
  required?: string[];
  properties?: Record<string, SchemaNode & { pattern?: string; enum?: string[] }>;
  items?: SchemaNode & { anyOf?: { required: string[] }[] };
  additionalProperties?: boolean;
}
const schema = JSON.parse(readFileSync('schema/firmware-manifest.schema.json', 'utf8')) as SchemaNode;
const buildSchema = schema.properties?.builds?.items as NonNullable<SchemaNode['items']>;

const SHA = 'a'.repeat(64);
const good = {
  name: 'Blink',
  version: '1.0.0',
  builds: [
    { board: 'arduino-uno', url: 'uno/blink.hex', sha256: SHA },
    { board: 'arduino-mega2560', signature: '1e9801', url: 'https://example.org/mega.hex' },
  ],
};

function errorsOf(v: unknown): readonly string[] {
  const c = checkManifest(v);
  return c.ok ? [] : c.errors;
}

describe('the schema file and the validator agree', () => {
  it('on the required and known fields, top level and per build', () => {
    expect(schema.required).toEqual([...MANIFEST_FIELDS.required]);
    expect(Object.keys(schema.properties ?? {})).toEqual([...MANIFEST_FIELDS.properties]);
    expect(schema.additionalProperties).toBe(false);
    expect(buildSchema.required).toEqual([...MANIFEST_FIELDS.build.required]);
    expect(Object.keys(buildSchema.properties ?? {})).toEqual([...MANIFEST_FIELDS.build.properties]);
    expect(buildSchema.additionalProperties).toBe(false);
    expect(buildSchema.anyOf?.map((a) => a.required)).toEqual(MANIFEST_FIELDS.build.keys.map((k) => [k]));
  });

  it('on the patterns and the board presets', () => {
    expect(buildSchema.properties?.signature?.pattern).toBe(MANIFEST_FIELDS.build.patterns.signature);
    expect(buildSchema.properties?.sha256?.pattern).toBe(MANIFEST_FIELDS.build.patterns.sha256);
    expect(buildSchema.properties?.board?.enum).toEqual([...BOARD_IDS]);
  });
});

describe('checkManifest', () => {
  it('accepts a good manifest and normalises signature and sha256', () => {
    const c = checkManifest({ ...good, builds: [{ signature: '1E 95 0F', url: 'a.hex', sha256: SHA.toUpperCase() }] });
    expect(c.ok).toBe(true);
    if (c.ok) expect(c.manifest.builds[0]).toEqual({ signature: '1e 95 0f', url: 'a.hex', sha256: SHA });
  });

  it('names each field at fault', () => {
    expect(errorsOf({ ...good, builds: [good.builds[0], { board: 'arduino-mega2560', url: 'm.hex', sha256: 'abc' }] })).toEqual(['builds[1].sha256: must be 64 hex digits']);
    expect(errorsOf({ version: 1, builds: [] })).toEqual(['name: is required', 'version: must be a string, not a number', 'builds: must list at least one build']);
    expect(errorsOf({ ...good, extra: true })).toEqual(['extra: is not a manifest field (known: $schema, name, version, builds)']);
    const e = errorsOf({ ...good, builds: [{ url: 'x.hex' }, { board: 'uno', url: '' }, { signature: '1e95', url: 'y.hex' }, 'z'] });
    expect(e).toEqual([
      'builds[0]: needs a board or a signature (or both)',
      'builds[1].url: must not be empty',
      expect.stringMatching(/^builds\[1\]\.board: "uno" is not a HexFlash board preset \(one of arduino-uno, /),
      'builds[2].signature: must be three bytes in hex, like "1e950f" or "1e 95 0f"',
      'builds[3]: must be an object, not a string',
    ]);
  });

  it('parseManifest throws manifest-invalid with the fields, or for text that is not JSON', () => {
    expect(() => parseManifest('{"name":"x","version":"1","builds":[{"board":"arduino-uno"}]}', 'm.json')).toThrow(/manifest schema\. m\.json: builds\[0\]\.url: is required\./);
    expect(() => parseManifest('{nope', 'm.json')).toThrow(/m\.json is not JSON/);
  });
});

describe('pickBuild', () => {
  const manifest: FirmwareManifest = {
    name: 'Blink',
    version: '1.0.0',
    builds: [
      { board: 'arduino-uno', url: 'uno.hex' },
      { board: 'arduino-nano-old', url: 'nano-old.hex' },
      { board: 'arduino-mega2560', url: 'mega.hex' },
      { signature: '1e 97 05', url: '1284p.hex' },
    ],
  };

  it('picks by chip and bootloader: the Mega build for a 2560 speaking STK500v2', () => {
    const p = pickBuild(manifest, { signature: '1e 98 01', protocol: 'stk500v2', baud: 115200 });
    expect(p.kind === 'build' && p.build.url).toBe('mega.hex');
  });

  it('tells two 328P boards apart by the baud their bootloader answered at', () => {
    const fast = pickBuild(manifest, { signature: '1e 95 0f', protocol: 'stk500v1', baud: 115200 });
    const slow = pickBuild(manifest, { signature: '1e 95 0f', protocol: 'stk500v1', baud: 57600 });
    expect(fast.kind === 'build' && fast.build.url).toBe('uno.hex');
    expect(slow.kind === 'build' && slow.build.url).toBe('nano-old.hex');
  });

  it('a preset the page names wins among builds that fit', () => {
    const p = pickBuild(manifest, { signature: '1e 95 0f', protocol: 'stk500v1', baud: 115200, board: 'arduino-nano-old' });
    expect(p.kind === 'build' && p.build.url).toBe('nano-old.hex');
  });

  it('a signature-only build fits its chip with any bootloader', () => {
    const p = pickBuild(manifest, { signature: '1e 97 05', protocol: 'stk500v2', baud: 115200 });
    expect(p.kind === 'build' && p.label).toBe('ATmega1284P (1e 97 05)');
  });

  it('a preset build does not fit its chip behind another bootloader', () => {
    const p = pickBuild({ ...manifest, builds: [{ board: 'arduino-mega2560', url: 'mega.hex' }] }, { signature: '1e 98 01', protocol: 'stk500v1', baud: 115200 });
    expect(p.kind).toBe('none');
  });

  it('nothing fits: lists what the manifest offers and what the board is', () => {
    const p = pickBuild(manifest, { signature: '1e 95 87', protocol: 'avr109', baud: 57600 });
    expect(p).toEqual({
      kind: 'none',
      offers: ['Arduino Uno (ATmega328P, STK500V1)', 'Arduino Nano (old bootloader) (ATmega328P, STK500V1)', 'Arduino Mega 2560 (ATmega2560, STK500V2)', 'ATmega1284P (1e 97 05)'],
      board: 'ATmega32U4 (signature 1e 95 87) with an AVR109 bootloader at 57600 baud',
    });
    if (p.kind === 'none') expect(noBuildError(manifest, p).message).toMatch(/^None of the firmware builds offered is for this board\. Blink 1\.0\.0 has builds for Arduino Uno .* The board is ATmega32U4 .*Nothing was written\.$/);
  });
});

it("the README's manifest example follows the schema", () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## For publishers'));
  const json = /```json\n([\s\S]*?)```/.exec(section)?.[1];
  expect(json).toBeDefined();
  expect(errorsOf(JSON.parse(json ?? 'null'))).toEqual([]);
});
