import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type ServingState } from './app';

let server: Server | undefined;
afterEach(() => server?.close());

async function start(state: ServingState): Promise<string> {
  server = createApp(state).listen(0, '127.0.0.1');
  await new Promise((resolve) => server!.once('listening', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe('GET /ping', () => {
  it('is 503 until the model is loaded, then 200', async () => {
    const state: ServingState = {};
    const base = await start(state);
    expect((await fetch(`${base}/ping`)).status).toBe(503);
    state.modelVersion = 'xgboost-1';
    const res = await fetch(`${base}/ping`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ model_version: 'xgboost-1' });
  });
});
