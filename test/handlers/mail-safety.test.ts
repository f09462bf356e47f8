/** Mail safety: buyer-supplied values are escaped in HTML, never break a header, and look-alike marks never reach a factory. */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AllocationRecord, OrderRecord } from '../../functions/adapters/order-store';
import { orderAllocatedEmail } from '../../functions/buyer-email';
import { runChecks } from '../../functions/domain/checks';
import { seedRuleSet } from '../../functions/domain/rules';
import { allocationEmail } from '../../functions/notify-factory/allocation-email';
import { contractOrder } from './fixtures';

process.env.MAIL_FROM = 'orders@export-channel.example.com';
process.env.AWS_REGION = 'us-east-1';

const ses = mockClient(SESv2Client);
beforeEach(() => {
  ses.reset();
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
});

const hostile = {
  script: '<script>alert("x")</script>',
  crlf: 'Ada\r\nBcc: victim@example.com',
  lookalike: 'ＵＮＩＭＡＧ 1989',
};

function orderRecord(overrides: Partial<ReturnType<typeof contractOrder>>): OrderRecord {
  const order = { ...contractOrder(), trademark: 'UNIMAG 1989', ...overrides } as OrderRecord['order'];
  return {
    orderId: '01JABCDEFGHJKMNPQRSTVWXYZ0',
    status: 'ALLOCATED',
    submittedAt: '2026-11-29T10:00:00.000Z',
    updatedAt: '2026-11-29T10:00:00.000Z',
    order,
    history: [],
  };
}

const allocation = {
  allocationId: '01JALLOCATION0000000000000',
  lineIndex: 0,
  quantityKg: 500,
  factoryName: 'Ningbo <b>Magnet</b> Works',
} as AllocationRecord;

describe('e-mails carry buyer-supplied values safely', () => {
  it('escapes <script> in the HTML part of the buyer e-mail and keeps it literal in the text part', () => {
    const record = orderRecord({ buyer: { ...contractOrder().buyer, contactName: hostile.script } });
    const mail = orderAllocatedEmail(record, [allocation], 'https://example.com/api/orders/x');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(mail.html).toContain('Ningbo &lt;b&gt;Magnet&lt;/b&gt; Works');
    expect(mail.text).toContain(hostile.script);
  });

  it('escapes every value in the factory e-mail table', () => {
    const line = { ...contractOrder().lines[0], grade: '<i>N42SH</i>' } as OrderRecord['order']['lines'][number];
    const mail = allocationEmail({
      orderId: '01JABCDEFGHJKMNPQRSTVWXYZ0',
      allocationId: 'a',
      factoryName: hostile.script,
      line,
      lineIndex: 0,
      quantityKg: 100,
      requestedShipDate: '2027-03-01',
      trademark: '"><img src=x onerror=alert(1)>',
      incoterm: 'FOB',
      destinationCountry: 'DE',
      transferUnitPriceUsdPerKg: '35.98',
    } as Parameters<typeof allocationEmail>[0]);
    expect(mail.html).not.toMatch(/<script|<img|<i>/);
    expect(mail.html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  });

  it('sends a subject with CR/LF and Unicode line separators as one line, and refuses a recipient with a line break', async () => {
    const { createMailer } = await import('../../functions/adapters/mailer');
    const send = createMailer();
    await send({ to: 'buyer@example.com', subject: `Order 1 ${hostile.crlf}\u2028X-Evil: 1`, text: 't', html: 'h' });
    const subject = ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Simple?.Subject?.Data ?? '';
    expect(subject).not.toMatch(/[\r\n\u2028\u2029]/);
    expect(subject).toContain('Bcc: victim@example.com');
    await expect(
      send({ to: 'a@example.com\r\nBcc: b@example.com', subject: 's', text: 't', html: 'h' }),
    ).rejects.toThrow(/line break/);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('a look-alike (full-width) mark is unknown, so it never becomes a factory marking instruction', () => {
    const checks = runChecks({ ...contractOrder(), trademark: hostile.lookalike } as OrderRecord['order'], seedRuleSet);
    expect(checks.find((c) => c.check === 'trademark')).toMatchObject({ outcome: 'fail', code: 'TRADEMARK_UNKNOWN' });
  });
});
