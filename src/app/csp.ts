// The Content-Security-Policy of the app: scripts, styles and workers only from the app's own
// origin; fetches to the app's origin and to https URLs the user enters. Used by vite.config.ts
// (a <meta> in the built page and the preview server's header) and by the browser test server.

export const CSP_DIRECTIVES: readonly string[] = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "worker-src 'self'",
  "connect-src 'self' https:",
  "img-src 'self' data: blob:",
  "manifest-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
];

/** For the <meta> tag (frame-ancestors is ignored there). */
export const CSP_META = CSP_DIRECTIVES.join('; ');

/** For an HTTP header. */
export const CSP_HEADER = [...CSP_DIRECTIVES, "frame-ancestors 'none'"].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CSP_HEADER,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};
