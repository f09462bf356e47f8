/** The mailer sends at most once: it retries only what SES answered, and a lost answer keeps the claim. */
import { SESv2Client, SendEmailCommand, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createMailer, sendClaimedMail } from '../../functions/adapters/mailer';
import { isTransientDependencyError, MailOutcomeUnknownError } from '../../functions/adapters/transient-errors';

process.env.AWS_REGION = 'us-east-1';
const ses = mockClient(SESv2Client);
beforeEach(() => ses.reset());

const message = { to: 'factory@example.cn', subject: 'Allocation', text: 't', html: '<p>t</p>' };
const sendMail = createMailer('orders@export-channel.example.com');

/** An error as the SDK raises it when SES answered with a status. */
const answered = <E extends Error>(error: E, status: number) =>
  Object.assign(error, { $metadata: { httpStatusCode: status } });
const timeout = () => Object.assign(new Error('socket timed out'), { name: 'TimeoutError', $metadata: {} });

describe('createMailer', () => {
  it('retries a throttle SES answered and returns the message id', async () => {
    ses
      .on(SendEmailCommand)
      .rejectsOnce(answered(new TooManyRequestsException({ message: 'slow down', $metadata: {} }), 429))
      .resolves({ MessageId: 'm-2' });
    await expect(sendMail(message)).resolves.toBe('m-2');
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 2);
  });

  it('does not send again after a timeout: the outcome is unknown, and says so', async () => {
    ses.on(SendEmailCommand).rejects(timeout());
    const error = await sendMail(message).catch((e: Error) => e);
    expect(error).toBeInstanceOf(MailOutcomeUnknownError);
    expect(isTransientDependencyError(error)).toBe(true);
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
  });

  it('passes a refusal through at once (not transient, not retried)', async () => {
    ses
      .on(SendEmailCommand)
      .rejects(answered(Object.assign(new Error('bad address'), { name: 'BadRequestException' }), 400));
    const error = await sendMail(message).catch((e: Error) => e);
    expect((error as Error).name).toBe('BadRequestException');
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
  });
});

describe('sendClaimedMail', () => {
  it('gives the claim back when SES refused the send, so a retry may send', async () => {
    ses.on(SendEmailCommand).rejects(answered(Object.assign(new Error('no'), { name: 'BadRequestException' }), 400));
    const release = vi.fn(async () => undefined);
    await expect(sendClaimedMail(sendMail, message, release)).rejects.toThrow('no');
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('keeps the claim when the outcome is unknown, so a retry never sends a second copy', async () => {
    ses.on(SendEmailCommand).rejects(timeout());
    const release = vi.fn(async () => undefined);
    await expect(sendClaimedMail(sendMail, message, release)).rejects.toBeInstanceOf(MailOutcomeUnknownError);
    expect(release).not.toHaveBeenCalled();
  });
});
