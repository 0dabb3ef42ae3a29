-- DropIndex
DROP INDEX "events_batch_id_idx";

-- AlterTable
ALTER TABLE "ingest_batches" ADD COLUMN     "event_ids" BIGINT[];
