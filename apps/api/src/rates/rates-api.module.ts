import { Module } from '@nestjs/common';
import { RatesModule } from '@tollgate/rates';
import { RatesController } from './rates.controller';
import { RatesService } from './rates.service';

/** /v1/rates: the api's rate book (for rate lookups and history) and the sync use case run in-request. */
@Module({
  imports: [RatesModule],
  controllers: [RatesController],
  providers: [RatesService],
})
export class RatesApiModule {}
