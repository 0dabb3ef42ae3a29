-- CreateTable
CREATE TABLE "organizations" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "is_default" BOOLEAN NOT NULL DEFAULT false,
    "default_plan_code" TEXT NOT NULL DEFAULT 'default',
    "trust_reported_cost" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organizations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "key_prefix" TEXT NOT NULL,
    "customer_id" UUID,
    "is_operator" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customers" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "external_id" TEXT NOT NULL,
    "name" TEXT,
    "email" TEXT,
    "plan_code" TEXT NOT NULL,
    "discount" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "billing_anchor" DATE,
    "spend_cap" DECIMAL(65,30),
    "stripe_customer_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ingest_batches" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "event_count" INTEGER NOT NULL,
    "unpriced_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "priced_at" TIMESTAMPTZ(3),

    CONSTRAINT "ingest_batches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "events" (
    "id" BIGSERIAL NOT NULL,
    "organization_id" UUID NOT NULL,
    "transaction_id" TEXT NOT NULL,
    "customer_id" UUID NOT NULL,
    "external_customer_id" TEXT NOT NULL,
    "batch_id" UUID NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "timestamp_provided" BOOLEAN NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "input_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_read_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_write_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_write_1h_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_tokens" BIGINT NOT NULL DEFAULT 0,
    "reasoning_tokens" BIGINT NOT NULL DEFAULT 0,
    "audio_input_tokens" BIGINT NOT NULL DEFAULT 0,
    "audio_output_tokens" BIGINT NOT NULL DEFAULT 0,
    "images" BIGINT NOT NULL DEFAULT 0,
    "web_searches" BIGINT NOT NULL DEFAULT 0,
    "requests" BIGINT NOT NULL DEFAULT 1,
    "reported_cost" DECIMAL(65,30),
    "task_id" TEXT,
    "trace_id" TEXT,
    "session_id" TEXT,
    "feature" TEXT,
    "status" TEXT NOT NULL DEFAULT 'success',
    "retry_of" TEXT,
    "metadata" JSONB,
    "content_hash" BYTEA NOT NULL,
    "pricing_status" TEXT NOT NULL DEFAULT 'pending',
    "unpriced_reason" TEXT,
    "provider_cost" DECIMAL(65,30),
    "rated_amount" DECIMAL(65,30),
    "rate_card_id" UUID,
    "charge" TEXT,
    "plan_version_id" UUID,
    "period_start" TIMESTAMPTZ(3),
    "priced_at" TIMESTAMPTZ(3),

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_card_versions" (
    "id" UUID NOT NULL,
    "scope" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "prices" JSONB NOT NULL,
    "tiers" JSONB NOT NULL DEFAULT '[]',
    "source" TEXT NOT NULL,
    "effective_from" TIMESTAMPTZ(3) NOT NULL,
    "fetched_at" TIMESTAMPTZ(3) NOT NULL,
    "sync_id" UUID,
    "content_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rate_card_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_aliases" (
    "organization_id" UUID NOT NULL,
    "alias" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rate_aliases_pkey" PRIMARY KEY ("organization_id","alias")
);

-- CreateTable
CREATE TABLE "rate_syncs" (
    "id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "summary" JSONB NOT NULL DEFAULT '{}',
    "held_cards" JSONB,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "approved_at" TIMESTAMPTZ(3),

    CONSTRAINT "rate_syncs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "plans" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    "effective_from" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "plans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_aggregates" (
    "organization_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "charge" TEXT NOT NULL,
    "events" BIGINT NOT NULL DEFAULT 0,
    "provider_cost" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "rated_amount" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "input_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_read_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_write_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_write_1h_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_tokens" BIGINT NOT NULL DEFAULT 0,
    "reasoning_tokens" BIGINT NOT NULL DEFAULT 0,
    "audio_input_tokens" BIGINT NOT NULL DEFAULT 0,
    "audio_output_tokens" BIGINT NOT NULL DEFAULT 0,
    "images" BIGINT NOT NULL DEFAULT 0,
    "web_searches" BIGINT NOT NULL DEFAULT 0,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "usage_aggregates_pkey" PRIMARY KEY ("customer_id","period_start","charge")
);

-- CreateIndex
CREATE INDEX "organizations_is_default_idx" ON "organizations"("is_default");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "api_keys_organization_id_idx" ON "api_keys"("organization_id");

-- CreateIndex
CREATE UNIQUE INDEX "customers_organization_id_external_id_key" ON "customers"("organization_id", "external_id");

-- CreateIndex
CREATE INDEX "ingest_batches_priced_at_created_at_idx" ON "ingest_batches"("priced_at", "created_at");

-- CreateIndex
CREATE INDEX "events_organization_id_id_idx" ON "events"("organization_id", "id");

-- CreateIndex
CREATE INDEX "events_customer_id_occurred_at_idx" ON "events"("customer_id", "occurred_at");

-- CreateIndex
CREATE INDEX "events_batch_id_idx" ON "events"("batch_id");

-- CreateIndex
CREATE UNIQUE INDEX "events_organization_id_transaction_id_key" ON "events"("organization_id", "transaction_id");

-- CreateIndex
CREATE INDEX "rate_card_versions_provider_model_effective_from_idx" ON "rate_card_versions"("provider", "model", "effective_from");

-- CreateIndex
CREATE UNIQUE INDEX "rate_card_versions_scope_provider_model_source_effective_fr_key" ON "rate_card_versions"("scope", "provider", "model", "source", "effective_from");

-- CreateIndex
CREATE INDEX "rate_syncs_source_started_at_idx" ON "rate_syncs"("source", "started_at");

-- CreateIndex
CREATE INDEX "plans_organization_id_code_effective_from_idx" ON "plans"("organization_id", "code", "effective_from");

-- CreateIndex
CREATE UNIQUE INDEX "plans_organization_id_code_version_key" ON "plans"("organization_id", "code", "version");

-- CreateIndex
CREATE INDEX "usage_aggregates_organization_id_period_start_idx" ON "usage_aggregates"("organization_id", "period_start");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customers" ADD CONSTRAINT "customers_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
