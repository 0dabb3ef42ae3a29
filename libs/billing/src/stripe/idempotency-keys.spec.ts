import { customerCreateKey, invoiceStepKey } from './idempotency-keys';

describe('idempotency keys of the push', () => {
  const invoice = '6f1c2d3e-0000-4000-8000-000000000001';

  it('are our invoice id and the step, the same on every attempt', () => {
    expect(invoiceStepKey(invoice, 'create')).toBe(`tollgate:invoice:${invoice}:create`);
    expect(invoiceStepKey(invoice, 'lines')).toBe(invoiceStepKey(invoice, 'lines', 0));
    expect(customerCreateKey('c1')).toBe('tollgate:customer:c1:create');
  });

  it('differ by step and by generation', () => {
    const keys = new Set([
      invoiceStepKey(invoice, 'create'),
      invoiceStepKey(invoice, 'lines'),
      invoiceStepKey(invoice, 'finalize'),
      invoiceStepKey(invoice, 'void'),
      invoiceStepKey(invoice, 'delete'),
      invoiceStepKey(invoice, 'create', 1),
      invoiceStepKey(invoice, 'create', 2),
    ]);
    expect(keys.size).toBe(7);
    expect(customerCreateKey('c1', 1)).toBe('tollgate:customer:c1:create:1');
  });
});
