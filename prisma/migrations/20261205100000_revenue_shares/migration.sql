-- Revenue attributed below the invoice, computed once per invoice and stored (docs/design.md "Analytics",
-- "Stored revenue shares"): the margin report over whole periods, grouped by customer, model, provider or charge,
-- sums revenue_shares. Triggers mark in revenue_shares_stale every invoice whose shares a change may have made
-- wrong; the next report of its organisation computes them again (RefreshRevenueShares).

CREATE TABLE "revenue_shares" (
    "invoice_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "invoice_level" BOOLEAN NOT NULL,
    "charge" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "revenue_milli" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,

    CONSTRAINT "revenue_shares_pkey" PRIMARY KEY ("invoice_id","invoice_level","period_start","charge","provider","model")
);

-- The report reads an organisation's shares by period start.
CREATE INDEX "revenue_shares_organization_id_period_start_idx" ON "revenue_shares"("organization_id", "period_start");

CREATE TABLE "revenue_shares_stale" (
    "invoice_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,

    CONSTRAINT "revenue_shares_stale_pkey" PRIMARY KEY ("invoice_id")
);

CREATE INDEX "revenue_shares_stale_organization_id_idx" ON "revenue_shares_stale"("organization_id");

-- Marks the invoices whose shares a statement may have changed. One function for every trigger below (each names
-- its transition tables `changed`, and an invoice update its old rows `old_rows`).
-- A mark already there is updated, not left alone: the update locks it until the change commits, so a refresh that
-- takes the mark meanwhile (DELETE ... RETURNING) waits for that commit and then reads the change; with DO NOTHING
-- it could take the mark, read the invoice as it was, and leave nothing marked once the change commits. Marks are
-- taken in invoice order, the same in every statement.
CREATE FUNCTION tollgate_revenue_shares_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'invoice_lines' THEN
    -- The invoices of the changed lines (a draft computed again, a late-usage line).
    INSERT INTO revenue_shares_stale (invoice_id, organization_id)
    SELECT i.id, i.organization_id FROM invoices i WHERE i.id IN (SELECT invoice_id FROM changed) ORDER BY i.id
    ON CONFLICT (invoice_id) DO UPDATE SET organization_id = EXCLUDED.organization_id;
  ELSIF TG_TABLE_NAME = 'analytics_periods' THEN
    -- The cells of a billed period changed (a fold, late usage, a repricing reset): every invoice with a line billing
    -- that customer's period (invoice_lines (customer_id, period_start) is indexed).
    INSERT INTO revenue_shares_stale (invoice_id, organization_id)
    SELECT DISTINCT l.invoice_id, c.organization_id FROM (SELECT DISTINCT organization_id, customer_id, period_start FROM changed) c
    JOIN invoice_lines l ON l.customer_id = c.customer_id AND l.period_start = c.period_start ORDER BY l.invoice_id
    ON CONFLICT (invoice_id) DO UPDATE SET organization_id = EXCLUDED.organization_id;
  ELSIF TG_OP = 'INSERT' THEN
    -- A new usage invoice.
    INSERT INTO revenue_shares_stale (invoice_id, organization_id)
    SELECT id, organization_id FROM changed WHERE type = 'usage' ORDER BY id
    ON CONFLICT (invoice_id) DO UPDATE SET organization_id = EXCLUDED.organization_id;
  ELSE
    -- An invoice whose status (void or not), type, customer, period, currency or plan version changed (a change of
    -- its amounts comes with its lines, which mark it).
    INSERT INTO revenue_shares_stale (invoice_id, organization_id)
    SELECT n.id, n.organization_id FROM changed n JOIN old_rows o ON o.id = n.id
    WHERE (n.status, n.type, n.customer_id, n.period_start, n.currency, n.plan_version_id, n.organization_id)
      IS DISTINCT FROM (o.status, o.type, o.customer_id, o.period_start, o.currency, o.plan_version_id, o.organization_id)
    ORDER BY n.id
    ON CONFLICT (invoice_id) DO UPDATE SET organization_id = EXCLUDED.organization_id;
  END IF;
  RETURN NULL;
END $$;

-- A trigger with a transition table serves one event: one trigger per event, each named after its table and event.
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
    ('revenue_shares_lines_inserted', 'INSERT', 'invoice_lines', 'NEW TABLE AS changed'),
    ('revenue_shares_lines_updated', 'UPDATE', 'invoice_lines', 'NEW TABLE AS changed'),
    ('revenue_shares_lines_deleted', 'DELETE', 'invoice_lines', 'OLD TABLE AS changed'),
    ('revenue_shares_invoices_inserted', 'INSERT', 'invoices', 'NEW TABLE AS changed'),
    ('revenue_shares_invoices_updated', 'UPDATE', 'invoices', 'OLD TABLE AS old_rows NEW TABLE AS changed'),
    ('revenue_shares_cells_inserted', 'INSERT', 'analytics_periods', 'NEW TABLE AS changed'),
    ('revenue_shares_cells_updated', 'UPDATE', 'analytics_periods', 'NEW TABLE AS changed'),
    ('revenue_shares_cells_deleted', 'DELETE', 'analytics_periods', 'OLD TABLE AS changed')
  ) AS v(name, event, tbl, refs)
  LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER %s ON %I REFERENCING %s FOR EACH STATEMENT EXECUTE FUNCTION tollgate_revenue_shares_stale()',
      t.name, t.event, t.tbl, t.refs);
  END LOOP;
END $$;

-- The invoices already there get their shares at their organisation's next report.
INSERT INTO revenue_shares_stale (invoice_id, organization_id)
SELECT id, organization_id FROM invoices WHERE type = 'usage' AND status <> 'void';
