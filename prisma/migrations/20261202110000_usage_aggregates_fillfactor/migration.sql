-- Since the api prices a batch as it stores it (docs/design.md, "Pricing as the batch is stored"), every batch
-- updates the aggregate row of each (customer, period, charge) it has events of: a realistic batch of 1,000
-- events updates about 500 of them. With full pages no update is HOT (a new entry in both indexes for each, and
-- the bloat); with pages filled to half the new version fits beside the old one and pruning gives the space
-- back. Measured with npm run bench:ingest (docs/performance.md). As for events, this lives here only (the
-- Prisma schema has no storage parameters) and applies to pages written from now on.
ALTER TABLE "usage_aggregates" SET (fillfactor = 50);
