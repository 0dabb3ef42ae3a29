-- The organisation's key is checked once per batch instead of once per event (docs/performance.md, 2026-12-01
-- afternoon): events are stored only with their ingest_batches row, in the same statement, so a batch stored
-- while its organisation is removed still fails, and the removal (which locks the organisation first) never
-- leaves an event behind.

-- DropForeignKey
ALTER TABLE "events" DROP CONSTRAINT "events_organization_id_fkey";

-- AddForeignKey
ALTER TABLE "ingest_batches" ADD CONSTRAINT "ingest_batches_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
