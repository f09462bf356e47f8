/** Where an order's route spends its time: each state's duration from the execution history, averaged over a few orders. */
import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { startLocalStack } from '../infra/local/stack';
import { sfnClient } from './channel';
import { round } from './stats';

async function main() {
  const stack = await startLocalStack({ ports: { http: 0, dynamodb: 0, stepFunctions: 0, ses: 0, eventBridge: 0 } });
  try {
    const api = stack.urls.api.replace('localhost', '127.0.0.1');
    const line = {
      grade: 'N35',
      shape: { type: 'block', lengthMm: 20, widthMm: 10, thicknessMm: 5 },
      coating: 'NiCuNi',
      quantityKg: 100,
    };
    const quote = await (
      await fetch(`${api}/quotes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ incoterm: 'FOB', requestedShipDate: '2027-05-15', lines: [line] }),
      })
    ).json();
    const order = {
      buyer: { company: 'Bench', country: 'DE', contactName: 'B', email: 'bench@example.com' },
      destinationCountry: 'DE',
      endUse: { description: 'benchmark', military: false },
      trademark: 'UNIMAG 1989',
      incoterm: 'FOB',
      requestedShipDate: '2027-05-15',
      lines: [
        {
          ...line,
          offeredUnitPriceUsdPerKg: (quote as { lines: { unitPriceUsdPerKg: string }[] }).lines[0]?.unitPriceUsdPerKg,
        },
      ],
    };
    const sfn = sfnClient(stack);
    const totals = new Map<string, number[]>();
    for (let i = 0; i < 12; i += 1) {
      const response = await fetch(`${api}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(order),
      });
      const { orderId } = (await response.json()) as { orderId: string };
      await stack.idle();
      if (i < 2) continue; // warm-up
      const arn = `${stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${orderId}`;
      const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000 }));
      const entered = new Map<string, number>();
      for (const event of events) {
        const name = event.stateEnteredEventDetails?.name;
        if (name) entered.set(name, event.timestamp?.getTime() ?? 0);
        const exited = event.stateExitedEventDetails?.name;
        if (exited && entered.has(exited)) {
          const list = totals.get(exited) ?? [];
          list.push((event.timestamp?.getTime() ?? 0) - (entered.get(exited) ?? 0));
          totals.set(exited, list);
        }
      }
      const start = events[0]?.timestamp?.getTime() ?? 0;
      const end = events.at(-1)?.timestamp?.getTime() ?? 0;
      totals.set('(whole execution)', [...(totals.get('(whole execution)') ?? []), end - start]);
    }
    console.log('| State | mean ms |\n|---|---|');
    for (const [state, list] of totals) {
      console.log(`| ${state} | ${round(list.reduce((a, b) => a + b, 0) / list.length, 1)} |`);
    }
  } finally {
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
