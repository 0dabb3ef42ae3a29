import type { CreditGrantRow, LedgerRow, WalletRow } from '@tollgate/db';
import { Decimal, formatAmount } from '@tollgate/money';

/** A grant as the API shows it (docs/api.md "Credits"). */
export interface GrantJson {
  id: string;
  kind: string;
  status: 'pending' | 'active' | 'expired' | 'canceled';
  currency: string;
  amount: string;
  remaining: string;
  priority: number;
  expires_at: string | null;
  invoice_id: string | null;
  source: string;
  created_at: string;
  activated_at: string | null;
}

export interface LedgerJson {
  id: string;
  kind: string;
  grant_id: string;
  amount: string;
  invoice_id: string | null;
  created_at: string;
}

export interface TopUpJson {
  below: string;
  amount: string;
  kind: string;
  priority: number;
  expires_in_days: number | null;
}

export function grantJson(g: CreditGrantRow, now: Date): GrantJson {
  const expired = g.status === 'active' && g.expires_at !== null && g.expires_at.getTime() <= now.getTime();
  return {
    id: g.id,
    kind: g.kind,
    status: expired ? 'expired' : g.status,
    currency: g.currency,
    amount: formatAmount(new Decimal(g.amount), g.currency),
    remaining: formatAmount(new Decimal(expired ? 0 : g.remaining), g.currency),
    priority: g.priority,
    expires_at: g.expires_at?.toISOString() ?? null,
    invoice_id: g.invoice_id,
    source: g.source,
    created_at: g.created_at.toISOString(),
    activated_at: g.activated_at?.toISOString() ?? null,
  };
}

export function ledgerJson(l: LedgerRow, currency: string): LedgerJson {
  return {
    id: l.id,
    kind: l.kind,
    grant_id: l.grant_id,
    amount: formatAmount(new Decimal(l.amount), currency),
    invoice_id: l.invoice_id,
    created_at: l.created_at.toISOString(),
  };
}

export function topUpJson(w: WalletRow | undefined): TopUpJson | null {
  if (!w || w.top_up_below === null || w.top_up_amount === null || w.top_up_kind === null) return null;
  return {
    below: new Decimal(w.top_up_below).toFixed(),
    amount: new Decimal(w.top_up_amount).toFixed(),
    kind: w.top_up_kind,
    priority: w.top_up_priority ?? 0,
    expires_in_days: w.top_up_expires_in_days,
  };
}
