// Platform detection for the port help: Client Hints first, the legacy fields only as a fallback.
import { describe, expect, it } from 'vitest';
import { detectPlatform } from '../../src/app/platform.js';

const UA = {
  windows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  mac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  linux: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  android: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36',
  cros: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
};

describe('detectPlatform', () => {
  it('reads navigator.userAgentData.platform where present, whatever the user agent says', () => {
    expect(detectPlatform({ userAgent: UA.linux, platform: 'Linux x86_64', userAgentData: { platform: 'Windows' } })).toBe('windows');
    expect(detectPlatform({ userAgent: UA.linux, userAgentData: { platform: 'macOS' } })).toBe('macos');
    expect(detectPlatform({ userAgent: UA.windows, userAgentData: { platform: 'Linux' } })).toBe('linux');
    expect(detectPlatform({ userAgent: UA.linux, userAgentData: { platform: 'Chrome OS' } })).toBe('chromeos');
    expect(detectPlatform({ userAgent: UA.linux, userAgentData: { platform: 'Android' } })).toBe('android');
    expect(detectPlatform({ userAgent: UA.linux, userAgentData: { platform: 'Fuchsia' } })).toBe('other');
  });

  it('falls back to navigator.platform and the user agent without Client Hints', () => {
    expect(detectPlatform({ userAgent: UA.windows, platform: 'Win32' })).toBe('windows');
    expect(detectPlatform({ userAgent: UA.mac, platform: 'MacIntel' })).toBe('macos');
    expect(detectPlatform({ userAgent: UA.linux, platform: 'Linux x86_64' })).toBe('linux');
    // Android's navigator.platform says Linux; the user agent names Android.
    expect(detectPlatform({ userAgent: UA.android, platform: 'Linux armv8l' })).toBe('android');
    expect(detectPlatform({ userAgent: UA.cros, platform: 'Linux x86_64' })).toBe('chromeos');
    expect(detectPlatform({ userAgent: UA.mac, platform: '' })).toBe('macos');
    expect(detectPlatform({ userAgent: 'SomeBrowser/1.0' })).toBe('other');
  });

  it('takes the legacy fields when userAgentData has no platform', () => {
    expect(detectPlatform({ userAgent: UA.windows, platform: 'Win32', userAgentData: { platform: '' } })).toBe('windows');
  });
});
