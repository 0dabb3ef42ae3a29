import { Injectable } from '@nestjs/common';
import { WebhookEndpointsRepository, type WebhookEndpointRow } from '@tollgate/db';
import { NotFoundError } from '../errors';
import { isUuid } from './ids';

@Injectable()
export class GetWebhookEndpoint {
  constructor(private readonly endpoints: WebhookEndpointsRepository) {}

  async execute({ organizationId, id }: { organizationId: string; id: string }): Promise<WebhookEndpointRow> {
    const endpoint = isUuid(id) ? await this.endpoints.find(organizationId, id) : null;
    if (endpoint === null) throw new NotFoundError(`webhook endpoint "${id}" not found`);
    return endpoint;
  }
}
