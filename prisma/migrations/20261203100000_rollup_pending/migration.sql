-- The analytics rollups leave the pricing write's transaction (docs/design.md "Analytics"; docs/performance.md):
-- a pricing write records the ids of the events it priced here, in its transaction, and the worker folds these rows
-- into the rollups later, many batches at a time, deleting each row in the transaction that adds its events.

-- CreateTable
CREATE TABLE "rollup_pending" (
    "id" BIGSERIAL NOT NULL,
    "organization_id" UUID NOT NULL,
    "event_ids" BIGINT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rollup_pending_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "rollup_pending_organization_id_id_idx" ON "rollup_pending"("organization_id", "id");
