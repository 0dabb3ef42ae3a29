import { DynamicModule, Global, Module } from '@nestjs/common';
import { RateBook, RatesModule } from '@tollgate/rates';
import { ApiKeyHasher } from './api-keys/api-key-hasher';
import { AuthenticateApiKey, GetApiKeyRevision } from './api-keys/authenticate-api-key';
import { ListApiKeys } from './api-keys/list-api-keys';
import { RecordApiKeyUse } from './api-keys/record-api-key-use';
import { RevokeApiKey } from './api-keys/revoke-api-key';
import { RotateApiKey } from './api-keys/rotate-api-key';
import { UpgradeApiKeyHashes } from './api-keys/upgrade-api-key-hashes';
import { ChangeCustomer } from './customers/change-customer';
import { CreateCustomer } from './customers/create-customer';
import { GetCustomer } from './customers/get-customer';
import { ListCustomers } from './customers/list-customers';
import { IngestEvents } from './events/ingest-events';
import { ListEvents } from './events/list-events';
import { CreateApiKey } from './organizations/create-api-key';
import { CreateFirstOrganization, CreateOrganization } from './organizations/create-organization';
import { ChangePlan } from './plans/change-plan';
import { CreatePlan } from './plans/create-plan';
import { GetPlan } from './plans/get-plan';
import { ListPlans } from './plans/list-plans';
import { PlanBook } from './pricing/plan-book';
import { PriceBatch } from './pricing/price-batch';
import { PriceQueue } from './pricing/price-queue';
import { RATE_LOOKUP } from './pricing/rate-lookup';
import { Repricer } from './pricing/repricer';
import { RetryQuarantinedBatches } from './pricing/retry-quarantined-batches';
import { SweepUnpricedBatches } from './pricing/sweep-unpriced-batches';
import { AddRateOverride } from './rates/add-rate-override';
import { ApproveRateSync } from './rates/approve-rate-sync';
import { GetRateSync } from './rates/get-rate-sync';
import { SetRateAlias } from './rates/set-rate-alias';
import { ShowRateCard } from './rates/show-rate-card';
import { CheckEntitlement } from './usage/check-entitlement';
import { CurrentPeriod } from './usage/customer-period';
import { GetCustomerUsage } from './usage/get-customer-usage';
import { PreviewInvoice } from './usage/preview-invoice';

/** One class per use case, shared by the api (HTTP) and the worker (jobs). */
const USE_CASES = [
  IngestEvents,
  ListEvents,
  PriceBatch,
  SweepUnpricedBatches,
  RetryQuarantinedBatches,
  CreateCustomer,
  ChangeCustomer,
  GetCustomer,
  ListCustomers,
  GetCustomerUsage,
  PreviewInvoice,
  CheckEntitlement,
  CreatePlan,
  ChangePlan,
  GetPlan,
  ListPlans,
  AddRateOverride,
  SetRateAlias,
  ShowRateCard,
  GetRateSync,
  ApproveRateSync,
  CreateOrganization,
  CreateFirstOrganization,
  CreateApiKey,
  ListApiKeys,
  RevokeApiKey,
  RotateApiKey,
  AuthenticateApiKey,
  GetApiKeyRevision,
  RecordApiKeyUse,
  UpgradeApiKeyHashes,
];

/**
 * The billing use cases for the api and the worker, with what they share: the price queue, the plan book, the
 * repricer and the rate book (RatesModule). Needs DbModule; PRICING_METRICS, if a global module provides it.
 */
@Global()
@Module({})
export class BillingModule {
  static forRoot(): DynamicModule {
    return {
      module: BillingModule,
      imports: [RatesModule],
      providers: [...USE_CASES, ApiKeyHasher, PriceQueue, PlanBook, Repricer, CurrentPeriod, { provide: RATE_LOOKUP, useExisting: RateBook }],
      exports: [...USE_CASES, PriceQueue, RATE_LOOKUP],
    };
  }
}
