-- The entitlement refresh leaves the pricing job (docs/design.md "Credits"): a priced batch marks its wallet
-- customers here, one row a customer however many batches mark it, and the worker's refresher claims rows,
-- recomputes their positions and deletes those not marked again since its claim.

-- CreateTable
CREATE TABLE "entitlement_refreshes" (
    "customer_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "stale_since" TIMESTAMPTZ(6) NOT NULL,
    "claimed_at" TIMESTAMPTZ(6),

    CONSTRAINT "entitlement_refreshes_pkey" PRIMARY KEY ("customer_id")
);

-- CreateIndex
CREATE INDEX "entitlement_refreshes_stale_since_idx" ON "entitlement_refreshes"("stale_since");

-- AddForeignKey
ALTER TABLE "entitlement_refreshes" ADD CONSTRAINT "entitlement_refreshes_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
