import { createHmac } from 'node:crypto';

export const APP_SECRET = 'bench-app-secret-0123456789abcdef';

/** A signed WhatsApp text notification of about 1.5 KB, as Meta posts it. */
export function signedNotification(): { body: string; signature: string } {
  const text = 'Hallo! Habt ihr heute geöffnet? Ich würde gern eine Torte für Samstag bestellen 🙂 '.repeat(15).slice(0, 1_150);
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              contacts: [{ profile: { name: 'Ada' }, wa_id: '491701234567' }],
              messages: [{ from: '491701234567', id: 'wamid.HBgLNDkxNzAxMjM0NTY3FQIAEhgUM0EwMDAwMDAwMDAwMDAwMDAwMDEA', timestamp: '1764072000', type: 'text', text: { body: text } }],
            },
          },
        ],
      },
    ],
  });
  return { body, signature: `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}` };
}
