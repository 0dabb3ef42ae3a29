import { DynamicModule, Global, Module } from '@nestjs/common';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import { RateBook, RatesModule } from '@tollgate/rates';
import { CreateSimulation } from './analytics/simulations/create-simulation';
import { GetSimulation } from './analytics/simulations/get-simulation';
import { ListSimulations } from './analytics/simulations/list-simulations';
import { RunSimulation } from './analytics/simulations/run-simulation';
import { SimulationQueue } from './analytics/simulations/simulation-queue';
import { SweepSimulations } from './analytics/simulations/sweep-simulations';
import { GetActiveApiKey } from './api-keys/get-active-api-key';
import { ApiKeyHasher } from './api-keys/api-key-hasher';
import { AuthenticateApiKey, GetApiKeyRevision } from './api-keys/authenticate-api-key';
import { ListApiKeys } from './api-keys/list-api-keys';
import { RecordApiKeyUse } from './api-keys/record-api-key-use';
import { RevokeApiKey } from './api-keys/revoke-api-key';
import { RotateApiKey } from './api-keys/rotate-api-key';
import { UpgradeApiKeyHashes } from './api-keys/upgrade-api-key-hashes';
import { Clock, SystemClock, TestClock } from './clock';
import { CreateCoupon } from './coupons/create-coupon';
import { CheckCreditLevels } from './credits/check-credit-levels';
import { CreateCreditGrant } from './credits/create-credit-grant';
import { CreditGrants } from './credits/credit-grants';
import { CreditPositions } from './credits/credit-positions';
import { CreditWallet } from './credits/credit-wallet';
import { ExpireCreditGrants } from './credits/expire-credit-grants';
import { GetCreditBalance } from './credits/get-credit-balance';
import { GetOngoingBalance } from './credits/get-ongoing-balance';
import { RefreshEntitlements } from './credits/refresh-entitlements';
import { RefreshStaleEntitlements } from './credits/refresh-stale-entitlements';
import { SetTopUpRule } from './credits/set-top-up-rule';
import { ListCoupons } from './coupons/list-coupons';
import { RemoveCoupon } from './coupons/remove-coupon';
import { CheckUsageThresholds } from './alerts/check-usage-thresholds';
import { GetUsageAlerts } from './alerts/get-usage-alerts';
import { SetUsageAlerts } from './alerts/set-usage-alerts';
import { ChangeCustomer } from './customers/change-customer';
import { CreateCustomer } from './customers/create-customer';
import { GetCustomer } from './customers/get-customer';
import { ListCustomers } from './customers/list-customers';
import { IngestEvents } from './events/ingest-events';
import { BillingSchedule } from './invoices/billing-schedule';
import { CloseCustomerPeriod } from './invoices/close-customer-period';
import { FinalizeInvoice } from './invoices/finalize-invoice';
import { GetInvoice } from './invoices/get-invoice';
import { InvoiceCalculator } from './invoices/invoice-calculator';
import { InvoiceReader } from './invoices/invoice-reader';
import { InvoiceSettler } from './invoices/invoice-settler';
import { ListInvoices } from './invoices/list-invoices';
import { MarkInvoicePaid } from './invoices/mark-invoice-paid';
import { ReissueInvoice } from './invoices/reissue-invoice';
import { RunBillingCycle } from './invoices/run-billing-cycle';
import { VoidInvoice } from './invoices/void-invoice';
import { ListEvents } from './events/list-events';
import { CreateApiKey } from './organizations/create-api-key';
import { CreateFirstOrganization, CreateOrganization } from './organizations/create-organization';
import { ChangeOrganization, GetOrganization } from './organizations/organization-settings';
import { ChangePlan } from './plans/change-plan';
import { CreatePlan } from './plans/create-plan';
import { GetPlan } from './plans/get-plan';
import { ListPlans } from './plans/list-plans';
import { PlanBook } from './pricing/plan-book';
import { PriceBatch } from './pricing/price-batch';
import { PriceOnIngest } from './pricing/price-on-ingest';
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
import { ApplyStripeInvoiceEvent } from './stripe/apply-stripe-invoice-event';
import { HandleStripeWebhook } from './stripe/handle-stripe-webhook';
import { PushInvoiceToStripe } from './stripe/push-invoice-to-stripe';
import { StripePushes } from './stripe/stripe-pushes';
import { SweepStripePushes } from './stripe/sweep-stripe-pushes';
import { CreatePortalToken } from './portal/create-portal-token';
import { GetPortalInvoice } from './portal/get-portal-invoice';
import { GetPortalPeriod } from './portal/get-portal-period';
import { ListPortalInvoices } from './portal/list-portal-invoices';
import { PortalCustomers } from './portal/portal-views';
import { CheckEntitlement } from './usage/check-entitlement';
import { CurrentPeriod } from './usage/customer-period';
import { GetCustomerUsage } from './usage/get-customer-usage';
import { PreviewInvoice } from './usage/preview-invoice';
import { CreateWebhookEndpoint } from './webhooks/create-webhook-endpoint';
import { DeliverWebhook } from './webhooks/deliver-webhook';
import { DisableWebhookEndpoint } from './webhooks/disable-webhook-endpoint';
import { GetWebhookDelivery } from './webhooks/get-webhook-delivery';
import { GetWebhookEndpoint } from './webhooks/get-webhook-endpoint';
import { ListWebhookDeliveries } from './webhooks/list-webhook-deliveries';
import { ListWebhookEndpoints } from './webhooks/list-webhook-endpoints';
import { ANALYTICS_PROVIDERS, ANALYTICS_USE_CASES } from './analytics/analytics-use-cases';
import { PublishWebhookEvent } from './webhooks/publish-webhook-event';
import { ReplayWebhookDelivery } from './webhooks/replay-webhook-delivery';
import { SweepWebhookDeliveries } from './webhooks/sweep-webhook-deliveries';
import { WebhookQueue } from './webhooks/webhook-queue';
import { WebhookSender } from './webhooks/webhook-sender';

/** One class per use case, shared by the api (HTTP) and the worker (jobs). */
const USE_CASES = [
  CreatePortalToken,
  ListPortalInvoices,
  GetPortalInvoice,
  GetPortalPeriod,
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
  GetOrganization,
  ChangeOrganization,
  CreateApiKey,
  ListApiKeys,
  RevokeApiKey,
  RotateApiKey,
  AuthenticateApiKey,
  GetApiKeyRevision,
  RecordApiKeyUse,
  UpgradeApiKeyHashes,
  RunBillingCycle,
  CloseCustomerPeriod,
  FinalizeInvoice,
  VoidInvoice,
  ReissueInvoice,
  MarkInvoicePaid,
  GetInvoice,
  ListInvoices,
  CreateCoupon,
  ListCoupons,
  RemoveCoupon,
  SetUsageAlerts,
  GetUsageAlerts,
  CheckUsageThresholds,
  CreateWebhookEndpoint,
  ListWebhookEndpoints,
  GetWebhookEndpoint,
  DisableWebhookEndpoint,
  ListWebhookDeliveries,
  GetWebhookDelivery,
  ReplayWebhookDelivery,
  PublishWebhookEvent,
  DeliverWebhook,
  SweepWebhookDeliveries,
  PushInvoiceToStripe,
  SweepStripePushes,
  HandleStripeWebhook,
  ApplyStripeInvoiceEvent,
  CreateSimulation,
  GetActiveApiKey,
  RunSimulation,
  GetSimulation,
  ListSimulations,
  SweepSimulations,
  ...ANALYTICS_USE_CASES,
  CreateCreditGrant,
  GetCreditBalance,
  GetOngoingBalance,
  SetTopUpRule,
  ExpireCreditGrants,
  RefreshEntitlements,
  RefreshStaleEntitlements,
  CheckCreditLevels,
];

/** Real time, or in tests (TOLLGATE_TEST_NOW with NODE_ENV=test) a clock they set. */
const CLOCK = {
  provide: Clock,
  useFactory: (config: TollgateConfig) => (config.testNow ? new TestClock(config.testNow) : new SystemClock()),
  inject: [CONFIG],
};

/**
 * The billing use cases for the api and the worker, with what they share: the price, webhook and stripe queues,
 * the plan book, the repricer, the webhook sender, the invoice calculator, the billing clock and the rate book
 * (RatesModule). Needs DbModule; PRICING_METRICS and STRIPE_METRICS, if a global module provides them; the
 * Stripe gateway when the app imports StripeModule (STRIPE_SECRET_KEY set: the push is on).
 */
@Global()
@Module({})
export class BillingModule {
  static forRoot(): DynamicModule {
    return {
      module: BillingModule,
      imports: [RatesModule],
      providers: [
        ...USE_CASES,
        ApiKeyHasher,
        PriceQueue,
        SimulationQueue,
        WebhookQueue,
        WebhookSender,
        StripePushes,
        PlanBook,
        PortalCustomers,
        PriceOnIngest,
        Repricer,
        CurrentPeriod,
        InvoiceCalculator,
        InvoiceSettler,
        InvoiceReader,
        BillingSchedule,
        ...ANALYTICS_PROVIDERS,
        CreditPositions,
        CreditWallet,
        CreditGrants,
        CLOCK,
        { provide: RATE_LOOKUP, useExisting: RateBook },
      ],
      exports: [...USE_CASES, PriceQueue, SimulationQueue, WebhookQueue, StripePushes, RATE_LOOKUP, Clock],
    };
  }
}
