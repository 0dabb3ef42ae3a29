-- API keys that can be listed, rotated and revoked, stored as a keyed hash (docs/design.md, "API keys").
-- key_prefix held the first 12 characters of each key: it goes. A key's public id takes its place: new keys carry
-- it ("tg_<scope>_<public id>_<secret>"); keys made before get a random one, which their text does not contain.
-- Their key_hash is the plain SHA-256 of the key until the api's first start with TOLLGATE_SECRET rehashes it
-- (HMAC-SHA256 under the secret of that SHA-256), so every existing key keeps working.
ALTER TABLE "api_keys" ADD COLUMN "public_id" TEXT,
ADD COLUMN "key_hash_scheme" TEXT NOT NULL DEFAULT 'sha256',
ADD COLUMN "last_used_at" TIMESTAMPTZ(3),
ADD COLUMN "expires_at" TIMESTAMPTZ(3);

UPDATE "api_keys" SET "public_id" = substr(md5(random()::text || "id"::text), 1, 12);

ALTER TABLE "api_keys" ALTER COLUMN "public_id" SET NOT NULL,
ALTER COLUMN "key_hash_scheme" SET DEFAULT 'hmac-sha256',
DROP COLUMN "key_prefix";

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_public_id_key" ON "api_keys"("public_id");
