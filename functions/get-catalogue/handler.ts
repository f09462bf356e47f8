/** GET /api/catalogue: the unified rules the order form needs, as in force today. */
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { requiredEnv, systemClock } from '../adapters/config';
import { jsonResponse, problemJsonErrors } from '../adapters/http';
import { createRulesStore } from '../adapters/rules-store';
import { isoDate } from '../adapters/today';
import { catalogueView } from '../domain/catalogue';

const rules = createRulesStore(requiredEnv('ORDERS_TABLE'));

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(problemJsonErrors())
  .handler(async () => {
    const today = isoDate(systemClock());
    return jsonResponse(200, catalogueView(await rules.ruleSetOn(today), today), {
      'Cache-Control': 'public, max-age=60',
    });
  });
