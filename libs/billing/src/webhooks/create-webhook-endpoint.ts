import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { WebhookEndpointsRepository, type WebhookEndpointRow } from '@tollgate/db';
import type { WebhookEventType } from './event-types';

export interface CreateWebhookEndpointCommand {
  organizationId: string;
  /** An http(s) URL, checked by the caller. */
  url: string;
  events: WebhookEventType[];
  description: string | null;
}

/** A new endpoint and its signing secret (`whsec_` and 32 random bytes), which only this answer shows. */
@Injectable()
export class CreateWebhookEndpoint {
  constructor(private readonly endpoints: WebhookEndpointsRepository) {}

  async execute({ organizationId, url, events, description }: CreateWebhookEndpointCommand): Promise<WebhookEndpointRow> {
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    return this.endpoints.create(organizationId, { url, description, events: [...new Set(events)], secret });
  }
}
