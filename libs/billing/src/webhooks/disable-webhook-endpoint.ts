import { Injectable } from '@nestjs/common';
import { Transactions, WebhookEndpointsRepository, type WebhookEndpointRow } from '@tollgate/db';
import { NotFoundError } from '../errors';
import { isUuid } from './ids';

/**
 * Disables an endpoint: nothing more is published to it and its pending deliveries are canceled, together.
 * Its deliveries stay listable. Disabling twice is the same as once.
 */
@Injectable()
export class DisableWebhookEndpoint {
  constructor(
    private readonly transactions: Transactions,
    private readonly endpoints: WebhookEndpointsRepository,
  ) {}

  async execute({ organizationId, id }: { organizationId: string; id: string }): Promise<WebhookEndpointRow> {
    const disabled = isUuid(id) ? await this.transactions.run((tx) => this.endpoints.disable(tx, organizationId, id)) : null;
    if (disabled === null) throw new NotFoundError(`webhook endpoint "${id}" not found`);
    return disabled.endpoint;
  }
}
