import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { expect } from 'vitest';

/** A loopback port nothing listens on right now, for a server under test. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
    server.on('error', reject);
  });
}

/** Sends the first customer of a trained artifact's batch input to `/invocations` and checks the answer is theirs. */
export async function expectFirstCustomerServed(base: string, batchInput: string): Promise<void> {
  const line = (await readFile(batchInput, 'utf8')).split('\n')[0]!;
  const response = await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': 'application/jsonlines', accept: 'application/jsonlines' }, body: `${line}\n` });
  expect(response.status, await response.clone().text()).toBe(200);
  const prediction = JSON.parse((await response.text()).trim()) as { customer_id: string; predicted_gap_days: number };
  expect(prediction.customer_id).toBe((JSON.parse(line) as { customer_id: string }).customer_id);
  expect(prediction.predicted_gap_days).toBeGreaterThan(0);
}
