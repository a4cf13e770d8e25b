/** Runs pushed tasks one at a time, in order. A failed task does not stop the ones after it. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  push<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * Lets the event loop run the tasks already queued (a worker's incoming abort or close messages)
 * before the caller goes on. Without it, a chain of queued model runs resolves in one microtask
 * checkpoint and no message is handled until the whole chain has drained. Not `scheduler.yield()`,
 * whose continuation runs ahead of queued tasks, nor `setTimeout`, clamped to 4 ms when chained:
 * a message to ourselves queues behind the messages already waiting.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(undefined);
  });
}
