import { Injectable, Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GetPortalInvoice, GetPortalPeriod, ListPortalInvoices, PORTAL_INVOICES, type PortalQuery } from '@tollgate/billing';
import { ApiKeyAuth } from '../auth/api-key-auth';
import { ApiError } from '../common/api-error';
import { toApiError } from '../common/api-error-mapping';
import { parseCookies, sendPage, serializeCookie, type Html } from '../pages';
import { invoicePdf } from './invoice-pdf';
import { invoicePage, invoicesPage, messagePage, periodPage, PORTAL_PATH } from './portal-pages';

/** The cookie that holds the portal key after a link was opened (HttpOnly, only sent to /portal). */
export const PORTAL_COOKIE = 'tollgate_portal';

const EXPIRED = 'This link has expired or is no longer valid. Ask for a new link to your billing portal.';

/**
 * The customer portal's routes (docs/api.md, "Customer portal"): HTML pages and PDFs, on Fastify directly
 * rather than Nest controllers, since they answer pages (errors too), not the API's JSON, and are not part of
 * the OpenAPI contract. A link's token (a `portal` key) is checked like any key (ApiKeyAuth: revocation,
 * expiry, the failed-authentication limit), moved into a cookie and out of the address bar.
 */
@Injectable()
export class PortalRoutes {
  private readonly logger = new Logger('portal');

  constructor(
    private readonly auth: ApiKeyAuth,
    private readonly listInvoices: ListPortalInvoices,
    private readonly getInvoice: GetPortalInvoice,
    private readonly getPeriod: GetPortalPeriod,
  ) {}

  register(fastify: FastifyInstance): void {
    fastify.get(`${PORTAL_PATH}/login`, (req, reply) => this.answer(reply, () => this.login(req, reply)));
    fastify.get(PORTAL_PATH, (req, reply) =>
      this.answer(reply, async () => {
        const q = await this.session(req);
        const { customer, invoices, more } = await this.listInvoices.execute(q);
        return sendPage(reply, 200, invoicesPage(customer, invoices, more, PORTAL_INVOICES));
      }),
    );
    fastify.get(`${PORTAL_PATH}/usage`, (req, reply) =>
      this.answer(reply, async () => sendPage(reply, 200, periodPage(await this.getPeriod.execute(await this.session(req))))),
    );
    fastify.get<{ Params: { id: string } }>(`${PORTAL_PATH}/invoices/:id`, (req, reply) =>
      this.answer(reply, async () => {
        const { customer, invoice } = await this.getInvoice.execute({ ...(await this.session(req)), invoiceId: req.params.id });
        return sendPage(reply, 200, invoicePage(customer, invoice));
      }),
    );
    fastify.get<{ Params: { id: string } }>(`${PORTAL_PATH}/invoices/:id/pdf`, (req, reply) =>
      this.answer(reply, async () => {
        const { customer, invoice } = await this.getInvoice.execute({ ...(await this.session(req)), invoiceId: req.params.id });
        const pdf = await invoicePdf(customer, invoice);
        const name = (invoice.number ?? `invoice-${invoice.periodStart.toISOString().slice(0, 10)}`).replace(/[^A-Za-z0-9._-]/g, '_');
        return reply
          .status(200)
          .headers({
            'content-type': 'application/pdf',
            'content-disposition': `attachment; filename="${name}.pdf"`,
            'cache-control': 'no-store',
            'x-content-type-options': 'nosniff',
          })
          .send(pdf);
      }),
    );
  }

  /** GET /portal/login?token=…: the token into the cookie (until the token expires), then the invoices. */
  private async login(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const token = (req.query as Record<string, unknown>)?.token;
    if (typeof token !== 'string' || token === '') throw new ApiError(401, 'unauthorized', 'no token');
    await this.portalKey(token, req.ip);
    return reply
      .status(303)
      .headers({
        location: PORTAL_PATH,
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        'set-cookie': serializeCookie(PORTAL_COOKIE, token, { path: PORTAL_PATH, secure: req.protocol === 'https', sameSite: 'Lax' }),
      })
      .send();
  }

  private async session(req: FastifyRequest): Promise<PortalQuery> {
    const token = parseCookies(req.headers.cookie).get(PORTAL_COOKIE);
    if (token === undefined) throw new ApiError(401, 'unauthorized', 'no portal session');
    return this.portalKey(token, req.ip);
  }

  /** A portal key's customer; any other key, or none that works, is refused as an expired link is. */
  private async portalKey(token: string, address: string): Promise<PortalQuery> {
    const principal = await this.auth.principalOf(token, address);
    if (principal.scope !== 'portal' || principal.customerId === null) throw new ApiError(401, 'unauthorized', 'not a portal link');
    return { organizationId: principal.organizationId, customerId: principal.customerId };
  }

  private async answer(reply: FastifyReply, handler: () => Promise<FastifyReply>): Promise<FastifyReply> {
    try {
      return await handler();
    } catch (err) {
      const error = toApiError(err);
      if (error.status >= 500 && error.code !== 'unavailable') {
        this.logger.error({ msg: 'portal page failed', err: (err as Error)?.stack ?? String(err) });
      }
      const [title, message]: [string, string] =
        error.status === 401
          ? ['Link expired', EXPIRED]
          : error.status === 404
            ? ['Not found', 'There is nothing here for you: it may belong to someone else, or not exist.']
            : error.status === 429
              ? ['Too many attempts', 'Too many attempts from your address. Wait a minute, then open your link again.']
              : error.status === 503
                ? ['Unavailable', 'The portal is unavailable for a moment. Try again shortly.']
                : ['Something went wrong', 'Something went wrong on our side. Try again later.'];
      const page: Html = messagePage(title, message, error.status === 404);
      const headers: Record<string, string> = { ...error.headers };
      if (error.status === 401) headers['set-cookie'] = serializeCookie(PORTAL_COOKIE, '', { path: PORTAL_PATH, maxAge: 0 });
      return sendPage(reply, error.status, page, headers);
    }
  }
}
