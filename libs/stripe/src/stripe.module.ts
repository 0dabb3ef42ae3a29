import { DynamicModule, Module } from '@nestjs/common';
import type { StripeSettings } from '@tollgate/config';
import { StripeGateway } from './stripe-gateway';
import { STRIPE_SETTINGS, StripeSdkGateway } from './stripe-sdk-gateway';

/**
 * Provides StripeGateway. An app imports it only when `config.stripe` is set: without STRIPE_SECRET_KEY the
 * push is off and nothing here is built.
 */
@Module({})
export class StripeModule {
  static forRoot(settings: StripeSettings): DynamicModule {
    return {
      module: StripeModule,
      global: true,
      providers: [
        { provide: STRIPE_SETTINGS, useValue: settings },
        { provide: StripeGateway, useClass: StripeSdkGateway },
      ],
      exports: [StripeGateway],
    };
  }
}
