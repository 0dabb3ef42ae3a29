-- AlterTable
ALTER TABLE "customers" ADD COLUMN     "collection_method" TEXT NOT NULL DEFAULT 'charge_automatically',
ADD COLUMN     "days_until_due" INTEGER;

-- CreateTable
CREATE TABLE "stripe_pushes" (
    "invoice_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "stripe_customer_id" TEXT,
    "stripe_invoice_id" TEXT,
    "collection_method" TEXT,
    "days_until_due" INTEGER,
    "step_attempts" INTEGER NOT NULL DEFAULT 0,
    "key_generation" INTEGER NOT NULL DEFAULT 0,
    "void_requested_at" TIMESTAMPTZ(3),
    "failed_step" TEXT,
    "failure" TEXT,
    "lease_token" UUID,
    "lease_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stripe_pushes_pkey" PRIMARY KEY ("invoice_id")
);

-- CreateTable
CREATE TABLE "stripe_events" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "stripe_invoice_id" TEXT,
    "invoice_id" UUID,
    "outcome" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stripe_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "invoices_stripe_invoice_id_key" ON "invoices"("stripe_invoice_id");

-- The push sweeper's scan (not in schema.prisma: see the comment on stripe_pushes): pushes not finished, and
-- finished ones whose invoice was voided since (unless voiding Stripe's failed: it was paid first).
CREATE INDEX "stripe_pushes_unfinished" ON "stripe_pushes"("updated_at")
  WHERE "state" NOT IN ('done', 'failed', 'voided')
     OR ("void_requested_at" IS NOT NULL AND "state" <> 'voided' AND "failed_step" IS DISTINCT FROM 'void');
