/** Registers the aws-sdk-client-mock matchers once for every handler unit test. */
import { allCustomMatcher, type CustomMatcher } from 'aws-sdk-client-mock-vitest';
import { expect } from 'vitest';

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: the augmented interface must repeat vitest's own default exactly
  interface Matchers<T = any> extends CustomMatcher<T> {}
}

expect.extend(allCustomMatcher);
