-- Analytics (docs/design.md "Analytics"): an organisation's target margin, the rollups the reports read (kept by the
-- pricing write and the repricing reset, filled here from the events already priced) and provider price changes.

-- AlterTable
ALTER TABLE "organizations" ADD COLUMN "target_margin" DECIMAL(65,30) NOT NULL DEFAULT 0.30;

-- CreateTable
CREATE TABLE "analytics_daily" (
    "organization_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "day" DATE NOT NULL,
    "charge" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "task_name" TEXT NOT NULL,
    "events" BIGINT NOT NULL DEFAULT 0,
    "provider_cost" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "rated_amount" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "retry_events" BIGINT NOT NULL DEFAULT 0,
    "retry_provider_cost" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "cache_read_savings" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "cache_write_extra" DECIMAL(65,30) NOT NULL DEFAULT 0,
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

    CONSTRAINT "analytics_daily_pkey" PRIMARY KEY ("customer_id","period_start","day","charge","provider","model","feature","task_name")
);

-- CreateTable
CREATE TABLE "analytics_periods" (
    "organization_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "charge" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "events" BIGINT NOT NULL DEFAULT 0,
    "provider_cost" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "rated_amount" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "retry_events" BIGINT NOT NULL DEFAULT 0,
    "retry_provider_cost" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "cache_read_savings" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "cache_write_extra" DECIMAL(65,30) NOT NULL DEFAULT 0,
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

    CONSTRAINT "analytics_periods_pkey" PRIMARY KEY ("customer_id","period_start","charge","provider","model")
);

-- CreateTable
CREATE TABLE "analytics_tasks" (
    "organization_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "task_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "task_name" TEXT NOT NULL,
    "events" BIGINT NOT NULL DEFAULT 0,
    "retry_events" BIGINT NOT NULL DEFAULT 0,
    "provider_cost" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "retry_provider_cost" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "rated_amount" DECIMAL(65,30) NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "analytics_tasks_pkey" PRIMARY KEY ("customer_id","task_id","day")
);

-- CreateTable
CREATE TABLE "price_changes" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "organization_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "previous_version_id" UUID NOT NULL,
    "rate_card_version_id" UUID NOT NULL,
    "effective_from" TIMESTAMPTZ(3) NOT NULL,
    "prices_before" JSONB NOT NULL,
    "prices_after" JSONB NOT NULL,
    "cost_change" DECIMAL(65,30) NOT NULL,
    "margin_change" DECIMAL(65,30) NOT NULL,
    "customers" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "price_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "analytics_daily_organization_id_day_idx" ON "analytics_daily"("organization_id", "day");

-- CreateIndex
CREATE INDEX "analytics_periods_organization_id_period_start_idx" ON "analytics_periods"("organization_id", "period_start");

-- CreateIndex
CREATE INDEX "analytics_tasks_organization_id_day_idx" ON "analytics_tasks"("organization_id", "day");

-- CreateIndex
CREATE INDEX "price_changes_organization_id_seq_idx" ON "price_changes"("organization_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "price_changes_organization_id_rate_card_version_id_key" ON "price_changes"("organization_id", "rate_card_version_id");

-- The rollups of the events priced before this migration (the statement the pricing write runs, for every event).

WITH src AS (
  SELECT e.organization_id, e.customer_id, e.period_start, a.period_end, (e.occurred_at AT TIME ZONE 'UTC')::date AS day,
    e.charge, e.provider, e.model, coalesce(e.feature, '') AS feature, coalesce(e.metadata->>'task_name', '') AS task_name,
    e.task_id, e.provider_cost, e.rated_amount,
    (e.retry_of IS NOT NULL OR e.status = 'error')::int AS retry_events,
    CASE WHEN e.retry_of IS NOT NULL OR e.status = 'error' THEN e.provider_cost ELSE 0 END AS retry_provider_cost,
    coalesce(e.cache_read_tokens * (coalesce(tier.prices->>'input_tokens', r.prices->>'input_tokens')::numeric - coalesce(coalesce(tier.prices->>'cache_read_tokens', r.prices->>'cache_read_tokens')::numeric, coalesce(tier.prices->>'input_tokens', r.prices->>'input_tokens')::numeric)), 0) AS cache_read_savings,
    coalesce(e.cache_write_tokens * (coalesce(coalesce(tier.prices->>'cache_write_tokens', r.prices->>'cache_write_tokens')::numeric, coalesce(tier.prices->>'input_tokens', r.prices->>'input_tokens')::numeric) - coalesce(tier.prices->>'input_tokens', r.prices->>'input_tokens')::numeric)
  + e.cache_write_1h_tokens * (coalesce(coalesce(tier.prices->>'cache_write_1h_tokens', r.prices->>'cache_write_1h_tokens')::numeric, coalesce(tier.prices->>'cache_write_tokens', r.prices->>'cache_write_tokens')::numeric, coalesce(tier.prices->>'input_tokens', r.prices->>'input_tokens')::numeric) - coalesce(tier.prices->>'input_tokens', r.prices->>'input_tokens')::numeric), 0) AS cache_write_extra,
    e.input_tokens, e.cache_read_tokens, e.cache_write_tokens, e.cache_write_1h_tokens, e.output_tokens, e.reasoning_tokens, e.audio_input_tokens, e.audio_output_tokens, e.images, e.web_searches, e.requests
  FROM events e
  JOIN usage_aggregates a ON a.customer_id = e.customer_id AND a.period_start = e.period_start AND a.charge = e.charge
  LEFT JOIN rate_card_versions r ON r.id = e.rate_card_id
  LEFT JOIN LATERAL (
    SELECT t->'prices' AS prices FROM jsonb_array_elements(r.tiers) t
    WHERE (t->>'min_prompt_tokens')::numeric <= e.input_tokens + e.cache_read_tokens + e.cache_write_tokens
      + e.cache_write_1h_tokens + e.audio_input_tokens
    ORDER BY (t->>'min_prompt_tokens')::numeric DESC LIMIT 1
  ) tier ON true
  WHERE e.organization_id IS NOT NULL AND e.pricing_status = 'priced'
), daily AS (
  INSERT INTO analytics_daily (organization_id, customer_id, period_start, day, charge, provider, model, feature, task_name, period_end, events, provider_cost, rated_amount, retry_events, retry_provider_cost, cache_read_savings, cache_write_extra, input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens, audio_input_tokens, audio_output_tokens, images, web_searches, requests, updated_at)
  SELECT organization_id, customer_id, period_start, day, charge, provider, model, feature, task_name, max(period_end), 1 * count(*), 1 * sum(provider_cost), 1 * sum(rated_amount), 1 * sum(retry_events), 1 * sum(retry_provider_cost), 1 * sum(cache_read_savings), 1 * sum(cache_write_extra), 1 * sum(input_tokens), 1 * sum(cache_read_tokens), 1 * sum(cache_write_tokens), 1 * sum(cache_write_1h_tokens), 1 * sum(output_tokens), 1 * sum(reasoning_tokens), 1 * sum(audio_input_tokens), 1 * sum(audio_output_tokens), 1 * sum(images), 1 * sum(web_searches), 1 * sum(requests), now() FROM src 
  GROUP BY organization_id, customer_id, period_start, day, charge, provider, model, feature, task_name ORDER BY customer_id, period_start, day, charge, provider, model, feature, task_name
  ON CONFLICT (customer_id, period_start, day, charge, provider, model, feature, task_name) DO UPDATE SET events = analytics_daily.events + excluded.events, provider_cost = analytics_daily.provider_cost + excluded.provider_cost, rated_amount = analytics_daily.rated_amount + excluded.rated_amount, retry_events = analytics_daily.retry_events + excluded.retry_events, retry_provider_cost = analytics_daily.retry_provider_cost + excluded.retry_provider_cost, cache_read_savings = analytics_daily.cache_read_savings + excluded.cache_read_savings, cache_write_extra = analytics_daily.cache_write_extra + excluded.cache_write_extra, input_tokens = analytics_daily.input_tokens + excluded.input_tokens, cache_read_tokens = analytics_daily.cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = analytics_daily.cache_write_tokens + excluded.cache_write_tokens, cache_write_1h_tokens = analytics_daily.cache_write_1h_tokens + excluded.cache_write_1h_tokens, output_tokens = analytics_daily.output_tokens + excluded.output_tokens, reasoning_tokens = analytics_daily.reasoning_tokens + excluded.reasoning_tokens, audio_input_tokens = analytics_daily.audio_input_tokens + excluded.audio_input_tokens, audio_output_tokens = analytics_daily.audio_output_tokens + excluded.audio_output_tokens, images = analytics_daily.images + excluded.images, web_searches = analytics_daily.web_searches + excluded.web_searches, requests = analytics_daily.requests + excluded.requests, updated_at = now()
  RETURNING 1
), periods AS (
  INSERT INTO analytics_periods (organization_id, customer_id, period_start, charge, provider, model, period_end, events, provider_cost, rated_amount, retry_events, retry_provider_cost, cache_read_savings, cache_write_extra, input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens, audio_input_tokens, audio_output_tokens, images, web_searches, requests, updated_at)
  SELECT organization_id, customer_id, period_start, charge, provider, model, max(period_end), 1 * count(*), 1 * sum(provider_cost), 1 * sum(rated_amount), 1 * sum(retry_events), 1 * sum(retry_provider_cost), 1 * sum(cache_read_savings), 1 * sum(cache_write_extra), 1 * sum(input_tokens), 1 * sum(cache_read_tokens), 1 * sum(cache_write_tokens), 1 * sum(cache_write_1h_tokens), 1 * sum(output_tokens), 1 * sum(reasoning_tokens), 1 * sum(audio_input_tokens), 1 * sum(audio_output_tokens), 1 * sum(images), 1 * sum(web_searches), 1 * sum(requests), now() FROM src 
  GROUP BY organization_id, customer_id, period_start, charge, provider, model ORDER BY customer_id, period_start, charge, provider, model
  ON CONFLICT (customer_id, period_start, charge, provider, model) DO UPDATE SET events = analytics_periods.events + excluded.events, provider_cost = analytics_periods.provider_cost + excluded.provider_cost, rated_amount = analytics_periods.rated_amount + excluded.rated_amount, retry_events = analytics_periods.retry_events + excluded.retry_events, retry_provider_cost = analytics_periods.retry_provider_cost + excluded.retry_provider_cost, cache_read_savings = analytics_periods.cache_read_savings + excluded.cache_read_savings, cache_write_extra = analytics_periods.cache_write_extra + excluded.cache_write_extra, input_tokens = analytics_periods.input_tokens + excluded.input_tokens, cache_read_tokens = analytics_periods.cache_read_tokens + excluded.cache_read_tokens, cache_write_tokens = analytics_periods.cache_write_tokens + excluded.cache_write_tokens, cache_write_1h_tokens = analytics_periods.cache_write_1h_tokens + excluded.cache_write_1h_tokens, output_tokens = analytics_periods.output_tokens + excluded.output_tokens, reasoning_tokens = analytics_periods.reasoning_tokens + excluded.reasoning_tokens, audio_input_tokens = analytics_periods.audio_input_tokens + excluded.audio_input_tokens, audio_output_tokens = analytics_periods.audio_output_tokens + excluded.audio_output_tokens, images = analytics_periods.images + excluded.images, web_searches = analytics_periods.web_searches + excluded.web_searches, requests = analytics_periods.requests + excluded.requests, updated_at = now()
  RETURNING 1
), tasks AS (
  INSERT INTO analytics_tasks (organization_id, customer_id, task_id, day, task_name, events, retry_events, provider_cost, retry_provider_cost, rated_amount, updated_at)
  SELECT organization_id, customer_id, task_id, day, max(task_name), 1 * count(*), 1 * sum(retry_events), 1 * sum(provider_cost), 1 * sum(retry_provider_cost), 1 * sum(rated_amount), now() FROM src WHERE task_id IS NOT NULL
  GROUP BY organization_id, customer_id, task_id, day ORDER BY customer_id, task_id, day
  ON CONFLICT (customer_id, task_id, day) DO UPDATE SET events = analytics_tasks.events + excluded.events, retry_events = analytics_tasks.retry_events + excluded.retry_events, provider_cost = analytics_tasks.provider_cost + excluded.provider_cost, retry_provider_cost = analytics_tasks.retry_provider_cost + excluded.retry_provider_cost, rated_amount = analytics_tasks.rated_amount + excluded.rated_amount, updated_at = now()
  RETURNING 1
)
SELECT count(*)::int AS events FROM src;
