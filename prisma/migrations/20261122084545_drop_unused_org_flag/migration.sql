/*
  Warnings:

  - You are about to drop the column `trust_reported_cost` on the `organizations` table. All the data in the column will be lost.

*/
-- AlterTable
ALTER TABLE "organizations" DROP COLUMN "trust_reported_cost";
