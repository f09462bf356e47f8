/** Typed domain errors, so an adapter can map them to a 422 problem without parsing messages. */

/** A JSON pointer into the request body and what is wrong there (RFC 9457 `errors[]`). */
export interface DomainProblem {
  path: string;
  message: string;
}

export class UnknownGradeError extends Error {
  override name = 'UnknownGradeError';
  constructor(readonly grade: string) {
    super(`unknown grade "${grade}"`);
  }
}

export class UnknownCoatingError extends Error {
  override name = 'UnknownCoatingError';
  constructor(readonly coating: string) {
    super(`unknown coating "${coating}"`);
  }
}

export class UnknownFactoryError extends Error {
  override name = 'UnknownFactoryError';
  constructor(readonly factoryId: string) {
    super(`unknown member factory "${factoryId}"`);
  }
}

/** Thrown by `quote` for a request `quoteProblems` would have refused; handlers should ask `quoteProblems` first. */
export class UnquotableRequestError extends Error {
  override name = 'UnquotableRequestError';
  constructor(readonly problems: DomainProblem[]) {
    super(`cannot quote: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  }
}
