/** Reviewer CLI: `npm run review -- <orderId> approve|reject --reason "…" [--licence X] [--reviewer name]`. */
import { parseArgs } from 'node:util';
import { localNames } from '../infra/local/stack';

const usage =
  'usage: npm run review -- <orderId> approve|reject --reason "…" [--licence <number>] [--reviewer <name>]\n' +
  '  CHANNEL_API_URL   the API (default http://localhost:3000/api, the local stack)\n' +
  '  REVIEWER_TOKEN    the reviewer bearer secret (default: the local stack’s documented development secret)';

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      reason: { type: 'string' },
      licence: { type: 'string' },
      reviewer: { type: 'string' },
    },
  });
  const [orderId, decision] = positionals;
  if (!orderId || (decision !== 'approve' && decision !== 'reject') || !values.reason) {
    console.error(usage);
    return 2;
  }
  // Only this entry point defaults to the local stack; the handler itself never guesses where it runs.
  const apiUrl = process.env.CHANNEL_API_URL ?? 'http://localhost:3000/api';
  const token = process.env.REVIEWER_TOKEN || localNames.devReviewerToken;
  const body = {
    decision,
    reason: values.reason,
    reviewer: values.reviewer ?? process.env.USER ?? 'cli',
    ...(values.licence ? { licenceNumber: values.licence } : {}),
  };
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const response = await fetch(`${apiUrl}/orders/${encodeURIComponent(orderId)}/review`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    // The route parks its task token a moment after it records HELD; the API says when to come back.
    if (response.status === 409 && text.includes('review-not-ready')) {
      await new Promise((done) => setTimeout(done, Number(response.headers.get('retry-after') ?? '1') * 1000));
      continue;
    }
    console.log(`${response.status} ${text}`);
    return response.ok ? 0 : 1;
  }
  console.error('the order did not become ready for review');
  return 1;
}

process.exitCode = await main();
