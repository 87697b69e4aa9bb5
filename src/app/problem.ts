// A failure as the app shows it: a title, the specifics, and what to try next. FlashErrors from
// the core map one to one (title and hint from its ERROR_TEXT table).
import { toFlashError } from '../core/errors.js';
import type { ErrorCode } from '../core/errors.js';

export class Problem extends Error {
  readonly title: string;
  readonly detail: string;
  readonly hint: string;
  readonly code: ErrorCode | 'app';

  constructor(title: string, detail: string, hint: string, options?: { cause?: unknown; code?: ErrorCode }) {
    super(`${title} ${detail}`.trim(), options);
    this.name = 'Problem';
    this.title = title;
    this.detail = detail;
    this.hint = hint;
    this.code = options?.code ?? 'app';
  }
}

export function problemFromError(e: unknown): Problem {
  if (e instanceof Problem) return e;
  const f = toFlashError(e);
  return new Problem(f.title, f.detail, f.hint, { cause: f, code: f.code });
}
