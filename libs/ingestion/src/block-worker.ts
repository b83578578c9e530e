// The entry point of the worker threads that read a local file in blocks (blocks/in-blocks.ts).
// It sits at the library's top level so that an app's bundle can name it as an entry point of its
// own: esbuild writes it next to the app's main file.
import { parentPort, workerData } from 'node:worker_threads';
import { readBlock, type BlockJob } from './blocks/read-block';

const job = workerData as BlockJob;
parentPort!.on('message', (block: number) => {
  const result = readBlock(job, block);
  const { orders } = 'orders' in result ? result : { orders: null };
  // The typed arrays move to the main thread instead of being copied.
  const transfer = orders ? [orders.day, orders.totalPrice, orders.quantity, orders.lines, orders.customerOfOrder, orders.terms.order, orders.terms.quantity, orders.terms.amount].map((array) => array.buffer as ArrayBuffer) : [];
  parentPort!.postMessage(result, transfer);
});
