import { Decimal, halfAwayFromZero, roundToMinorUnit } from '@tollgate/money';
import { startRig, type Rig } from '../test/rig';
import { StripePermanentError } from './errors';
import type { InvoiceLineInput } from './stripe-gateway';

const usd = (amount: string) => new Decimal(amount);

describe('StripeSdkGateway with the real stripe SDK against the test server', () => {
  let rig: Rig;

  beforeEach(async () => {
    rig = await startRig();
  });

  afterEach(() => rig.close());

  async function customer(): Promise<string> {
    const ref = await rig.gateway.ensureCustomer({
      idempotencyKey: 'tollgate:customer:cust_1:create',
      tollgateCustomerId: 'cust_1',
      name: 'Acme',
      email: 'billing@acme.test',
    });
    return ref.id;
  }

  async function draft(stripeCustomerId: string, tollgateInvoiceId = 'inv_1') {
    return rig.gateway.createInvoice({
      idempotencyKey: `tollgate:invoice:${tollgateInvoiceId}:create`,
      stripeCustomerId,
      tollgateInvoiceId,
      currency: 'USD',
      collection: { method: 'charge_automatically' },
      description: 'Acme, October 2026',
      metadata: { tollgate_invoice_number: 'TG-0001' },
    });
  }

  describe('ensureCustomer', () => {
    it('creates the customer once per idempotency key, with our id in its metadata', async () => {
      const input = {
        idempotencyKey: 'tollgate:customer:cust_1:create',
        tollgateCustomerId: 'cust_1',
        name: 'Acme',
        email: 'billing@acme.test',
      };
      const first = await rig.gateway.ensureCustomer(input);
      const again = await rig.gateway.ensureCustomer(input);
      expect(first).toEqual({ id: expect.stringMatching(/^cus_/), created: true });
      expect(again.id).toBe(first.id);
      expect(rig.server.customers()).toHaveLength(1);
      expect(rig.server.customers()[0]).toMatchObject({
        name: 'Acme',
        email: 'billing@acme.test',
        metadata: { tollgate_customer_id: 'cust_1' },
      });
    });

    it('retrieves a customer the operator gave (stripe_customer_id) instead of creating one', async () => {
      const existing = await customer();
      const ref = await rig.gateway.ensureCustomer({
        idempotencyKey: 'tollgate:customer:cust_2:create',
        tollgateCustomerId: 'cust_2',
        stripeCustomerId: existing,
      });
      expect(ref).toEqual({ id: existing, created: false });
      expect(rig.server.customers()).toHaveLength(1);
    });

    it('stops on a stripe_customer_id Stripe does not know', async () => {
      const error = await rig.gateway
        .ensureCustomer({ idempotencyKey: 'k', tollgateCustomerId: 'cust_3', stripeCustomerId: 'cus_missing' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StripePermanentError);
      expect(error).toMatchObject({
        retryable: false,
        reason: 'not_found',
        statusCode: 404,
        code: 'resource_missing',
        operation: 'customers.retrieve',
      });
    });
  });

  describe('createInvoice', () => {
    it('makes a draft that does not auto-advance, takes no pending items and names our invoice', async () => {
      const invoice = await draft(await customer());
      expect(invoice).toMatchObject({
        status: 'draft',
        tollgateInvoiceId: 'inv_1',
        currency: 'USD',
        collection: 'charge_automatically',
        lines: [],
        linesAddedCount: null,
      });
      expect(invoice.total.eq(0)).toBe(true);
      const [onStripe] = rig.server.invoices();
      expect(onStripe).toMatchObject({
        id: invoice.id,
        auto_advance: false,
        currency: 'usd',
        collection_method: 'charge_automatically',
        description: 'Acme, October 2026',
        metadata: { tollgate_invoice_id: 'inv_1', tollgate_invoice_number: 'TG-0001' },
        due_date: null,
      });
      const create = rig.server.requests.find((r) => r.operation === 'invoices.create');
      expect(create?.params.pending_invoice_items_behavior).toBe('exclude');
      expect(create?.idempotencyKey).toBe('tollgate:invoice:inv_1:create');
    });

    it('sends an invoice due in N days for send_invoice customers', async () => {
      const invoice = await rig.gateway.createInvoice({
        idempotencyKey: 'tollgate:invoice:inv_2:create',
        stripeCustomerId: await customer(),
        tollgateInvoiceId: 'inv_2',
        currency: 'EUR',
        collection: { method: 'send_invoice', daysUntilDue: 14 },
      });
      expect(invoice.collection).toBe('send_invoice');
      const [onStripe] = rig.server.invoices();
      expect(onStripe.collection_method).toBe('send_invoice');
      expect(onStripe.due_date).toBe(onStripe.created + 14 * 86_400);
      expect(onStripe.currency).toBe('eur');
    });

    it('refuses a currency Tollgate does not know before calling Stripe', async () => {
      const error = await rig.gateway
        .createInvoice({
          idempotencyKey: 'k',
          stripeCustomerId: 'cus_x',
          tollgateInvoiceId: 'inv_3',
          currency: 'ABC',
          collection: { method: 'charge_automatically' },
        })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ retryable: false, reason: 'invalid_request', param: 'currency' });
      expect(rig.server.requests).toHaveLength(0);
    });
  });

  describe('addInvoiceLines', () => {
    it('adds every line in one call, in minor units exactly, credits as negative lines', async () => {
      const invoice = await draft(await customer());
      // Unrounded line amounts as the invoice computes them, rounded once with the invoice rule.
      const computed: Array<[string, string]> = [
        ['Usage: default (gpt-4o-mini)', '1234.56789'],
        ['Usage: premium (o3)', '0.105'],
        ['Base fee', '49'],
        ['Included allowance', '-100.004'],
        ['Coupon LAUNCH10', '-118.3735'],
        ['Credits', '-0.005'],
      ];
      const lines: InvoiceLineInput[] = computed.map(([description, unrounded], i) => ({
        description,
        amount: roundToMinorUnit(usd(unrounded), 'USD', halfAwayFromZero),
        tollgateLineId: `line_${i}`,
        period: { start: new Date('2026-10-01T00:00:00Z'), end: new Date('2026-11-01T00:00:00Z') },
      }));
      const updated = await rig.gateway.addInvoiceLines({
        idempotencyKey: 'tollgate:invoice:inv_1:lines',
        stripeInvoiceId: invoice.id,
        currency: 'USD',
        lines,
      });

      expect(rig.server.requests.filter((r) => r.operation === 'invoices.add_lines')).toHaveLength(1);
      const onStripe = rig.server.invoices()[0];
      expect(onStripe.lines.data.map((l) => [l.description, l.amount])).toEqual([
        ['Usage: default (gpt-4o-mini)', 123457],
        ['Usage: premium (o3)', 11],
        ['Base fee', 4900],
        ['Included allowance', -10000],
        ['Coupon LAUNCH10', -11837],
        ['Credits', -1],
      ]);
      expect(onStripe.lines.data[0]).toMatchObject({
        metadata: { tollgate_line_id: 'line_0' },
        period: { start: 1790812800, end: 1793491200 },
      });
      expect(onStripe.total).toBe(123457 + 11 + 4900 - 10000 - 11837 - 1);
      // What the gateway hands back compares with our lines as Decimals, line by line and in total.
      expect(updated.lines.map((l) => l.amount.toFixed(2))).toEqual(['1234.57', '0.11', '49.00', '-100.00', '-118.37', '-0.01']);
      expect(updated.lines.map((l) => l.tollgateLineId)).toEqual(['line_0', 'line_1', 'line_2', 'line_3', 'line_4', 'line_5']);
      expect(updated.total.eq(lines.reduce((sum, l) => sum.plus(l.amount), new Decimal(0)))).toBe(true);
      expect(updated.total.toFixed(2)).toBe('1065.30');
      expect(updated.linesAddedCount).toBe(6);
    });

    it('reads back invoices with more lines than Stripe embeds', async () => {
      const invoice = await draft(await customer());
      const lines = Array.from({ length: 23 }, (_, i) => ({ description: `Usage line ${i}`, amount: usd(`${i}.01`) }));
      const updated = await rig.gateway.addInvoiceLines({
        idempotencyKey: 'tollgate:invoice:inv_1:lines',
        stripeInvoiceId: invoice.id,
        currency: 'USD',
        lines,
      });
      expect(updated.lines.map((l) => l.description)).toEqual(lines.map((l) => l.description));
      expect(rig.server.requests.map((r) => r.operation)).toEqual([
        'customers.create',
        'invoices.create',
        'invoices.add_lines',
        'invoices.list_lines',
      ]);
    });

    it('refuses an amount that is not whole cents, and sends nothing', async () => {
      const invoice = await draft(await customer());
      const before = rig.server.requests.length;
      const error = await rig.gateway
        .addInvoiceLines({
          idempotencyKey: 'k',
          stripeInvoiceId: invoice.id,
          currency: 'USD',
          lines: [{ description: 'Usage', amount: usd('10.005') }],
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StripePermanentError);
      expect(error).toMatchObject({ reason: 'invalid_amount', operation: 'invoices.add_lines' });
      expect(rig.server.requests).toHaveLength(before);
    });

    it('refuses lines for an invoice that is no longer a draft (Stripe says why)', async () => {
      const invoice = await draft(await customer());
      await rig.gateway.finalizeInvoice({ idempotencyKey: 'tollgate:invoice:inv_1:finalize', stripeInvoiceId: invoice.id });
      const error = await rig.gateway
        .addInvoiceLines({
          idempotencyKey: 'k',
          stripeInvoiceId: invoice.id,
          currency: 'USD',
          lines: [{ description: 'Late', amount: usd('1') }],
        })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ retryable: false, reason: 'invalid_request', statusCode: 400, code: 'invoice_not_editable' });
    });
  });

  describe('finalize, void, retrieve', () => {
    it('pushes an invoice for a known customer in three calls, finalized to open with auto-advance on', async () => {
      const stripeCustomerId = await customer();
      const before = rig.server.requests.length;
      const invoice = await draft(stripeCustomerId);
      await rig.gateway.addInvoiceLines({
        idempotencyKey: 'tollgate:invoice:inv_1:lines',
        stripeInvoiceId: invoice.id,
        currency: 'USD',
        lines: [{ description: 'Usage', amount: usd('12.30') }],
      });
      const finalized = await rig.gateway.finalizeInvoice({
        idempotencyKey: 'tollgate:invoice:inv_1:finalize',
        stripeInvoiceId: invoice.id,
      });
      expect(rig.server.requests.slice(before).map((r) => r.operation)).toEqual([
        'invoices.create',
        'invoices.add_lines',
        'invoices.finalize',
      ]);
      expect(finalized).toMatchObject({
        status: 'open',
        number: expect.stringMatching(/^[0-9A-F]{8}-0001$/),
        hostedInvoiceUrl: expect.stringContaining(invoice.id),
      });
      expect(finalized.amountDue.toFixed(2)).toBe('12.30');
      expect(rig.server.invoices()[0].auto_advance).toBe(true);
    });

    it('finalizes a zero-total invoice straight to paid, as Stripe does', async () => {
      const invoice = await draft(await customer());
      await rig.gateway.addInvoiceLines({
        idempotencyKey: 'tollgate:invoice:inv_1:lines',
        stripeInvoiceId: invoice.id,
        currency: 'USD',
        lines: [
          { description: 'Usage', amount: usd('40.00') },
          { description: 'Credits', amount: usd('-40.00') },
        ],
      });
      const finalized = await rig.gateway.finalizeInvoice({
        idempotencyKey: 'tollgate:invoice:inv_1:finalize',
        stripeInvoiceId: invoice.id,
      });
      expect(finalized.status).toBe('paid');
      expect(finalized.total.isZero()).toBe(true);
    });

    it('voids an open invoice, and refuses to void a draft', async () => {
      const invoice = await draft(await customer());
      const refused = await rig.gateway
        .voidInvoice({ idempotencyKey: 'tollgate:invoice:inv_1:void', stripeInvoiceId: invoice.id })
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({ retryable: false, code: 'status_transition_invalid' });
      await rig.gateway.addInvoiceLines({
        idempotencyKey: 'tollgate:invoice:inv_1:lines',
        stripeInvoiceId: invoice.id,
        currency: 'USD',
        lines: [{ description: 'Usage', amount: usd('5') }],
      });
      await rig.gateway.finalizeInvoice({ idempotencyKey: 'tollgate:invoice:inv_1:finalize', stripeInvoiceId: invoice.id });
      // A new key: the refused attempt's error was saved under the first one.
      const voided = await rig.gateway.voidInvoice({ idempotencyKey: 'tollgate:invoice:inv_1:void:2', stripeInvoiceId: invoice.id });
      expect(voided.status).toBe('void');
      expect((await rig.gateway.retrieveInvoice(invoice.id)).status).toBe('void');
    });

    it('retrieves an invoice with its lines, and says not_found for an unknown one', async () => {
      const invoice = await draft(await customer());
      await rig.gateway.addInvoiceLines({
        idempotencyKey: 'tollgate:invoice:inv_1:lines',
        stripeInvoiceId: invoice.id,
        currency: 'USD',
        lines: [{ description: 'Usage', amount: usd('7.07') }],
      });
      const read = await rig.gateway.retrieveInvoice(invoice.id);
      expect(read).toMatchObject({ id: invoice.id, tollgateInvoiceId: 'inv_1', status: 'draft', linesAddedCount: 1 });
      expect(read.lines.map((l) => l.amount.toFixed(2))).toEqual(['7.07']);
      await expect(rig.gateway.retrieveInvoice('in_missing')).rejects.toMatchObject({ reason: 'not_found', statusCode: 404 });
    });
  });

  describe('findInvoice', () => {
    it("finds the customer's invoice by our id in its metadata, across pages", async () => {
      const stripeCustomerId = await customer();
      const other = await rig.gateway.ensureCustomer({ idempotencyKey: 'tollgate:customer:cust_9:create', tollgateCustomerId: 'cust_9' });
      const target = await draft(stripeCustomerId, 'inv_target');
      // Newer invoices list first: the target is on the second page of 100.
      for (let i = 0; i < 105; i++) await draft(stripeCustomerId, `inv_${i}`);
      await draft(other.id, 'inv_elsewhere');

      const found = await rig.gateway.findInvoice({ stripeCustomerId, tollgateInvoiceId: 'inv_target' });
      expect(found?.id).toBe(target.id);
      expect(rig.server.requests.filter((r) => r.operation === 'invoices.list')).toHaveLength(2);
      expect(await rig.gateway.findInvoice({ stripeCustomerId, tollgateInvoiceId: 'inv_elsewhere' })).toBeNull();
      expect(await rig.gateway.findInvoice({ stripeCustomerId, tollgateInvoiceId: 'inv_never' })).toBeNull();
    });

    it('sees an invoice the moment it is created (no search index lag)', async () => {
      const stripeCustomerId = await customer();
      const created = await draft(stripeCustomerId, 'inv_now');
      expect((await rig.gateway.findInvoice({ stripeCustomerId, tollgateInvoiceId: 'inv_now' }))?.id).toBe(created.id);
    });
  });
});
