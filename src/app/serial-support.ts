// Feature detection for Web Serial (never user-agent sniffing): what is missing and what to do.

export type SerialSupport = 'ok' | 'insecure-context' | 'missing';

export function serialSupport(win: { isSecureContext: boolean; navigator: Navigator } = window): SerialSupport {
  if ('serial' in win.navigator) return 'ok';
  // Web Serial exists only in secure contexts: https, or http://localhost / 127.0.0.1.
  return win.isSecureContext ? 'missing' : 'insecure-context';
}
