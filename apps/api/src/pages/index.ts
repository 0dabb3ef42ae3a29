// The server-rendered page kit (docs/architecture.md, "Pages"): escaping templates, the accessible layout, SVG
// charts with table fallbacks, money as people read it, cookies. Generic: the portal and the operator's pages use it.
export { Html, html, trusted, escapeHtml, type HtmlValue } from './html';
export { layout, PAGE_HEADERS, type LayoutOptions, type NavLink } from './layout';
export { chart, niceCeiling, type ChartOptions, type ChartSeries } from './chart';
export { formatMoney, currencySymbol } from './money';
export { parseCookies, serializeCookie, type CookieOptions } from './cookies';
export { sendPage } from './send';
