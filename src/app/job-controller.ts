// What the flash, backup and install controllers share: a Lit controller that runs one job at a
// time under an AbortController, shows it as a FlashView, and cancels it when its element goes away.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { FlashError } from '../core/errors.js';
import { IDLE_VIEW, type FlashView } from './flash-view.js';

export abstract class JobController implements ReactiveController {
  view: FlashView = IDLE_VIEW;
  protected abort: AbortController | null = null;

  constructor(protected readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.cancel();
  }

  get running(): boolean {
    return this.view.running;
  }

  cancel(): void {
    this.abort?.abort(new FlashError('aborted', 'Cancelled by the user.'));
  }
}
