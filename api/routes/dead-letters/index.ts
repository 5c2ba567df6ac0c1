import type { DeliveryStatus } from '../schemas';
import type { App } from '../types';
import { registerListDeadLetters } from './list';
import { registerRetryDeadLetter } from './retry';

export function registerDeadLetters(app: App, delivery: () => Promise<DeliveryStatus>) {
  registerListDeadLetters(app, delivery);
  registerRetryDeadLetter(app);
}
