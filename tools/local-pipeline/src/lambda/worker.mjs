// One Lambda execution environment: a worker thread with the function's own process.env (its
// configuration, set before the bundle is loaded) and module state, running the built bundle's
// `handler` for each invocation the main thread sends. Plain JavaScript because a worker thread
// does not inherit the TypeScript loader of the process that starts it (tsx, vitest).
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

const { bundleUrl, functionName, functionArn, memoryMb } = workerData;

/** The fields of a Lambda function error (what Step Functions puts in a failed Task's Cause). */
function functionError(error, errorType) {
  const known = error instanceof Error;
  return {
    errorType: errorType ?? (known ? error.name : 'Error'),
    errorMessage: known ? error.message : String(error),
    trace: known && error.stack ? error.stack.split('\n') : [],
  };
}

let handler;
let initError;
try {
  ({ handler } = await import(bundleUrl));
  if (typeof handler !== 'function') initError = functionError(new Error(`${bundleUrl} exports no handler function`), 'Runtime.HandlerNotFound');
} catch (error) {
  initError = functionError(error, 'Runtime.ImportModuleError');
}

// `deadline` (epoch ms) is set by the main thread when it sends the invocation, from the same
// clock as its timeout (which, as in Lambda, starts after the environment's init).
parentPort.on('message', async ({ id, event, deadline }) => {
  if (initError) {
    parentPort.postMessage({ id, error: initError });
    return;
  }
  const context = {
    awsRequestId: randomUUID(),
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memoryMb),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await handler(event, context);
    // Lambda returns the JSON serialization of the result: undefined becomes null.
    parentPort.postMessage({ id, result: JSON.stringify(result ?? null) });
  } catch (error) {
    parentPort.postMessage({ id, error: functionError(error) });
  }
});
parentPort.postMessage({ ready: true });
