/** POST /api/quotes: the unified price of an order's lines, by the same computation as the price check. */
import middy from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { requiredEnv, systemClock } from '../adapters/config';
import { type JsonEvent, jsonBody, jsonResponse, problemJsonErrors, validationProblem } from '../adapters/http';
import { createRulesStore } from '../adapters/rules-store';
import { isoDate } from '../adapters/today';
import { type QuoteRequest, quoteRequestSchema } from '../domain/order';
import { quote, quoteProblems } from '../domain/pricing';

const rules = createRulesStore(requiredEnv('ORDERS_TABLE'));

export const handler = middy<JsonEvent<QuoteRequest>, APIGatewayProxyResult>()
  .use(problemJsonErrors())
  .use(jsonBody(quoteRequestSchema))
  .handler(async (event) => {
    const ruleSet = await rules.ruleSetOn(isoDate(systemClock()));
    const problems = quoteProblems(event.parsedBody, ruleSet);
    if (problems.length > 0)
      throw validationProblem(problems, 'Some lines cannot be priced by the unified price list.');
    return jsonResponse(200, quote(event.parsedBody, ruleSet));
  });
