import type { SimulationJson } from '@tollgate/billing';
import { Decimal } from '@tollgate/money';
import { chart, formatMoney, html, layout, trusted, type Html, type HtmlValue, type NavLink } from '../pages';
import type { FormProblem, SimulationForm } from './simulation-form';

// The operator dashboard's pages (docs/api.md "Operator dashboard"): server-rendered, working without JavaScript;
// charts are SVG with their figures as a table beside them. Every form posts the session's CSRF token.

export const DASHBOARD_PATH = '/dashboard';
const SITE = 'Tollgate operator';

/** One day of the margin report: its usage's provider cost and the revenue attributed to it. */
export interface MarginDay {
  day: string;
  providerCost: string;
  revenue: string;
  margin: string;
  marginPct: string | null;
}

const nav = (current: 'overview' | 'simulations'): NavLink[] => [
  { href: DASHBOARD_PATH, label: 'Margin', current: current === 'overview' },
  { href: `${DASHBOARD_PATH}/simulations`, label: 'Stress test', current: current === 'simulations' },
];

const logout = (csrf: string) =>
  html`<form method="post" action="${DASHBOARD_PATH}/logout"><input type="hidden" name="csrf" value="${csrf}"><button type="submit">Log out</button></form>`;

function page(title: string, current: 'overview' | 'simulations', csrf: string, main: HtmlValue, extraHead?: Html): Html {
  const doc = layout({ title, site: SITE, nav: nav(current), main, footer: logout(csrf) });
  // A page still running refreshes itself (a meta refresh: no script).
  return extraHead ? trusted(doc.text.replace('</head>', `${extraHead.text}</head>`)) : doc;
}

export function loginPage(problem?: string): Html {
  return layout({
    title: 'Log in',
    site: SITE,
    main: html`
<p>Log in with an admin API key of your organisation. The key is checked, not kept: a signed session cookie is.</p>
${problem && html`<p role="alert" id="login-problem"><strong>${problem}</strong></p>`}
<form method="post" action="${DASHBOARD_PATH}/login">
<p><label for="key">Admin API key</label><br>
<input id="key" name="key" type="password" autocomplete="off" required size="60"${problem ? trusted(' aria-describedby="login-problem"') : ''}></p>
<p><button type="submit">Log in</button></p>
</form>`,
  });
}

export function messagePage(title: string, message: string): Html {
  return layout({ title, site: SITE, main: html`<p>${message}</p><p><a href="${DASHBOARD_PATH}">Back to the dashboard</a></p>` });
}

const money = (v: string | null | undefined, currency: string) => (v === null || v === undefined ? '—' : formatMoney(v, currency));
const pct = (v: string | null) => (v === null ? '—' : `${v}%`);

/** What the overview shows beside the margin: the analytics use cases' answers, as the API gives them. */
export interface OverviewExtras {
  cliff: {
    target_margin: string;
    customers: {
      external_customer_id: string;
      basis: string;
      margin_pct: string | null;
      money_at_risk: string;
      drivers: { kind: string; model?: string; before: string | null; now: string; worsened: boolean }[];
      fix: { revenue_needed: string; margin_floor: string; markup: string | null };
    }[];
  };
  tasks: {
    kinds: {
      task_name: string | null;
      tasks: number;
      calls_per_task: { mean: string };
      cost_per_task: { p50: string; p95: string; max: string };
      retry_cost_share: string;
    }[];
  };
  cache: {
    totals: { read_savings: string; write_extra_cost: string; net_savings: string; hit_rate: string };
    groups: {
      external_customer_id: string;
      model: string;
      read_savings: string;
      write_extra_cost: string;
      net_savings: string;
      hit_rate: string;
    }[];
  };
}

const share = (ratio: string) => `${new Decimal(ratio).times(100).toFixed(2)}%`;
const DRIVERS: Record<string, string> = {
  model_mix: 'premium model share',
  output_share: 'output share',
  cache_hit_rate: 'cache-hit rate',
  retries: 'retries',
};

function extrasSections(x: OverviewExtras, currency: string): Html {
  return html`
<h2 id="cliff">Margin cliff</h2>
<p>Customers whose margin this period (projected) or last is below the target of ${share(x.cliff.target_margin)}, most money at risk first.</p>
${
  x.cliff.customers.length === 0
    ? html`<p>No customer is below the target.</p>`
    : html`<table><caption>Customers below the target margin</caption>
<thead><tr><th scope="col">Customer</th><th scope="col">Period</th><th scope="col" class="num">Margin %</th><th scope="col" class="num">Money at risk</th><th scope="col">What drives it</th><th scope="col">Fix</th></tr></thead>
<tbody>${x.cliff.customers.map(
        (c) =>
          html`<tr><th scope="row">${c.external_customer_id}</th><td>${c.basis}</td><td class="num">${pct(c.margin_pct)}</td><td class="num">${money(c.money_at_risk, currency)}</td><td>${
            c.drivers
              .filter((d) => d.worsened)
              .map(
                (d) =>
                  `${DRIVERS[d.kind] ?? d.kind}${d.model ? ` (${d.model})` : ''} ${d.before === null ? '' : `${share(d.before)} → `}${share(d.now)}`,
              )
              .join('; ') || '—'
          }</td><td>floor ${share(c.fix.margin_floor)}${c.fix.markup === null ? '' : `, or markup ${share(c.fix.markup)}`}</td></tr>`,
      )}</tbody></table>`
}
<h2 id="tasks">Cost per task</h2>
${
  x.tasks.kinds.length === 0
    ? html`<p>No tasks in this range.</p>`
    : html`<table><caption>Cost per task, by kind</caption>
<thead><tr><th scope="col">Task</th><th scope="col" class="num">Tasks</th><th scope="col" class="num">Calls per task</th><th scope="col" class="num">Cost p50</th><th scope="col" class="num">p95</th><th scope="col" class="num">max</th><th scope="col" class="num">Retries’ share</th></tr></thead>
<tbody>${x.tasks.kinds.map(
        (k) =>
          html`<tr><th scope="row">${k.task_name ?? '(unnamed)'}</th><td class="num">${k.tasks}</td><td class="num">${k.calls_per_task.mean}</td><td class="num">${money(k.cost_per_task.p50, currency)}</td><td class="num">${money(k.cost_per_task.p95, currency)}</td><td class="num">${money(k.cost_per_task.max, currency)}</td><td class="num">${share(k.retry_cost_share)}</td></tr>`,
      )}</tbody></table>`
}
<h2 id="cache">Prompt-cache savings</h2>
<dl class="facts">
<dt>Saved by cache reads</dt><dd>${money(x.cache.totals.read_savings, currency)}</dd>
<dt>Extra for cache writes</dt><dd>${money(x.cache.totals.write_extra_cost, currency)}</dd>
<dt>Net</dt><dd>${money(x.cache.totals.net_savings, currency)}</dd>
<dt>Hit rate</dt><dd>${share(x.cache.totals.hit_rate)}</dd>
</dl>
${
  x.cache.groups.length > 0 &&
  html`<table><caption>Cache savings per customer and model</caption>
<thead><tr><th scope="col">Customer</th><th scope="col">Model</th><th scope="col" class="num">Saved</th><th scope="col" class="num">Extra</th><th scope="col" class="num">Net</th><th scope="col" class="num">Hit rate</th></tr></thead>
<tbody>${x.cache.groups.map(
    (g) =>
      html`<tr><th scope="row">${g.external_customer_id}</th><td>${g.model}</td><td class="num">${money(g.read_savings, currency)}</td><td class="num">${money(g.write_extra_cost, currency)}</td><td class="num">${money(g.net_savings, currency)}</td><td class="num">${share(g.hit_rate)}</td></tr>`,
  )}</tbody></table>`
}`;
}

export function overviewPage(
  csrf: string,
  range: { from: string; to: string },
  currency: string,
  days: readonly MarginDay[],
  extras: OverviewExtras,
): Html {
  const total = days.length;
  return page(
    'Margin',
    'overview',
    csrf,
    html`
<p>Provider cost against the revenue invoices billed for it, per day, from ${range.from} to ${range.to} (UTC).</p>
${
  total === 0
    ? html`<p>No priced usage in this range yet.</p>`
    : chart({
        id: 'margin-over-time',
        kind: 'line',
        title: 'Cost and revenue per day',
        description: `Provider cost and billed revenue for each of ${total} days`,
        labels: days.map((d) => d.day),
        labelHeading: 'Day',
        series: [
          { name: 'Provider cost', values: days.map((d) => d.providerCost) },
          { name: 'Revenue', values: days.map((d) => d.revenue) },
        ],
        format: (v) => formatMoney(v, currency),
      })
}
<h2>Margin per day</h2>
<table>
<caption>Margin per day</caption>
<thead><tr><th scope="col">Day</th><th scope="col" class="num">Provider cost</th><th scope="col" class="num">Revenue</th><th scope="col" class="num">Margin</th><th scope="col" class="num">Margin %</th></tr></thead>
<tbody>${days.map(
      (d) =>
        html`<tr><th scope="row">${d.day}</th><td class="num">${money(d.providerCost, currency)}</td><td class="num">${money(d.revenue, currency)}</td><td class="num">${money(d.margin, currency)}</td><td class="num">${pct(d.marginPct)}</td></tr>`,
    )}</tbody>
</table>
${extrasSections(extras, currency)}`,
  );
}

const field = (name: keyof SimulationForm, label: string, form: SimulationForm, hint?: string, type = 'text') =>
  html`<p><label for="${name}">${label}</label><br><input id="${name}" name="${name}" type="${type}" value="${form[name] ?? ''}"${hint ? trusted(` aria-describedby="${name}-hint"`) : ''}>${hint && html` <span class="note" id="${name}-hint">${hint}</span>`}</p>`;

export function simulationsPage(
  csrf: string,
  list: readonly SimulationJson[],
  form: SimulationForm,
  problems: readonly FormProblem[],
): Html {
  return page(
    'Stress test',
    'simulations',
    csrf,
    html`
<p>Re-price the billed periods of a range under a scenario, through the same pricing code, and compare what each customer was billed and cost with what they would have been.</p>
${
  problems.length > 0 &&
  html`<div role="alert" id="form-problems"><p><strong>The scenario was not run:</strong></p><ul>${problems.map((p) => html`<li>${p.field}: ${p.message}</li>`)}</ul></div>`
}
<form method="post" action="${DASHBOARD_PATH}/simulations">
<input type="hidden" name="csrf" value="${csrf}">
<fieldset><legend>Range of billed periods</legend>
${field('from', 'Periods starting from', form, 'a date (UTC) or an RFC 3339 time', 'text')}
${field('to', 'to (before)', form, undefined, 'text')}
${field('customers', 'Only these customers', form, 'external ids, comma-separated; empty for all')}
</fieldset>
<fieldset><legend>Plan changes</legend>
${field('markup', 'Markup of every price-mode charge', form, '0.30 is +30%')}
${field('margin_floor', 'Margin floor of every charge', form, '0.20: never below cost / 0.8')}
${field('included_usage', 'Included usage per period', form)}
${field('discount', 'Discount of every customer', form, '0.10 is 10%')}
</fieldset>
<fieldset><legend>Provider price multiplier</legend>
${field('multiplier_provider', 'Provider', form, 'empty for any')}
${field('multiplier_model', 'Model', form, 'empty for any')}
${field('multiplier_factor', 'Prices ×', form, '2 doubles them')}
</fieldset>
<fieldset><legend>Routing shift</legend>
${field('shift_from_model', 'Move traffic of model', form)}
${field('shift_to_provider', 'to provider', form)}
${field('shift_to_model', 'and model', form)}
${field('shift_share', 'Share moved', form, '0.25 is a quarter of each customer’s calls')}
</fieldset>
${field('usage_growth', 'Usage growth ×', form, '1.2 is 20% more usage')}
<p><button type="submit">Run the stress test</button></p>
</form>
<h2>Earlier stress tests</h2>
${
  list.length === 0
    ? html`<p>None yet.</p>`
    : html`<table><caption>Earlier stress tests, newest first</caption>
<thead><tr><th scope="col">Created</th><th scope="col">Range</th><th scope="col">Status</th><th scope="col" class="num">Events</th></tr></thead>
<tbody>${list.map(
        (s) =>
          html`<tr><th scope="row"><a href="${DASHBOARD_PATH}/simulations/${s.id}">${s.created_at}</a></th><td>${s.scenario.from} – ${s.scenario.to}</td><td>${s.status}</td><td class="num">${s.progress.events_done} / ${s.progress.events_total}</td></tr>`,
      )}</tbody></table>`
}`,
  );
}

/** How many customers the page charts (the worst simulated margins); the table lists all. */
const CHARTED = 12;

export function simulationPage(csrf: string, s: SimulationJson): Html {
  const running = s.status === 'queued' || s.status === 'running';
  const result = s.result ?? null;
  const currency = result?.totals[0]?.currency ?? 'USD';
  const worst = (result?.customers ?? []).filter((c) => c.currency === currency).slice(0, CHARTED);
  return page(
    'Stress test result',
    'simulations',
    csrf,
    html`
<dl class="facts">
<dt>Status</dt><dd id="status">${s.status}</dd>
<dt>Range</dt><dd>${s.scenario.from} – ${s.scenario.to}</dd>
<dt>Events re-priced</dt><dd>${s.progress.events_done} of ${s.progress.events_total}</dd>
<dt>Scenario</dt><dd><code>${JSON.stringify({ ...s.scenario, from: undefined, to: undefined })}</code></dd>
</dl>
${running && html`<p class="note">Still running: this page refreshes every 2 seconds.</p>`}
${s.error && html`<p role="alert"><strong>It failed:</strong> ${s.error}</p>`}
${
  result &&
  html`
<h2>Totals</h2>
<table><caption>Totals per currency</caption>
<thead><tr><th scope="col">Currency</th><th scope="col" class="num">Customers</th><th scope="col" class="num">Billed then</th><th scope="col" class="num">Billed simulated</th><th scope="col" class="num">Cost then</th><th scope="col" class="num">Cost simulated</th><th scope="col" class="num">Margin then</th><th scope="col" class="num">Margin simulated</th></tr></thead>
<tbody>${result.totals.map(
    (t) =>
      html`<tr><th scope="row">${t.currency}</th><td class="num">${t.customers}</td><td class="num">${money(t.billed_then, t.currency)}</td><td class="num">${money(t.billed_simulated, t.currency)}</td><td class="num">${money(t.cost_then, t.currency)}</td><td class="num">${money(t.cost_simulated, t.currency)}</td><td class="num">${money(t.margin_then, t.currency)} (${pct(t.margin_percent_then)})</td><td class="num">${money(t.margin_simulated, t.currency)} (${pct(t.margin_percent_simulated)})</td></tr>`,
  )}</tbody></table>
${
  worst.length > 0 &&
  chart({
    id: 'margin-then-simulated',
    kind: 'bar',
    title: 'Margin then and simulated, worst customers',
    description: `Margin before and under the scenario of the ${worst.length} customers with the lowest simulated margin`,
    labels: worst.map((c) => c.external_customer_id),
    labelHeading: 'Customer',
    series: [
      { name: 'Margin then', values: worst.map((c) => c.margin_then) },
      { name: 'Margin simulated', values: worst.map((c) => c.margin_simulated) },
    ],
    format: (v) => formatMoney(v, currency),
  })
}
<h2>Per customer</h2>
<table id="customers"><caption>Per customer, worst simulated margin first</caption>
<thead><tr><th scope="col">Customer</th><th scope="col" class="num">Periods</th><th scope="col" class="num">Events</th><th scope="col" class="num">Billed then</th><th scope="col" class="num">Billed simulated</th><th scope="col" class="num">Cost then</th><th scope="col" class="num">Cost simulated</th><th scope="col" class="num">Margin % then</th><th scope="col" class="num">Margin % simulated</th></tr></thead>
<tbody>${result.customers.map(
    (c) =>
      html`<tr><th scope="row">${c.external_customer_id}</th><td class="num">${c.periods}</td><td class="num">${c.events}${c.events_unpriced > 0 ? ` (${c.events_unpriced} unpriced)` : ''}</td><td class="num">${money(c.billed_then, c.currency)}</td><td class="num">${money(c.billed_simulated, c.currency)}</td><td class="num">${money(c.cost_then, c.currency)}</td><td class="num">${money(c.cost_simulated, c.currency)}</td><td class="num">${pct(c.margin_percent_then)}</td><td class="num">${pct(c.margin_percent_simulated)}</td></tr>`,
  )}</tbody></table>`
}
<p><a href="${DASHBOARD_PATH}/simulations">Run another</a></p>`,
    running ? trusted('<meta http-equiv="refresh" content="2">') : undefined,
  );
}
