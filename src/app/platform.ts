// Which operating system the page runs on, for help that differs by platform (drivers on Windows and
// macOS, the dialout group on Linux). Feature detection first: User-Agent Client Hints
// (navigator.userAgentData.platform); navigator.platform and the user agent string only where they
// are missing. Never used to decide what the app can do (serial-support.ts does that).
import type { UaData } from './app-info.js';

export type Platform = 'windows' | 'macos' | 'linux' | 'chromeos' | 'android' | 'other';

type NavigatorLike = Pick<Navigator, 'userAgent'> & { readonly platform?: string; readonly userAgentData?: UaData };

const PATTERNS: readonly (readonly [RegExp, Platform])[] = [
  [/android/i, 'android'],
  [/cros|chrome ?os/i, 'chromeos'],
  [/^win|windows/i, 'windows'],
  [/^mac|macos|mac os|macintosh/i, 'macos'],
  [/linux|x11/i, 'linux'],
];

export function platformOf(text: string): Platform {
  return PATTERNS.find(([re]) => re.test(text))?.[1] ?? 'other';
}

export function detectPlatform(nav: NavigatorLike = navigator): Platform {
  const hinted = nav.userAgentData?.platform;
  if (hinted) return platformOf(hinted);
  // Fallback for browsers without Client Hints (Firefox, Safari): the legacy fields, which on Android
  // say "Linux armv8l" (the user agent then names Android, which the patterns try first).
  return platformOf(`${nav.platform ?? ''} ${nav.userAgent}`);
}
