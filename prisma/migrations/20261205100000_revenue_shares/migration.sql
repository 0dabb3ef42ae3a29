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

-- The invoices of the changed lines (insert, update, delete: a draft recomputed, a late-usage line).
CREATE FUNCTION tollgate_revenue_shares_lines_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO revenue_shares_stale (invoice_id, organization_id)
  SELECT i.id, i.organization_id FROM invoices i WHERE i.id IN (SELECT invoice_id FROM changed)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

-- A new usage invoice.
CREATE FUNCTION tollgate_revenue_shares_invoices_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO revenue_shares_stale (invoice_id, organization_id)
  SELECT id, organization_id FROM changed WHERE type = 'usage'
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

-- An invoice whose status (void or not), type, customer, period, currency or plan version changed (its totals change
-- with its lines, which mark it themselves).
CREATE FUNCTION tollgate_revenue_shares_invoices_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO revenue_shares_stale (invoice_id, organization_id)
  SELECT n.id, n.organization_id FROM new_rows n JOIN old_rows o ON o.id = n.id
  WHERE (n.status, n.type, n.customer_id, n.period_start, n.currency, n.plan_version_id, n.organization_id)
    IS DISTINCT FROM (o.status, o.type, o.customer_id, o.period_start, o.currency, o.plan_version_id, o.organization_id)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

-- The cells of a billed period changed (a fold, late usage, a repricing reset): every invoice with a line billing
-- that customer's period (invoice_lines (customer_id, period_start) is indexed).
CREATE FUNCTION tollgate_revenue_shares_cells_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO revenue_shares_stale (invoice_id, organization_id)
  SELECT DISTINCT l.invoice_id, c.organization_id
  FROM (SELECT DISTINCT organization_id, customer_id, period_start FROM changed) c
  JOIN invoice_lines l ON l.customer_id = c.customer_id AND l.period_start = c.period_start
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

-- A trigger with a transition table serves one event: one trigger per event.
CREATE TRIGGER revenue_shares_lines_inserted AFTER INSERT ON invoice_lines
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tollgate_revenue_shares_lines_changed();
CREATE TRIGGER revenue_shares_lines_updated AFTER UPDATE ON invoice_lines
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tollgate_revenue_shares_lines_changed();
CREATE TRIGGER revenue_shares_lines_deleted AFTER DELETE ON invoice_lines
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tollgate_revenue_shares_lines_changed();
CREATE TRIGGER revenue_shares_invoices_inserted AFTER INSERT ON invoices
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tollgate_revenue_shares_invoices_inserted();
CREATE TRIGGER revenue_shares_invoices_updated AFTER UPDATE ON invoices
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tollgate_revenue_shares_invoices_updated();
CREATE TRIGGER revenue_shares_cells_inserted AFTER INSERT ON analytics_periods
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tollgate_revenue_shares_cells_changed();
CREATE TRIGGER revenue_shares_cells_updated AFTER UPDATE ON analytics_periods
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tollgate_revenue_shares_cells_changed();
CREATE TRIGGER revenue_shares_cells_deleted AFTER DELETE ON analytics_periods
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tollgate_revenue_shares_cells_changed();

-- The invoices already there get their shares at their organisation's next report.
INSERT INTO revenue_shares_stale (invoice_id, organization_id)
SELECT id, organization_id FROM invoices WHERE type = 'usage' AND status <> 'void';
