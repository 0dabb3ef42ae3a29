-- Prepaid credits (docs/design.md "Credits"): grants, their append-only ledger, wallets, the entitlement cache.

-- CreateTable
CREATE TABLE "credit_grants" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "amount" DECIMAL(65,30) NOT NULL,
    "remaining" DECIMAL(65,30) NOT NULL,
    "priority" INTEGER NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "invoice_id" UUID,
    "source" TEXT NOT NULL DEFAULT 'api',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activated_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "credit_grants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "credit_ledger" (
    "id" BIGSERIAL NOT NULL,
    "organization_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "grant_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "amount" DECIMAL(65,30) NOT NULL,
    "invoice_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "credit_ledger_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "credit_wallets" (
    "customer_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "revision" BIGINT NOT NULL DEFAULT 0,
    "top_up_below" DECIMAL(65,30),
    "top_up_amount" DECIMAL(65,30),
    "top_up_kind" TEXT,
    "top_up_priority" INTEGER,
    "top_up_expires_in_days" INTEGER,
    "low_armed" BOOLEAN NOT NULL DEFAULT true,
    "low_crossings" INTEGER NOT NULL DEFAULT 0,
    "exhausted_armed" BOOLEAN NOT NULL DEFAULT true,
    "exhausted_crossings" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "credit_wallets_pkey" PRIMARY KEY ("customer_id")
);

-- CreateTable
CREATE TABLE "customer_entitlements" (
    "customer_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "revision" BIGINT NOT NULL,
    "customer_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "currency" TEXT NOT NULL,
    "allowed" BOOLEAN NOT NULL,
    "reason" TEXT,
    "balance" DECIMAL(65,30) NOT NULL,
    "ongoing_balance" DECIMAL(65,30) NOT NULL,
    "period_usage" DECIMAL(65,30) NOT NULL,
    "spend_cap" DECIMAL(65,30),
    "computed_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "customer_entitlements_pkey" PRIMARY KEY ("customer_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "credit_grants_invoice_id_key" ON "credit_grants"("invoice_id");

-- CreateIndex
CREATE INDEX "credit_grants_customer_id_status_idx" ON "credit_grants"("customer_id", "status");

-- CreateIndex
CREATE INDEX "credit_grants_status_expires_at_idx" ON "credit_grants"("status", "expires_at");

-- CreateIndex
CREATE INDEX "credit_ledger_customer_id_id_idx" ON "credit_ledger"("customer_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "credit_ledger_invoice_id_grant_id_kind_key" ON "credit_ledger"("invoice_id", "grant_id", "kind");

-- One grant entry per grant (not in schema.prisma: Prisma would see a partial index as a change that is not there).
CREATE UNIQUE INDEX "credit_ledger_one_grant_entry" ON "credit_ledger"("grant_id") WHERE "kind" = 'grant';
