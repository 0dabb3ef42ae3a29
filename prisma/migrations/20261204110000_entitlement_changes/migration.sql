-- Each api process answers the entitlement check from memory (docs/design.md "Credits", "The api's entitlement
-- cache"). These triggers tell every listening api which customers' cached entitlements may have changed, on the
-- channel `tollgate_entitlements`, at the commit of the change: a new or rewritten entitlement row, a wallet's
-- revision (any change to the customer's credits or invoices), the customer itself. The payload is customer ids,
-- comma-separated, at most 200 per notification (Postgres caps a payload at 8000 bytes).

-- The one argument names the changed rows' customer id column.
CREATE FUNCTION tollgate_notify_entitlements() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids text;
BEGIN
  FOR ids IN EXECUTE format(
    'SELECT string_agg(id, '','') FROM (
       SELECT id, (row_number() OVER () - 1) / 200 AS chunk FROM (SELECT DISTINCT %I::text AS id FROM changed) d
     ) c GROUP BY chunk', TG_ARGV[0])
  LOOP
    PERFORM pg_notify('tollgate_entitlements', ids);
  END LOOP;
  RETURN NULL;
END $$;

-- A trigger with a transition table serves one event: one trigger per event.
CREATE TRIGGER customer_entitlements_inserted AFTER INSERT ON customer_entitlements
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tollgate_notify_entitlements('customer_id');
CREATE TRIGGER customer_entitlements_updated AFTER UPDATE ON customer_entitlements
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tollgate_notify_entitlements('customer_id');
CREATE TRIGGER customer_entitlements_deleted AFTER DELETE ON customer_entitlements
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tollgate_notify_entitlements('customer_id');
CREATE TRIGGER credit_wallets_updated AFTER UPDATE ON credit_wallets
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tollgate_notify_entitlements('customer_id');
CREATE TRIGGER credit_wallets_deleted AFTER DELETE ON credit_wallets
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tollgate_notify_entitlements('customer_id');
CREATE TRIGGER customers_updated AFTER UPDATE ON customers
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tollgate_notify_entitlements('id');
CREATE TRIGGER customers_deleted AFTER DELETE ON customers
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tollgate_notify_entitlements('id');
