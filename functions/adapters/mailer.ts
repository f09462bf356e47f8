/** Sends e-mail through SES v2 with a text and an HTML part; subjects can never carry a header break. */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { requiredEnv } from './config';

const sesV2 = new SESv2Client({});

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
    const result = await sesV2.send(
      new SendEmailCommand({
        FromEmailAddress: from,
        Destination: { ToAddresses: [message.to] },
        Content: {
          Simple: {
            Subject: { Data: safeSubject(message.subject), Charset: 'UTF-8' },
            Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
          },
        },
      }),
    );
    return result.MessageId ?? null;
  };
}

export type SendMail = ReturnType<typeof createMailer>;
