-- Stress tests (what-if simulations): docs/design.md "Simulations". Status moves are guarded UPDATEs; a run holds
-- a lease (lease_token, lease_until) and only its holder writes progress and the result.
CREATE TABLE "simulations" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "scenario" JSONB NOT NULL,
    "range_from" TIMESTAMPTZ(3) NOT NULL,
    "range_to" TIMESTAMPTZ(3) NOT NULL,
    "events_total" BIGINT NOT NULL DEFAULT 0,
    "events_done" BIGINT NOT NULL DEFAULT 0,
    "result" JSONB,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lease_token" UUID,
    "lease_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "simulations_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "simulations_organization_id_created_at_id_idx" ON "simulations"("organization_id", "created_at", "id");

CREATE INDEX "simulations_status_updated_at_idx" ON "simulations"("status", "updated_at");
