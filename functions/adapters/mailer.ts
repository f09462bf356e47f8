/**
 * Sends e-mail through SES v2 with a text and an HTML part; subjects can never carry a header break. SES has no
 * idempotency token, so a send is retried only when SES answered with a passing error (throttling, 5xx): after a
 * timeout or a dropped connection the e-mail may have gone out, and sending again could deliver it twice.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { requiredEnv } from './config';
import { sdkClientConfig } from './sdk-config';
import { isTransientDependencyError, MailOutcomeUnknownError } from './transient-errors';

// The SDK would retry a timed-out send on its own; this module decides instead (see above).
const sesV2 = new SESv2Client({ ...sdkClientConfig, maxAttempts: 1 });
const SEND_ATTEMPTS = 4;

/** True when SES answered (with an error): the message was certainly not accepted. */
const answered = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== undefined;

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Control characters (CR/LF among them) are what header injection needs; subjects keep none. */
export function safeSubject(subject: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return subject.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').slice(0, 200);
}

export function createMailer(from = requiredEnv('MAIL_FROM')) {
  return async function sendMail(message: MailMessage): Promise<string | null> {
    if (/[\r\n]/.test(message.to)) throw new Error('recipient address contains a line break');
    const command = new SendEmailCommand({
      FromEmailAddress: from,
      Destination: { ToAddresses: [message.to] },
      Content: {
        Simple: {
          Subject: { Data: safeSubject(message.subject), Charset: 'UTF-8' },
          Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
        },
      },
    });
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await sesV2.send(command);
        return result.MessageId ?? null;
      } catch (error) {
        if (!answered(error)) {
          throw new MailOutcomeUnknownError(
            `no answer from SES: ${(error as Error).name}: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
        }
        if (!isTransientDependencyError(error) || attempt >= SEND_ATTEMPTS) throw error;
        await delay(100 * 2 ** attempt * Math.random());
      }
    }
  };
}

/**
 * Sends under a claim that makes the e-mail at most once: a failure SES answered gives the claim back so a retried
 * task may send; an unknown outcome keeps it, and the retry treats the e-mail as (probably) sent.
 */
export async function sendClaimedMail(
  sendMail: SendMail,
  message: MailMessage,
  releaseClaim: () => Promise<void>,
): Promise<string | null> {
  try {
    return await sendMail(message);
  } catch (error) {
    if (!(error instanceof MailOutcomeUnknownError)) await releaseClaim();
    throw error;
  }
}

export type SendMail = ReturnType<typeof createMailer>;
