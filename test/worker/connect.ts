/** The worker's RPC surface over an in-process MessageChannel, recording what each message transferred. */
import { expose, wrap } from 'comlink';
import { afterEach } from 'vitest';
import { nodePlatform } from '../../lib/platform/node.js';
import type { WorkerApi } from '../../lib/protocol.js';
import { installErrorTransfer } from '../../lib/transfer.js';
import { createWorkerApi } from '../../worker/api.js';

let channel: MessageChannel | undefined;
afterEach(() => {
  channel?.port1.close();
  channel?.port2.close();
});

export function connect(): { remote: ReturnType<typeof wrap<WorkerApi>>; transfers: Transferable[][] } {
  installErrorTransfer();
  channel = new MessageChannel();
  const transfers: Transferable[][] = [];
  const port = channel.port1;
  const post = port.postMessage.bind(port);
  port.postMessage = ((message: unknown, transfer?: Transferable[]) => {
    transfers.push(transfer ?? []);
    post(message, transfer ?? []);
  }) as typeof port.postMessage;
  expose(createWorkerApi(nodePlatform), port);
  return { remote: wrap<WorkerApi>(channel.port2), transfers };
}
