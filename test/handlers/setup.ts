/** Registers the aws-sdk-client-mock matchers once for every handler unit test. */
import { allCustomMatcher } from 'aws-sdk-client-mock-vitest';
import { expect } from 'vitest';

expect.extend(allCustomMatcher);
