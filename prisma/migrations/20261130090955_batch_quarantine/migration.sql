-- A batch whose pricing fails the same way PRICE_MAX_ATTEMPTS times in a row is quarantined (docs/design.md, "Queue hygiene").
-- AlterTable
ALTER TABLE "ingest_batches" ADD COLUMN     "failed_attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "last_error" TEXT,
ADD COLUMN     "quarantined_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "ingest_batches_quarantined_at_idx" ON "ingest_batches"("quarantined_at");
