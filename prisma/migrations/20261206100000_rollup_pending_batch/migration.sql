-- A batch the api prices as it stores it records its pending rollup row by the batch, not by a second copy of the
-- ids the batch row already lists (docs/performance.md: the two 1,000-id arrays cost Postgres about 3 us per event
-- each). A fold reads the batch's event_ids for such a row. A worker's pricing write still lists the ids it priced.

-- AlterTable
ALTER TABLE "rollup_pending" ADD COLUMN     "batch_id" UUID;

-- AddForeignKey
ALTER TABLE "rollup_pending" ADD CONSTRAINT "rollup_pending_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "ingest_batches"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
