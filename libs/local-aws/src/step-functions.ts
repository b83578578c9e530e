/**
 * aws-local-stepfunctions, loaded once Node 20 has what it expects: it declares Node >= 22 and
 * calls Promise.withResolvers (ES2024), which Node 20 lacks.
 */
export async function loadStepFunctionsEngine(): Promise<typeof import('aws-local-stepfunctions')> {
  const promiseStatics = Promise as unknown as { withResolvers?: () => unknown };
  promiseStatics.withResolvers ??= () => {
    let resolve!: (value: unknown) => void;
    let reject!: (reason: unknown) => void;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
  return import('aws-local-stepfunctions');
}
