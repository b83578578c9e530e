import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
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

/**
 * Resolves once the server (a child writing its JSON log to stdout, warnings and errors also to
 * stderr) logs "model loaded", from when /ping answers 200; fails if it exits first, with what it logged.
 */
export function modelLoaded(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  return new Promise((done, fail) => {
    const seen: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (text) => {
      seen.push(text);
      let line: { message?: unknown; level?: unknown };
      try {
        line = JSON.parse(text) as typeof line;
      } catch {
        return;
      }
      if (line.message === 'model loaded') done();
      else if (String(line.level).toUpperCase() === 'ERROR') fail(new Error(`the server logged an error:\n${seen.join('\n')}`));
    });
    void exited.then((code) => fail(new Error(`the server exited (${code}) before its model was loaded:\n${seen.join('\n')}`)));
  });
}
