-- A repricing reset bumps its organisation's pricing epoch in its own transaction; a pricing write checks, under a
-- share lock of the row, that the epoch is the one it read before pricing (docs/design.md, "Repricing").
ALTER TABLE "organizations" ADD COLUMN "pricing_epoch" BIGINT NOT NULL DEFAULT 0;
