import { createHmac } from 'node:crypto';
import { signatureHeader, webhookSignature } from './signature';
import { webhookBody, webhookHeaders } from './webhook-request';

describe('the signature of a delivery', () => {
  const secret = 'whsec_test_secret';
  const body = '{"id":"e1","type":"invoice.paid","created_at":"2026-01-01T00:00:00.000Z","data":{}}';

  it('is HMAC-SHA256 of "<t>.<body>" keyed with the whole secret, in hex', () => {
    const expected = createHmac('sha256', secret).update(`1767225600.${body}`).digest('hex');
    expect(webhookSignature(secret, 1767225600, body)).toBe(expected);
    expect(signatureHeader(secret, 1767225600, body)).toBe(`t=1767225600,v1=${expected}`);
  });

  it('changes with the body, the timestamp and the secret', () => {
    const base = webhookSignature(secret, 1, body);
    expect(webhookSignature(secret, 2, body)).not.toBe(base);
    expect(webhookSignature(secret, 1, body + ' ')).not.toBe(base);
    expect(webhookSignature('whsec_other', 1, body)).not.toBe(base);
  });

  it('signs exactly the body sent, and names the event in the headers', () => {
    const event = {
      id: 'evt-1',
      type: 'usage.threshold_crossed',
      created_at: new Date('2026-11-30T10:00:00Z'),
      payload: { threshold: '100', period_usage: '100.50' },
    };
    const sent = webhookBody(event);
    expect(JSON.parse(sent)).toEqual({
      id: 'evt-1',
      type: 'usage.threshold_crossed',
      created_at: '2026-11-30T10:00:00.000Z',
      data: { threshold: '100', period_usage: '100.50' },
    });
    const headers = webhookHeaders(event, 'd-1', secret, 42, sent);
    expect(headers).toMatchObject({
      'Tollgate-Event-Id': 'evt-1',
      'Tollgate-Event-Type': 'usage.threshold_crossed',
      'Tollgate-Delivery-Id': 'd-1',
      'Content-Type': 'application/json',
    });
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(headers['Tollgate-Signature'])!;
    expect(createHmac('sha256', secret).update(`${t}.${sent}`).digest('hex')).toBe(v1);
  });
});
