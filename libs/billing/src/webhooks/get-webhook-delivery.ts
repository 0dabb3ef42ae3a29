import { Injectable } from '@nestjs/common';
import { WebhookDeliveriesRepository, type WebhookDeliveryRow } from '@tollgate/db';
import { NotFoundError } from '../errors';
import { isUuid } from './ids';

@Injectable()
export class GetWebhookDelivery {
  constructor(private readonly deliveries: WebhookDeliveriesRepository) {}

  async execute({ organizationId, id }: { organizationId: string; id: string }): Promise<WebhookDeliveryRow> {
    const delivery = isUuid(id) ? await this.deliveries.find(organizationId, id) : null;
    if (delivery === null) throw new NotFoundError(`webhook delivery "${id}" not found`);
    return delivery;
  }
}
