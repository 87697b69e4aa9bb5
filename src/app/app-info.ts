// Facts a bug report needs: the app version, the browser and the platform. Read from feature
// APIs where they exist (User-Agent Client Hints), the user agent string otherwise; never used
// to decide what the app does (that is feature detection, see serial-support.ts).

declare const __APP_VERSION__: string;

export const APP_VERSION: string = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev';

interface UaBrand {
  readonly brand: string;
  readonly version: string;
}
export interface UaData {
  readonly brands?: readonly UaBrand[];
  readonly platform?: string;
  readonly mobile?: boolean;
}

export function describeBrowser(nav: Navigator = navigator): string {
  const data = (nav as Navigator & { userAgentData?: UaData }).userAgentData;
  const brands = data?.brands?.filter((b) => !/not.?a.?brand/i.test(b.brand)).map((b) => `${b.brand} ${b.version}`);
  const parts = [brands && brands.length > 0 ? brands.join(', ') : nav.userAgent];
  if (data?.platform) parts.push(`on ${data.platform}${data.mobile ? ' (mobile)' : ''}`);
  return parts.join(' ');
}
