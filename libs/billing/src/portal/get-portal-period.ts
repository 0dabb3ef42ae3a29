import { Injectable } from '@nestjs/common';
import { UsageRepository } from '@tollgate/db';
import { Decimal, formatAmount, ZERO } from '@tollgate/money';
import { Clock } from '../clock';
import { CreditPositions } from '../credits/credit-positions';
import { ListInvoices } from '../invoices/list-invoices';
import { CurrentPeriod } from '../usage/customer-period';
import type { PortalQuery } from './list-portal-invoices';
import { portalCustomer, PortalCustomers, portalInvoice, type PortalCustomer, type PortalInvoice } from './portal-views';

export interface PortalModelUsage {
  model: string;
  events: number;
  inputTokens: string;
  outputTokens: string;
  /** What the model's usage was priced at (decimal string, unrounded): before allowance, minimums and credits. */
  amount: string;
}

export interface PortalPeriod {
  customer: PortalCustomer;
  /** Where the figures start: the period's start, or the end of the last invoice when that closed early. */
  since: Date;
  /** The invoice the period would produce now (status "preview"): its total is the ongoing balance. */
  invoice: PortalInvoice;
  byModel: PortalModelUsage[];
  /** Every UTC day of the period up to today, with what its usage was priced at (decimal strings). */
  byDay: { day: string; amount: string }[];
  /** Events received but not priced yet: the figures will still grow by them. */
  pendingEvents: number;
  /**
   * Prepaid credit (docs/design.md "Credits"), when the customer has a wallet or a prepaid plan: what the usable
   * grants have left, and that minus what the current period owes so far (negative when it owes more). Rounded
   * to the currency, decimal strings.
   */
  credit: { prepaid: boolean; balance: string; ongoingBalance: string } | null;
}

const DAY_MS = 86_400_000;

/**
 * The customer's current period so far (docs/design.md, "The customer portal"): the preview through the same
 * computation as the invoice (PreviewInvoice's CurrentPeriod), usage by model and by day. Priced amounts only;
 * the provider cost the usage rows also carry is dropped here.
 */
@Injectable()
export class GetPortalPeriod {
  constructor(
    private readonly customers: PortalCustomers,
    private readonly current: CurrentPeriod,
    private readonly usage: UsageRepository,
    private readonly invoices: ListInvoices,
    private readonly positions: CreditPositions,
    private readonly clock: Clock,
  ) {}

  async execute({ organizationId, customerId }: PortalQuery): Promise<PortalPeriod> {
    const row = await this.customers.find(organizationId, customerId);
    const { customer, version, view } = await this.current.invoice(organizationId, row.external_id);
    // Usage since the last invoice: a period closed early leaves its later usage to the next invoice (late
    // usage on the preview), so the figures start where the last invoice stopped.
    const last = (await this.invoices.execute({ organizationId, externalCustomerId: row.external_id, after: null, limit: 1 })).invoices[0];
    const from = last !== undefined && last.period_end < view.period_start ? last.period_end : view.period_start;
    const to = view.period_end;
    const [models, days, notPriced, credit] = await Promise.all([
      this.usage.groups(customer.id, from, to, 'model'),
      this.usage.groups(customer.id, from, to, 'day'),
      this.usage.notPriced(customer.id, from, to),
      this.positions.of([customer.id]).then(({ positions }) => positions[0]),
    ]);
    const perDay = new Map(days.map((d) => [d.key, new Decimal(d.rated_amount)]));
    const until = Math.min(to.getTime() - 1, Math.max(this.clock.now().getTime(), from.getTime()));
    const byDay: PortalPeriod['byDay'] = [];
    for (let t = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()); t <= until; t += DAY_MS) {
      const day = new Date(t).toISOString().slice(0, 10);
      byDay.push({ day, amount: (perDay.get(day) ?? ZERO).toFixed() });
    }
    return {
      customer: portalCustomer(customer),
      since: from,
      invoice: portalInvoice(view, version.plan.customer_line_detail),
      byModel: models.map((m) => ({
        model: m.key ?? 'unknown',
        events: Number(m.events),
        inputTokens: m.tokens.input_tokens,
        outputTokens: m.tokens.output_tokens,
        amount: new Decimal(m.rated_amount).toFixed(),
      })),
      byDay,
      pendingEvents: notPriced.pending,
      credit:
        credit === undefined || (!credit.prepaid && credit.balance.isZero())
          ? null
          : {
              prepaid: credit.prepaid,
              balance: formatAmount(credit.balance, credit.currency),
              ongoingBalance: formatAmount(credit.ongoingBalance, credit.currency),
            },
    };
  }
}
