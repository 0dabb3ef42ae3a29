import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  CreateSimulation,
  GetActiveApiKey,
  GetCacheSavings,
  GetMarginCliff,
  GetMarginReport,
  GetSimulation,
  GetTaskCosts,
  ListSimulations,
} from '@tollgate/billing';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import type { KeyPrincipal } from '@tollgate/db';
import { ApiKeyAuth } from '../auth/api-key-auth';
import { ApiError } from '../common/api-error';
import { toApiError } from '../common/api-error-mapping';
import { parseCookies, sendPage, serializeCookie, type Html } from '../pages';
import { DASHBOARD_PATH, loginPage, messagePage, overviewPage, simulationPage, simulationsPage, type MarginDay } from './dashboard-pages';
import { SESSION_COOKIE, SESSION_MS, SessionSigner, type Session } from './session';
import { formValues, scenarioFromForm } from './simulation-form';

/** A form is small: a key, or the stress test's fields. */
const FORM_BYTES = 16 * 1024;
/** The overview's range: the last 30 days (UTC), today included. */
const OVERVIEW_DAYS = 30;

interface Signed {
  session: Session;
  principal: KeyPrincipal;
}

class NotLoggedIn extends Error {}

/**
 * The operator dashboard (docs/api.md "Operator dashboard"): HTML pages on Fastify directly, as the portal's, since
 * they answer pages and forms rather than the API's JSON. An admin key logs in once (ApiKeyAuth: the failed-login
 * limit applies); the session is a signed cookie (session.ts) checked against the key on every request, HttpOnly,
 * SameSite=Strict, Secure over HTTPS. Forms carry the session's CSRF token and must come from this origin.
 */
@Injectable()
export class DashboardRoutes {
  private readonly logger = new Logger('dashboard');
  private readonly signer: SessionSigner;

  constructor(
    private readonly auth: ApiKeyAuth,
    private readonly activeKey: GetActiveApiKey,
    private readonly marginReport: GetMarginReport,
    private readonly marginCliff: GetMarginCliff,
    private readonly taskCosts: GetTaskCosts,
    private readonly cacheSavings: GetCacheSavings,
    private readonly createSimulation: CreateSimulation,
    private readonly getSimulation: GetSimulation,
    private readonly listSimulations: ListSimulations,
    @Inject(CONFIG) config: TollgateConfig,
  ) {
    this.signer = new SessionSigner(config.secret!);
  }

  register(fastify: FastifyInstance): void {
    // Its own scope: the form parser applies to these routes only (the API takes JSON alone).
    void fastify.register(async (scope) => {
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BYTES }, (_req, body, done) =>
        done(null, new URLSearchParams(body as string)),
      );
      scope.get(`${DASHBOARD_PATH}/login`, (req, reply) => sendPage(reply, 200, loginPage()));
      scope.post(`${DASHBOARD_PATH}/login`, (req, reply) => this.answer(req, reply, () => this.login(req, reply)));
      scope.post(`${DASHBOARD_PATH}/logout`, (req, reply) =>
        this.answer(req, reply, async () => {
          await this.form(req);
          return this.toLogin(reply);
        }),
      );
      scope.get(DASHBOARD_PATH, (req, reply) => this.answer(req, reply, () => this.overview(req, reply)));
      scope.get(`${DASHBOARD_PATH}/simulations`, (req, reply) =>
        this.answer(req, reply, async () => {
          const { session, principal } = await this.signed(req);
          return sendPage(reply, 200, simulationsPage(session.csrf, await this.recent(principal), {}, []));
        }),
      );
      scope.post(`${DASHBOARD_PATH}/simulations`, (req, reply) => this.answer(req, reply, () => this.simulate(req, reply)));
      scope.get<{ Params: { id: string } }>(`${DASHBOARD_PATH}/simulations/:id`, (req, reply) =>
        this.answer(req, reply, async () => {
          const { session, principal } = await this.signed(req);
          const simulation = await this.getSimulation.execute({ organizationId: principal.organizationId, simulationId: req.params.id });
          return sendPage(reply, 200, simulationPage(session.csrf, simulation));
        }),
      );
    });
  }

  private async login(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    this.sameOrigin(req);
    const key = (req.body instanceof URLSearchParams ? req.body : new URLSearchParams()).get('key')?.trim() ?? '';
    if (key === '') return sendPage(reply, 400, loginPage('Enter an admin API key.'));
    let principal: KeyPrincipal;
    try {
      principal = await this.auth.principalOf(key, req.ip);
    } catch (err) {
      const error = toApiError(err);
      if (error.status === 401) return sendPage(reply, 401, loginPage('That key is not a working API key.'));
      if (error.status === 429)
        return sendPage(reply, 429, loginPage('Too many failed attempts from your address: wait a minute.'), error.headers);
      throw err;
    }
    if (principal.scope !== 'admin') return sendPage(reply, 403, loginPage('That key is not an admin key.'));
    const cookie = this.signer.sign(principal.organizationId, principal.keyId, Date.now() + SESSION_MS);
    return reply
      .status(303)
      .headers({
        location: DASHBOARD_PATH,
        'cache-control': 'no-store',
        'set-cookie': serializeCookie(SESSION_COOKIE, cookie, {
          path: DASHBOARD_PATH,
          maxAge: SESSION_MS / 1000,
          secure: req.protocol === 'https',
          sameSite: 'Strict',
        }),
      })
      .send();
  }

  private async overview(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { session, principal } = await this.signed(req);
    const today = new Date();
    const to = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1));
    const from = new Date(to.getTime() - OVERVIEW_DAYS * 86_400_000);
    const organizationId = principal.organizationId;
    const [report, cliff, tasks, cache] = await Promise.all([
      this.marginReport.execute({ organizationId, from, to, groupBy: ['day'] }),
      this.marginCliff.execute({ organizationId }),
      this.taskCosts.execute({ organizationId, from, to, longest: 0 }),
      this.cacheSavings.execute({ organizationId, from, to, limit: 20 }),
    ]);
    const days: MarginDay[] = report.groups.map((g) => ({
      day: String(g.key.day ?? ''),
      providerCost: g.provider_cost,
      revenue: g.revenue,
      margin: g.margin,
      marginPct: g.margin_pct,
    }));
    const range = { from: from.toISOString().slice(0, 10), to: new Date(to.getTime() - 1).toISOString().slice(0, 10) };
    return sendPage(reply, 200, overviewPage(session.csrf, range, report.currencies[0] ?? 'USD', days, { cliff, tasks, cache }));
  }

  private async simulate(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { body, signed } = await this.form(req);
    const form = formValues(body);
    const parsed = scenarioFromForm(form);
    if (!parsed.ok)
      return sendPage(reply, 400, simulationsPage(signed.session.csrf, await this.recent(signed.principal), form, parsed.problems));
    try {
      const { simulation } = await this.createSimulation.execute({
        organizationId: signed.principal.organizationId,
        scenario: parsed.scenario,
      });
      return await reply
        .status(303)
        .headers({ location: `${DASHBOARD_PATH}/simulations/${simulation.id}`, 'cache-control': 'no-store' })
        .send();
    } catch (err) {
      const error = toApiError(err);
      if (error.status !== 400) throw err;
      const problems = (error.details as { field: string; message: string }[] | undefined) ?? [
        { field: 'scenario', message: error.message },
      ];
      return sendPage(reply, 400, simulationsPage(signed.session.csrf, await this.recent(signed.principal), form, problems));
    }
  }

  private async recent(principal: KeyPrincipal) {
    return (await this.listSimulations.execute({ organizationId: principal.organizationId, after: null, limit: 20 })).simulations;
  }

  /** The logged-in session and its key, still working and still an admin key. */
  private async signed(req: FastifyRequest): Promise<Signed> {
    const session = this.signer.verify(parseCookies(req.headers.cookie).get(SESSION_COOKIE), Date.now());
    if (session === null) throw new NotLoggedIn();
    const principal = await this.activeKey.execute({ organizationId: session.organizationId, keyId: session.keyId });
    if (principal === null || principal.scope !== 'admin') throw new NotLoggedIn();
    return { session, principal };
  }

  /** A posted form of a logged-in session: from this origin, with the session's token. */
  private async form(req: FastifyRequest): Promise<{ body: URLSearchParams; signed: Signed }> {
    this.sameOrigin(req);
    const signed = await this.signed(req);
    const body = req.body instanceof URLSearchParams ? req.body : new URLSearchParams();
    if (!SessionSigner.csrfMatches(signed.session, body.get('csrf')))
      throw new ApiError(403, 'forbidden', 'the form is stale or not ours: reload it');
    return { body, signed };
  }

  /** Forms are posted by our own pages: a browser's Origin (or Sec-Fetch-Site) saying otherwise is refused. */
  private sameOrigin(req: FastifyRequest): void {
    const site = req.headers['sec-fetch-site'];
    const origin = req.headers.origin;
    if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new ApiError(403, 'forbidden', 'a form from another site');
    if (origin !== undefined && origin !== 'null') {
      let host: string | null = null;
      try {
        host = new URL(origin).host;
      } catch {
        host = null;
      }
      if (host !== req.headers.host) throw new ApiError(403, 'forbidden', 'a form from another site');
    }
  }

  private toLogin(reply: FastifyReply): FastifyReply {
    return reply
      .status(303)
      .headers({
        location: `${DASHBOARD_PATH}/login`,
        'cache-control': 'no-store',
        'set-cookie': serializeCookie(SESSION_COOKIE, '', { path: DASHBOARD_PATH, maxAge: 0, sameSite: 'Strict' }),
      })
      .send();
  }

  private async answer(req: FastifyRequest, reply: FastifyReply, handler: () => Promise<FastifyReply>): Promise<FastifyReply> {
    try {
      return await handler();
    } catch (err) {
      if (err instanceof NotLoggedIn) return this.toLogin(reply);
      const error = toApiError(err);
      if (error.status >= 500 && error.code !== 'unavailable')
        this.logger.error({ msg: 'dashboard page failed', path: req.url, err: (err as Error)?.stack ?? String(err) });
      const [title, message]: [string, string] =
        error.status === 403
          ? ['Refused', `${error.message}.`]
          : error.status === 404
            ? ['Not found', 'There is nothing here: it may belong to another organisation, or not exist.']
            : error.status === 503
              ? ['Unavailable', 'The dashboard is unavailable for a moment. Try again shortly.']
              : error.status < 500
                ? ['Not done', error.message]
                : ['Something went wrong', 'Something went wrong on our side. Try again later.'];
      const page: Html = messagePage(title, message);
      return sendPage(reply, error.status, page, { ...error.headers });
    }
  }
}
