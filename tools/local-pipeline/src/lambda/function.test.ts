import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskError } from '../errors';
import { LocalLambdaFunction } from './function';

const bundle = fileURLToPath(new URL('../../test/fixtures/handler.mjs', import.meta.url));
let logDir: string;
const functions: LocalLambdaFunction[] = [];

function localFunction(name: string, environment: Record<string, string>, timeoutSeconds = 30): LocalLambdaFunction {
  const fn = new LocalLambdaFunction({ name, bundle, environment, timeoutSeconds, memoryMb: 128, logFile: join(logDir, `${name}.log`) });
  functions.push(fn);
  return fn;
}

beforeAll(async () => {
  logDir = await mkdtemp(join(tmpdir(), 'lambda-test-'));
});

afterAll(async () => {
  await Promise.all(functions.map((fn) => fn.stop()));
  await rm(logDir, { recursive: true, force: true });
});

describe('LocalLambdaFunction', () => {
  it('gives each function its own environment, and only that', async () => {
    const hello = localFunction('hello', { GREETING: 'hello' });
    const bonjour = localFunction('bonjour', { GREETING: 'bonjour' });
    const invoked = Date.now();
    const [a, b] = await Promise.all([hello.invoke({}), bonjour.invoke({})]);
    const took = Date.now() - invoked;
    expect(a).toMatchObject({ greeting: 'hello', functionName: 'hello', region: null });
    expect(b).toMatchObject({ greeting: 'bonjour', functionName: 'bonjour' });
    // The handler's clock is the invocation's: 30 s less at most what the whole invocation took
    // (however long the worker took to start), never more than 30 s.
    const { remainingMs } = a as { remainingMs: number };
    expect(remainingMs).toBeLessThanOrEqual(30_000);
    expect(remainingMs).toBeGreaterThanOrEqual(30_000 - took);
  });

  it('fails an invocation as Step Functions sees a function error: named by its errorType, with Lambda\'s error JSON as the cause', async () => {
    const fn = localFunction('failing', { GREETING: 'hi' });
    const error = (await fn.invoke({ fail: 'InvalidEventError' }).catch((e: unknown) => e)) as TaskError;
    expect(error).toBeInstanceOf(TaskError);
    expect(error.name).toBe('InvalidEventError');
    expect(JSON.parse(error.message)).toMatchObject({ errorType: 'InvalidEventError', errorMessage: 'asked to fail: InvalidEventError' });
    expect(await fn.invoke({})).toMatchObject({ greeting: 'hi' });
  });

  it('times an invocation out as Sandbox.Timedout and starts a fresh environment for the next one', async () => {
    const fn = localFunction('slow', { GREETING: 'slow' }, 1);
    await expect(fn.invoke({ sleepMs: 5_000 })).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
    expect(await fn.invoke({})).toMatchObject({ greeting: 'slow' });
  });

  it('reports a bundle that does not load as Runtime.ImportModuleError', async () => {
    const fn = new LocalLambdaFunction({ name: 'broken', bundle: join(logDir, 'missing.mjs'), environment: {}, timeoutSeconds: 5, memoryMb: 128, logFile: join(logDir, 'broken.log') });
    functions.push(fn);
    await expect(fn.invoke({})).rejects.toMatchObject({ name: 'Runtime.ImportModuleError' });
  });

  it('writes what the function prints to its log file', async () => {
    const fn = localFunction('chatty', { GREETING: 'x' });
    await fn.invoke({ fail: 'Boom' }).catch(() => undefined);
    // The worker's output reaches the file asynchronously: wait for the line itself (the default
    // poll gives up after 1 s, which a loaded machine can take).
    await expect.poll(() => readFile(join(logDir, 'chatty.log'), 'utf8'), { timeout: 30_000 }).toContain('{"message":"invoked","event":{"fail":"Boom"}}');
  });
});
