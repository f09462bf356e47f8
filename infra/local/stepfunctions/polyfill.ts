/** Promise.withResolvers for Node 20: aws-local-stepfunctions 3 calls it, and only this local runtime needs it. */

interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

type PromiseWithResolvers = PromiseConstructor & { withResolvers?: <T>() => Resolvers<T> };

function withResolvers<T>(): Resolvers<T> {
  let resolve!: Resolvers<T>['resolve'];
  let reject!: Resolvers<T>['reject'];
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const ctor = Promise as PromiseWithResolvers;
if (typeof ctor.withResolvers !== 'function') {
  // Defined non-enumerable like the native method, so nothing that enumerates Promise sees a difference.
  Object.defineProperty(Promise, 'withResolvers', { value: withResolvers, writable: true, configurable: true });
}
